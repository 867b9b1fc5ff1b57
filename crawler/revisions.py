"""What changed between two revisions of an article, field by field, word by word.

Words are compared by their folded form, so a change of tashkeel, tatweel, letter variant or
punctuation alone is not reported; what is shown is always the display text, in whole words.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from crawler.items import Article
from crawler.text import words_key

# Single-valued fields, in the order a reader cares about them, with the name shown to users.
SCALAR_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "headline"),
    ("byline", "writer bio"),
    ("summary", "summary"),
    ("caption", "caption"),
    ("credit", "photo credit"),
    ("category", "category"),
    ("section", "section"),
    ("published_at", "published"),
    ("modified_at", "modified"),
)
LIST_FIELDS: tuple[tuple[str, str], ...] = (("authors", "authors"), ("tags", "tags"))
# Two paragraphs at the same place are "the same paragraph, changed" above this similarity of
# their words; below it the old one was removed and a new one added.
PARAGRAPH_PAIRING = 0.5

WordOp = Literal["equal", "delete", "insert"]
ParagraphKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None
    words: tuple[tuple[WordOp, str], ...] = ()

    @property
    def label(self) -> str:
        return dict(SCALAR_FIELDS).get(self.field, self.field)

    def describe(self) -> str:
        if self.old is None:
            return f"{self.label} added"
        if self.new is None:
            return f"{self.label} removed"
        return f"{self.label} changed: {self.old} → {self.new}"


@dataclass(frozen=True, slots=True)
class ListChange:
    field: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    kind: ParagraphKind
    old_index: int | None  # 0-based position in the old body
    new_index: int | None  # 0-based position in the new body
    old: str | None
    new: str | None
    words: tuple[tuple[WordOp, str], ...] = ()  # for "changed": the word-level edit script


@dataclass(frozen=True, slots=True)
class Changes:
    fields: tuple[FieldChange, ...] = ()
    lists: tuple[ListChange, ...] = ()
    paragraphs: tuple[ParagraphChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.fields or self.lists or self.paragraphs)

    def summary(self) -> str:
        """One line: ``headline changed; 1 paragraph changed, 1 added; tags +غزة``."""
        parts = [
            f"{c.label} {'added' if c.old is None else 'removed' if c.new is None else 'changed'}"
            for c in self.fields
        ]
        counts = {
            kind: sum(1 for p in self.paragraphs if p.kind == kind)
            for kind in ("changed", "added", "removed")
        }
        para = [f"{n} {kind}" for kind, n in counts.items() if n]
        if para:
            noun = "paragraph" if sum(counts.values()) == 1 else "paragraphs"
            parts.append(f"{noun}: {', '.join(para)}")
        for lc in self.lists:
            signs = [f"+{v}" for v in lc.added] + [f"−{v}" for v in lc.removed]
            parts.append(f"{lc.field} {' '.join(signs)}")
        return "; ".join(parts) if parts else "no visible change"

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": [
                {"field": c.field, "old": c.old, "new": c.new, "words": [list(w) for w in c.words]}
                for c in self.fields
            ],
            "lists": [
                {"field": c.field, "added": list(c.added), "removed": list(c.removed)}
                for c in self.lists
            ],
            "paragraphs": [
                {
                    "kind": p.kind,
                    "old_index": p.old_index,
                    "new_index": p.new_index,
                    "old": p.old,
                    "new": p.new,
                    "words": [list(w) for w in p.words],
                }
                for p in self.paragraphs
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        return cls(
            fields=tuple(
                FieldChange(f["field"], f["old"], f["new"], tuple(map(tuple, f.get("words", []))))
                for f in data.get("fields", [])
            ),
            lists=tuple(
                ListChange(c["field"], tuple(c["added"]), tuple(c["removed"]))
                for c in data.get("lists", [])
            ),
            paragraphs=tuple(
                ParagraphChange(
                    p["kind"],
                    p["old_index"],
                    p["new_index"],
                    p["old"],
                    p["new"],
                    tuple(map(tuple, p.get("words", []))),
                )
                for p in data.get("paragraphs", [])
            ),
        )


def diff(old: Article, new: Article) -> Changes:
    """The changes from ``old`` to ``new`` that a reader would see."""
    fields = []
    for name, _label in SCALAR_FIELDS:
        before, after = _scalar(getattr(old, name)), _scalar(getattr(new, name))
        if _same(before, after):
            continue
        words = word_diff(before or "", after or "") if before and after else ()
        fields.append(FieldChange(name, before, after, words))
    lists = []
    for name, _label in LIST_FIELDS:
        before_l, after_l = getattr(old, name), getattr(new, name)
        before_keys = {words_key(v): v for v in before_l}
        after_keys = {words_key(v): v for v in after_l}
        added = tuple(v for k, v in after_keys.items() if k not in before_keys)
        removed = tuple(v for k, v in before_keys.items() if k not in after_keys)
        if added or removed:
            lists.append(ListChange(name, added, removed))
    return Changes(tuple(fields), tuple(lists), paragraph_diff(old.body, new.body))


def _scalar(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _same(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or words_key(a) == words_key(b)


def paragraph_diff(old: Sequence[str], new: Sequence[str]) -> tuple[ParagraphChange, ...]:
    """Paragraphs added, removed and changed, aligned on their folded words."""
    old_keys = [words_key(p) for p in old]
    new_keys = [words_key(p) for p in new]
    out: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        olds, news = list(range(i1, i2)), list(range(j1, j2))
        # Pair replaced paragraphs in order while they still look like the same paragraph.
        while olds and news:
            i, j = olds[0], news[0]
            ratio = difflib.SequenceMatcher(
                a=old_keys[i].split(), b=new_keys[j].split(), autojunk=False
            ).ratio()
            if ratio < PARAGRAPH_PAIRING:
                break
            out.append(ParagraphChange("changed", i, j, old[i], new[j], word_diff(old[i], new[j])))
            olds.pop(0)
            news.pop(0)
        out += [ParagraphChange("removed", i, None, old[i], None) for i in olds]
        out += [ParagraphChange("added", None, j, None, new[j]) for j in news]
    return tuple(out)


def word_diff(old: str, new: str) -> tuple[tuple[WordOp, str], ...]:
    """An edit script of whole display words: runs of equal, deleted and inserted words.
    Words compare by their folded form; the new text's spelling is shown for equal runs."""
    a, b = old.split(), new.split()
    ka, kb = [words_key(w) or w for w in a], [words_key(w) or w for w in b]
    ops: list[tuple[WordOp, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb, autojunk=False).get_opcodes():
        if op == "equal":
            ops.append(("equal", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            ops.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", " ".join(b[j1:j2])))
    return tuple(ops)
