"""Reading a hand-written TOML file so that every error can name the file, the line and the key.

``tomllib`` reports positions only for syntax errors (and not for all of them: a key given
twice has none), and knows nothing of lines once the file is parsed, so a value that parses but
is wrong (an unknown key, a bad duration, a bad term inside an array) needs its line found
again in the text. ``TomlFile`` indexes the line of every table header and key, and can find a
value inside a multi-line array. These are line-based searches, right for files written by
hand or by ``tomli_w``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


class TomlError(ValueError):
    """A problem at one place in a TOML file:
    ``file:line: [watch "name", ]key "a.b": message``."""

    def __init__(
        self,
        source: Path | str,
        line: int | None,
        key: str | None,
        message: str,
        *,
        context: str | None = None,
    ) -> None:
        where = f"{source}:{line}" if line else str(source)
        about = ", ".join(p for p in (context, f'key "{key}"' if key else None) if p)
        super().__init__(f"{where}: {about}: {message}" if about else f"{where}: {message}")
        self.source = str(source)
        self.line = line
        self.key = key
        self.message = message


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in parts)


def key_name(path: KeyPath) -> str:
    """``("notify", "target", 1, "url")`` as ``notify.target[1].url``."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


@dataclass
class TomlFile:
    source: str
    data: dict[str, Any]
    text: str
    _lines: dict[KeyPath, int] = field(default_factory=dict)
    _headers: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> TomlFile:
        """Read and parse ``path``; unreadable, non-UTF-8 or bad TOML is a TomlError."""
        if path.exists() and not path.is_file() and not path.is_dir():
            # A FIFO or a device: reading it could block for ever.
            raise TomlError(
                path, None, None, "not a regular file (a pipe or a device); give a file"
            )
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise TomlError(path, None, None, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            message = (
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {column});"
                " save the file as UTF-8"
            )
            raise TomlError(path, line, None, message) from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> TomlFile:
        # Windows editors (Notepad) may start a UTF-8 file with a byte-order mark; TOML has no
        # place for it, but it is no reason to refuse the file.
        text = text.removeprefix("\ufeff")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise syntax_error(text, source, str(exc)) from None
        file = cls(source, data, text)
        file._index()
        return file

    def _index(self) -> None:
        """Record the line of every table header and key (outside multi-line values)."""
        table: tuple[str | int, ...] = ()
        arrays: dict[tuple[str, ...], int] = {}
        in_string: str | None = None
        depth = 0
        for number, line in enumerate(self.text.split("\n"), start=1):
            if in_string:
                if in_string in line:
                    in_string = None
                continue
            if depth > 0:
                depth += line.count("[") - line.count("]")
                continue
            header = _HEADER.match(line)
            if header:
                name = _split_key(header.group(2))
                if header.group(1) == "[[":
                    index = arrays.get(name, -1) + 1
                    arrays[name] = index
                    table = (*name, index)
                else:
                    table = name
                self._lines.setdefault(table, number)
                self._headers.append(number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault((*table, *_split_key(key.group(1))), number)
                rest = line[key.end() :]
                for quote in ('"""', "'''"):
                    if rest.count(quote) == 1:
                        in_string = quote
                value = re.sub(r"""("[^"]*"|'[^']*')""", "", rest.split("#", 1)[0])
                depth = max(0, value.count("[") - value.count("]"))

    def line_of(self, path: KeyPath, value: str | None = None) -> int | None:
        """The line of a key (or of the nearest enclosing table that has one). With ``value``,
        the line inside that key's value where ``value`` is written (a term in an array), as
        TOML quotes it first, so في does not find فيروس."""
        path = tuple(path)
        while path and path not in self._lines:
            path = path[:-1]
        if not path:
            return None
        at = self._lines[path]
        if value:
            lines = self.text.split("\n")
            end = next((h for h in self._headers if h > at), len(lines) + 1)
            for candidate in (f'"{value}"', f"'{value}'", value):
                for number in range(at, end):
                    if candidate in lines[number - 1]:
                        return number
        return at

    def error(
        self, path: KeyPath, message: str, *, value: str | None = None, context: str | None = None
    ) -> TomlError:
        """An error about the value at ``path`` (e.g. ``("notify", "target", 1, "url")``)."""
        return TomlError(
            self.source, self.line_of(path, value), key_name(path) or None, message, context=context
        )


def syntax_error(text: str, source: str, message: str) -> TomlError:
    """tomllib's syntax error, with its line and the key it happened in. A key given twice (no
    position from tomllib) and a value left open at the end of the file are located here."""
    m = _SYNTAX_POSITION.search(message)
    reason = _SYNTAX_POSITION.sub("", message)
    if reason.startswith(("Cannot overwrite", "Cannot declare")):
        reason += " (a key or table is given twice)"
    if m and m.group(1):
        line = int(m.group(1))
        return TomlError(
            source, line, _key_at(text, line), f"TOML syntax error: {reason} (column {m.group(2)})"
        )
    repeated = _repeated_key(text)
    if repeated:
        line, key = repeated
        return TomlError(source, line, key, f"TOML syntax error: {reason}")
    last = _last_key(text)
    if last:
        # Something opened at the last key (an array, a string) runs to the end of the file.
        line, key = last
        return TomlError(source, line, key, f"TOML syntax error: {reason} (still open at the end)")
    return TomlError(
        source, text.count("\n") + 1, None, f"TOML syntax error: {reason} (at the end of the file)"
    )


_KEY_LINE = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def _key_at(text: str, line: int) -> str | None:
    """The key whose value holds ``line``: the one on it, or the nearest above it in the same
    table (a multi-line array)."""
    for raw in reversed(text.split("\n")[:line]):
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
