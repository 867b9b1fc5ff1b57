"""Showing what changed between two versions of an article, readably, in a terminal or a file.

Changes are marked on whole words: on a terminal with colour (deleted words struck through in
red, inserted ones in green, no extra characters in the Arabic line), otherwise with wdiff's
``[-deleted-]`` and ``{+inserted+}``. Long unchanged stretches are shortened to a few words of
context on each side, so an edit in a long paragraph stays easy to find.
"""

from __future__ import annotations

from collections.abc import Iterator

from crawler.revisions import Changes, WordOp

CONTEXT_WORDS = 8


def _equal_run(text: str, *, first: bool, last: bool) -> str:
    words = text.split()
    if first and len(words) > CONTEXT_WORDS:
        return "… " + " ".join(words[-CONTEXT_WORDS:])
    if last and len(words) > CONTEXT_WORDS:
        return " ".join(words[:CONTEXT_WORDS]) + " …"
    if not first and not last and len(words) > 2 * CONTEXT_WORDS:
        return " ".join(words[:CONTEXT_WORDS]) + " … " + " ".join(words[-CONTEXT_WORDS:])
    return text


def marked_words(ops: tuple[tuple[WordOp, str], ...], *, color: bool) -> str:
    """One line of text with the deleted and inserted words marked (rich markup when
    ``color``)."""
    parts = []
    for i, (op, text) in enumerate(ops):
        if op == "equal":
            run = _equal_run(text, first=i == 0, last=i == len(ops) - 1)
            parts.append(_escape(run) if color else run)
        elif op == "delete":
            parts.append(f"[red strike]{_escape(text)}[/]" if color else f"[-{text}-]")
        else:
            parts.append(f"[green bold]{_escape(text)}[/]" if color else f"{{+{text}+}}")
    return " ".join(parts)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def render_changes(changes: Changes, *, color: bool) -> Iterator[str]:
    """The lines of a readable diff (rich markup when ``color``)."""
    esc = _escape if color else (lambda s: s)
    minus = "[red]-[/]" if color else "-"
    plus = "[green]+[/]" if color else "+"
    for change in changes.fields:
        yield change.label
        if change.words and change.field in ("title", "summary", "caption", "byline"):
            yield "  " + marked_words(change.words, color=color)
        if change.old is not None:
            yield f"  {minus} {esc(change.old)}"
        if change.new is not None:
            yield f"  {plus} {esc(change.new)}"
    for para in changes.paragraphs:
        where = para.new_index if para.new_index is not None else para.old_index
        yield f"paragraph {(where or 0) + 1} ({para.kind})"
        if para.kind == "changed":
            for line in marked_words(para.words, color=color).split("\n"):
                yield "  " + line
        elif para.kind == "added":
            yield from (f"  {plus} {esc(line)}" for line in (para.new or "").split("\n"))
        else:
            yield from (f"  {minus} {esc(line)}" for line in (para.old or "").split("\n"))
    for lc in changes.lists:
        signs = [f"+{v}" for v in lc.added] + [f"−{v}" for v in lc.removed]
        yield f"{lc.field}: {esc(' '.join(signs))}"
