"""Reading a TOML file so that every error can name the file, the line and the key.

``tomllib`` reports syntax errors with a line number but knows nothing of lines once the file is
parsed; a value that parses but is wrong (an unknown key, a bad duration) needs its line found
again. ``TomlFile.line_of(path)`` finds it by scanning the text for table headers and keys.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


class TomlError(ValueError):
    """A problem with one place in a TOML file: ``file:line: key: message``."""

    def __init__(self, path: Path | str, line: int | None, key: str | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        self.path = str(path)
        self.line = line
        self.key = key
        self.message = message


def _split_key(text: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in parts)


@dataclass
class TomlFile:
    path: Path
    data: dict[str, Any]
    text: str
    _lines: dict[KeyPath, int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TomlFile:
        """Parse ``path``; a syntax error, an unreadable file or non-UTF-8 text is a TomlError."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise TomlError(path, None, None, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise TomlError(path, line, None, "not UTF-8 text") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            at = int(m.group(1)) if m else None
            raise TomlError(path, at, None, f"TOML syntax error: {message}") from None
        file = cls(path, data, text)
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

    def line_of(self, path: KeyPath) -> int | None:
        """The line of a key (or of the nearest enclosing table that has one)."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    def error(self, path: KeyPath, message: str) -> TomlError:
        """An error about the value at ``path`` (e.g. ``("notify", "target", 1, "url")``)."""
        key = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")
        return TomlError(self.path, self.line_of(path), key or None, message)
