"""Where things are in a TOML text: the line of a key in the n-th ``[[table]]``, and syntax
errors turned into one line naming the line and the key.

``tomllib`` reports positions only for syntax errors (and not all of them), so a file that
parses but holds a bad value needs its line found in the text. These are line-based searches,
good for files written by hand or by ``tomli_w``: a key at the start of its line, a value
inside a multi-line array on a line of its own.
"""

from __future__ import annotations

import re

_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


class KeyLocator:
    """Finds the line (1-based) of a key in a TOML text made of `[[table]]` entries."""

    def __init__(self, text: str, table: str) -> None:
        self.lines = text.split("\n")
        name = re.escape(table)
        header = re.compile(rf"\s*\[\[\s*(?:{name}|\"{name}\"|'{name}')\s*\]\]")
        self.tables = [i for i, line in enumerate(self.lines) if header.match(line)]

    def _range(self, index: int | None) -> tuple[int, int]:
        if index is None or index >= len(self.tables):
            return 0, len(self.lines)
        start = self.tables[index]
        end = next(
            (
                i
                for i in range(start + 1, len(self.lines))
                if self.lines[i].lstrip().startswith("[")
            ),
            len(self.lines),
        )
        return start, end

    def line(self, index: int | None, key: str, needle: str | None = None) -> int:
        """The line of ``key`` in the ``index``-th ``[[table]]`` (a top-level key when
        ``index`` is None), or of ``needle`` (a value) at or after it."""
        start, end = self._range(index)
        pattern = re.compile(
            rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*="
        )
        if index is None:
            pattern = re.compile(rf"\s*\[*\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\b")
        at = next((i for i in range(start, end) if pattern.match(self.lines[i])), None)
        if at is None:
            return start + 1
        if needle:
            # The value as TOML quotes it first (so في does not find فيروس), then bare.
            for candidate in (f'"{needle}"', f"'{needle}'", needle):
                for i in range(at, end):
                    if candidate in self.lines[i]:
                        return i + 1
        return at + 1


def syntax_error(text: str, source: str, message: str) -> str:
    m = _SYNTAX_POSITION.search(message)
    reason = _SYNTAX_POSITION.sub("", message)
    if reason.startswith(("Cannot overwrite", "Cannot declare")):
        reason += " (a key or table is given twice)"
    if m and m.group(1):
        line = int(m.group(1))
        key = _key_at(text, line)
        about = f'key "{key}": ' if key else ""
        return f"{source}:{line}: {about}TOML syntax error: {reason} (column {m.group(2)})"
    repeated = _repeated_key(text)
    if repeated:
        line, key = repeated
        return f'{source}:{line}: key "{key}": TOML syntax error: {reason}'
    last = _last_key(text)
    if last:
        # Something opened at the last key (an array, a string) runs to the end of the file.
        line, key = last
        return f'{source}:{line}: key "{key}": TOML syntax error: {reason} (still open at the end)'
    line = text.count("\n") + 1
    return f"{source}:{line}: TOML syntax error: {reason} (at the end of the file)"


def _key_at(text: str, line: int) -> str | None:
    """The key whose value holds ``line``: the one on it, or the nearest above it in the same
    table (a multi-line array)."""
    lines = text.split("\n")[:line]
    for raw in reversed(lines):
        if raw.lstrip().startswith("["):
            return None
        m = _KEY_LINE.match(raw)
        if m:
            return m.group(1).strip("\"'")
    return None


def _last_key(text: str) -> tuple[int, str] | None:
    found = None
    for number, line in enumerate(text.split("\n"), 1):
        m = _KEY_LINE.match(line)
        if m:
            found = number, m.group(1).strip("\"'")
    return found


_KEY_LINE = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def _repeated_key(text: str) -> tuple[int, str] | None:
    """The first key given twice in one table (tomllib names no line for that)."""
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("["):
            seen = set()
            continue
        m = _KEY_LINE.match(line)
        if m:
            key = m.group(1).strip("\"'")
            if key in seen:
                return number, key
            seen.add(key)
    return None
