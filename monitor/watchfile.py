"""A watchlist as a TOML file, so it can live in version control.

```toml
[[watch]]
name = "العراق"
terms = ["العراق", { text = "داعش", mode = "exact" }]
mode = "standard"            # default mode of this watch's terms
all = ["بغداد"]              # every one must be mentioned too
none = ["كرة القدم"]         # none may be mentioned
fields = "all"               # "title", or "all" (title + summary + body)
sections = ["politics"]
tags = ["iraq-desk"]
```

A term is a string, or a table ``{ text = "…", mode = "exact", force = true }`` (``force``:
kept despite its lint warning). Unknown keys and bad values are errors naming the file, the
line and the key. ``tomllib`` reports lines only for syntax errors, so for the others the line
of the offending key (or term) is looked up in the text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w

from monitor.matcher import DEFAULT_MODE, MODES
from monitor.tomlfile import TomlError, TomlFile
from monitor.watchlist import FIELDS, Term, Watch, WatchError, lint, make_term, validate

WATCH_KEYS = ("name", "terms", "mode", "all", "none", "fields", "sections", "tags")
TERM_KEYS = ("text", "mode", "force")
HEADER = "# newsmon watchlist: `newsmon watch import FILE` loads it (see README.md).\n\n"


class WatchFileError(ValueError):
    """A watchlist file that cannot be used; the message names file, line and key."""


def _context(watch: str | None) -> str | None:
    return f'watch "{watch}"' if watch else None


def parse_watchlist(text: str, source: str = "<watchlist>") -> list[Watch]:
    """The watches of a TOML watchlist; ``WatchFileError`` names the first problem."""
    try:
        file = TomlFile.parse(text, source)
    except TomlError as exc:
        raise WatchFileError(str(exc)) from None
    data = file.data
    for key in data:
        if key != "watch":
            raise WatchFileError(str(file.error((key,), "unknown key (expected [[watch]] tables)")))
    tables = data.get("watch", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise WatchFileError(str(file.error(("watch",), "write each watch as a [[watch]] table")))
    watches: list[Watch] = []
    seen: set[str] = set()
    for index, table in enumerate(tables):
        watch = _watch(table, index, file)
        if watch.name in seen:
            error = _key_error(file, index, "name", "a second watch with this name", watch.name)
            raise WatchFileError(str(error))
        seen.add(watch.name)
        watches.append(watch)
    return watches


def _key_error(
    file: TomlFile, index: int, key: str, message: str, watch: str | None, value: str | None = None
) -> TomlError:
    """An error about ``key`` of the ``index``-th watch, named as users write it."""
    line = file.line_of(("watch", index, key), value)
    return TomlError(file.source, line, key, message, context=_context(watch))


def _watch(table: dict[str, Any], index: int, file: TomlFile) -> Watch:
    name = table.get("name")
    label = name if isinstance(name, str) else None

    def fail(key: str, message: str, needle: str | None = None) -> WatchFileError:
        return WatchFileError(str(_key_error(file, index, key, message, label, needle)))

    for key in table:
        if key not in WATCH_KEYS:
            raise fail(key, f"unknown key (expected one of {', '.join(WATCH_KEYS)})")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "every watch needs a name (a non-empty string)")
    mode = table.get("mode", DEFAULT_MODE)
    if mode not in MODES:
        raise fail("mode", f"unknown mode {mode!r} (expected {', '.join(MODES)})")
    groups: dict[str, tuple[Term, ...]] = {}
    for key in ("terms", "all", "none"):
        groups[key] = _terms(table.get(key, []), key, mode, fail)
    if not groups["terms"]:
        raise fail("terms", "a watch needs at least one term")
    fields = table.get("fields", "all")
    if fields not in FIELDS:
        raise fail(
            "fields", f"unknown value {fields!r} (expected {' or '.join(map(repr, FIELDS))})"
        )
    lists = {}
    for key in ("sections", "tags"):
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a list of strings")
        lists[key] = tuple(value)
    try:
        return validate(
            Watch(
                name=name,
                terms=groups["terms"],
                all_of=groups["all"],
                none_of=groups["none"],
                fields=fields,
                sections=lists["sections"],
                tags=lists["tags"],
            )
        )
    except WatchError as exc:
        raise fail(exc.key, str(exc), exc.item) from None


def _terms(value: Any, key: str, mode: str, fail: Any) -> tuple[Term, ...]:
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list):
        raise fail(key, "expected a list of terms (strings or { text = …, mode = … } tables)")
    terms = []
    text: Any
    for item in value:
        if isinstance(item, str):
            text, term_mode, force = item, mode, False
        elif isinstance(item, dict):
            text = item.get("text")
            needle = text if isinstance(text, str) else None
            for k in item:
                if k not in TERM_KEYS:
                    raise fail(
                        key, f"unknown key {k!r} in a term (expected {', '.join(TERM_KEYS)})", k
                    )
            if not isinstance(text, str):
                raise fail(key, 'a term table needs text = "…"', "{")
            term_mode = item.get("mode", mode)
            if term_mode not in MODES:
                raise fail(key, f"unknown mode {term_mode!r} (expected {', '.join(MODES)})", needle)
            force = item.get("force", False)
            if not isinstance(force, bool):
                raise fail(key, "force must be true or false", needle)
        else:
            raise fail(key, f"a term must be a string or a table, not {item!r}")
        try:
            terms.append(make_term(text, term_mode, force=force, key=key))
        except WatchError as exc:
            raise fail(key, str(exc), text) from None
    return tuple(terms)


def load_watchlist(path: Path) -> tuple[list[Watch], list[str]]:
    """The watches of a watchlist file and its lint warnings (each naming file, line, key).
    A file with no watch at all is refused: it is far more often a file cut short than a wish
    to watch nothing (and ``watch import --prune`` would then remove every watch)."""
    try:
        file = TomlFile.load(path)
    except TomlError as exc:
        raise WatchFileError(str(exc)) from None
    watches = parse_watchlist(file.text, str(path))
    if not watches:
        raise WatchFileError(f"{path}: no watches in this file (write [[watch]] tables)")
    return watches, lint_messages(file.text, str(path), watches)


def dump_watchlist(watches: Sequence[Watch]) -> str:
    """TOML text that ``parse_watchlist`` reads back into the same watches."""
    return HEADER + tomli_w.dumps({"watch": [_table(w) for w in watches]})


def _table(watch: Watch) -> dict[str, Any]:
    modes = Counter(term.mode for _, term in watch.all_terms())
    mode = modes.most_common(1)[0][0] if modes else DEFAULT_MODE
    table: dict[str, Any] = {"name": watch.name}
    if mode != DEFAULT_MODE:
        table["mode"] = mode
    table["terms"] = [_item(t, mode) for t in watch.terms]
    if watch.all_of:
        table["all"] = [_item(t, mode) for t in watch.all_of]
    if watch.none_of:
        table["none"] = [_item(t, mode) for t in watch.none_of]
    table["fields"] = watch.fields
    if watch.sections:
        table["sections"] = list(watch.sections)
    if watch.tags:
        table["tags"] = list(watch.tags)
    return table


def _item(term: Term, mode: str) -> str | dict[str, Any]:
    if term.mode == mode and not term.force:
        return term.text
    item: dict[str, Any] = {"text": term.text}
    if term.mode != mode:
        item["mode"] = term.mode
    if term.force:
        item["force"] = True
    return item


def lint_messages(text: str, source: str, watches: Sequence[Watch]) -> list[str]:
    """The lint warnings of a parsed watchlist, each naming file, line and key."""
    file = TomlFile.parse(text, source)
    out = []
    for index, watch in enumerate(watches):
        for warning in lint(watch):
            error = _key_error(file, index, warning.key, warning.message, watch.name, warning.item)
            out.append(str(error))
    return out
