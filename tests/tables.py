"""Read the TSV case tables under tests/data (# starts a comment; the first row is the header)."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def unescape(value: str) -> str:
    r"""``\n``, ``\t`` and ``\uXXXX`` escapes as the tables write them."""
    return _ESCAPE.sub(_replace, value)


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|n|t|\\)")
_SIMPLE = {"n": "\n", "t": "\t", "\\": "\\"}


def _replace(m: re.Match[str]) -> str:
    code = m.group(1)
    return chr(int(code[1:], 16)) if code.startswith("u") else _SIMPLE[code]


def read_tsv(name: str) -> list[dict[str, str]]:
    lines = [
        line
        for line in (DATA / name).read_text(encoding="utf-8").split("\n")
        if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    rows = []
    for line in lines[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        rows.append(dict(zip(header, cells, strict=True)))
    return rows
