"""An article field as the matcher reads it: plain text.

Parsers hand over display text, but should markup ever slip through (a feed that embeds HTML, a
layout the parser does not know), ``field_text`` strips it first: what is inside ``<script>``
and ``<style>`` is never text a reader sees, so it must never raise an alert. Paragraphs are
separated by blank lines, lines by a single newline (a ``<br>``); both are hard breaks for
phrases, and both are the units that boilerplate exclusion skips (see ``Matcher.scan``).
"""

from __future__ import annotations

import html
import re

from crawler.text import clean

# Something that looks like a tag or a comment, not a lone "<" in prose ("5 < 6").
_MARKUP = re.compile(r"<(?:!--|/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Elements whose content is code or data; an unclosed one runs to the end of the text.
_INVISIBLE_ELEMENT = re.compile(
    r"<(script|style|noscript|template|svg)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|section|article|"
    r"figure|figcaption|header|footer|aside|nav|pre|hr|main|form)\b[^<>]*>",
    re.I,
)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_markup(text: str) -> str:
    """Visible text of an HTML fragment: no script/style/comment content, block elements as
    paragraph breaks, other tags dropped, entities decoded."""
    text = _COMMENT.sub(" ", text)
    text = _INVISIBLE_ELEMENT.sub("\n\n", text)
    text = _BLOCK_TAG.sub("\n\n", text)
    text = html.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", clean(text))


def field_text(text: str) -> str:
    """The text the matcher reads for a field: ``text`` itself, or its visible text when it
    holds markup. Offsets of matches refer to this string."""
    if "<" in text and _MARKUP.search(text):
        return strip_markup(text)
    return text


def body_text(paragraphs: tuple[str, ...] | list[str]) -> str:
    """A body (a tuple of paragraphs) as one field text: paragraphs joined by a blank line."""
    return "\n\n".join(paragraphs)
