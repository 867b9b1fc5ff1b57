"""Markup nested deeper than libxml2 will go, flattened so the rest of the page is still read.

libxml2's HTML parser stops at 256 open elements ("Excessive depth in document") and drops
everything after that point: a page with ten thousand nested ``<div>`` in a sidebar would lose
its article. Browsers have a limit too, and past it they keep the text but stop nesting. So does
``flatten``: beyond ``MAX_DEPTH`` open elements, start and end tags are left out and their text
stays where it was. It is a tag scanner, not a parser — only run on a page the real parser gave
up on (``crawler.parsers.html.parse_document``).
"""

from __future__ import annotations

import re

MAX_DEPTH = 200  # below libxml2's 256, with room for the <html> and <body> it adds
# How far down the open elements an end tag may look for its start tag; a stray end tag beyond
# that is kept for the parser to ignore (so a flood of them costs no more than this each).
MATCH_WINDOW = 64

_TOKEN = re.compile(
    r"<!--.*?(?:-->|$)|<(/?)([A-Za-z][A-Za-z0-9:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S
)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
# Their content is text to the parser, not tags.
RAW = frozenset({"script", "style", "textarea", "title", "xmp", "noscript", "template"})


def flatten(text: str, limit: int = MAX_DEPTH) -> str:
    """``text`` with the start and end tags of elements nested deeper than ``limit`` removed."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, kept)
    depth = 0  # kept elements open
    pos = 0
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos : m.start()])
        pos = m.end()
        tag, closing, name = m.group(0), m.group(1), (m.group(2) or "").lower()
        if not name:  # a comment
            out.append(tag)
            continue
        if closing:
            for i in range(len(stack) - 1, max(-1, len(stack) - 1 - MATCH_WINDOW), -1):
                if stack[i][0] == name:
                    kept = stack[i][1]
                    depth -= sum(1 for _, k in stack[i:] if k)
                    del stack[i:]
                    if kept:
                        out.append(tag)
                    break
            else:
                out.append(tag)
            continue
        if name in VOID or tag.endswith("/>"):
            out.append(tag)
            continue
        keep = depth < limit
        stack.append((name, keep))
        depth += keep
        if keep:
            out.append(tag)
        if name in RAW:  # copied through to its end tag, which closes it
            end = re.compile(rf"</{name}\s*>", re.I).search(text, pos)
            stop = end.start() if end else len(text)
            out.append(text[pos:stop])
            pos = stop
