"""The text layout of the sample article in ``seeds/``: ``render`` writes it, ``parse`` reads it.

::

    <title>
    [<opinion writer's one-line bio>]
    (blank)
    <display date>                       11 مايو 2020
    [<caption> (<credit>)]               only when there is an image
    + الخط -                             the page's font-size widget; the body follows it
    (blank)
    [اظهر الملخص + summary lines + (blank)]   newer pages; read, never written
    <paragraph>                          paragraphs separated by one blank line; a line break
    (blank)                              inside a paragraph is a single newline
    <paragraph>
    المساهمون                            last line, no newline after it
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crawler.dates import format_display_date, parse_display_date
from crawler.items import Article, Source
from crawler.text import fold

FONT_WIDGET = "+ الخط -"
CONTRIBUTORS = "المساهمون"
SUMMARY_TOGGLE = "اظهر الملخص"

_CREDIT = re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]*)\)\s*$")
_BLANK_RUN = re.compile(r"\n\s*\n")


class SeedFormatError(ValueError):
    """A document that does not follow the layout; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def render(article: Article) -> str:
    """The article in the sample's layout, byte for byte."""
    head = [_one_line(article.title)]
    if article.byline:
        head.append(_one_line(article.byline))
    # A record with a publication time but no printed date (a feed item, a relative date)
    # still gets the date line the layout requires.
    date_line = article.date_line or (
        format_display_date(article.published_at) if article.published_at else ""
    )
    head += ["", _one_line(date_line)]
    caption_line = caption_with_credit(article.caption, article.credit)
    if caption_line:
        head.append(caption_line)
    head.append(FONT_WIDGET)
    paragraphs = [p for p in (_paragraph(p) for p in article.body) if p]
    if not paragraphs:
        return "\n".join([*head, "", CONTRIBUTORS])
    return "\n".join([*head, "", "\n\n".join(paragraphs), CONTRIBUTORS])


def caption_with_credit(caption: str | None, credit: str | None) -> str:
    """``caption (credit)`` as the page shows it; either part may be missing."""
    caption = _one_line(caption or "")
    credit = _one_line(credit or "")
    if credit:
        return f"{caption} ({credit})" if caption else f"({credit})"
    return caption


def split_credit(line: str) -> tuple[str | None, str | None]:
    """``caption (credit)`` → (caption, credit); a caption without a closing credit has none."""
    m = _CREDIT.match(line)
    if not m:
        return (line.strip() or None), None
    return (m.group("caption").strip() or None), (m.group("credit").strip() or None)


def parse(text: str) -> Article:
    """Read a document in the layout back into a record (``render(parse(doc)) == doc`` for a
    document that ``render`` wrote). Raises ``SeedFormatError`` naming the first line that does
    not fit."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    # Editors add a final newline; the layout has none, but the text means the same.
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    doc = _Lines(lines)
    sources: dict[str, Source] = {}

    title = doc.take_nonblank("the title")
    sources["title"] = "text"
    byline_lines: list[str] = []
    while doc.peek() is not None and doc.peek_stripped():
        byline_lines.append(doc.take().strip())
    doc.take_blank("a blank line after the title")

    date_no = doc.number
    date_line = doc.take_nonblank("the display date (for example 11 مايو 2020)")
    published = parse_display_date(date_line)
    if published is None:
        raise SeedFormatError(date_no, f"expected a display date, found {date_line!r}")
    sources["date_line"] = sources["published_at"] = "text"

    caption = credit = None
    line_no = doc.number
    line = doc.take_nonblank(f"{FONT_WIDGET!r} or the image caption")
    if line.strip() != FONT_WIDGET:
        caption, credit = split_credit(line)
        sources.update(caption="text", credit="text")
        line_no = doc.number
        widget = doc.take_nonblank(f"{FONT_WIDGET!r} after the caption")
        if widget.strip() != FONT_WIDGET:
            raise SeedFormatError(line_no, f"expected {FONT_WIDGET!r}, found {widget!r}")

    rest_no = doc.number
    rest = doc.rest()
    if not rest or rest[-1].strip() != CONTRIBUTORS:
        raise SeedFormatError(
            rest_no + max(len(rest) - 1, 0), f"expected {CONTRIBUTORS!r} as the last line"
        )
    body_lines = rest[:-1]
    if body_lines:
        if body_lines[0].strip():
            raise SeedFormatError(rest_no, f"expected a blank line after {FONT_WIDGET!r}")
        body_lines = body_lines[1:]
    block = "\n".join(line.rstrip() for line in body_lines).strip("\n")
    paragraphs = [p.strip() for p in _BLANK_RUN.split(block) if p.strip()] if block else []

    summary = None
    if paragraphs and fold(paragraphs[0].split("\n", 1)[0]) == SUMMARY_TOGGLE:
        points = paragraphs.pop(0).split("\n")[1:]
        summary = "\n".join(p.strip() for p in points if p.strip()) or None
        sources["summary"] = "text"
    sources["body"] = "text"
    return Article(
        title=title.strip(),
        byline=" ".join(byline_lines) or None,
        date_line=date_line.strip(),
        published_at=published,
        caption=caption,
        credit=credit,
        summary=summary,
        body=tuple(paragraphs),
        sources=tuple(sources.items()),
        parser="seedformat",
    )


@dataclass
class _Lines:
    lines: list[str]
    index: int = 0

    @property
    def number(self) -> int:
        return self.index + 1

    def peek(self) -> str | None:
        return self.lines[self.index] if self.index < len(self.lines) else None

    def peek_stripped(self) -> str:
        return (self.peek() or "").strip()

    def take(self) -> str:
        line = self.lines[self.index]
        self.index += 1
        return line

    def take_nonblank(self, what: str) -> str:
        line = self.peek()
        if line is None:
            raise SeedFormatError(self.number, f"expected {what}, found the end of the text")
        if not line.strip():
            raise SeedFormatError(self.number, f"expected {what}, found a blank line")
        return self.take()

    def take_blank(self, what: str) -> None:
        line = self.peek()
        if line is None or line.strip():
            found = "the end of the text" if line is None else repr(line)
            raise SeedFormatError(self.number, f"expected {what}, found {found}")
        self.take()

    def rest(self) -> list[str]:
        rest = self.lines[self.index :]
        self.index = len(self.lines)
        return rest


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _paragraph(value: str) -> str:
    # A paragraph keeps single line breaks (a <br> on the page) but can hold no blank line,
    # which would make it two paragraphs when read back.
    lines = [" ".join(line.split()) for line in value.split("\n")]
    return "\n".join(line for line in lines if line)


def render_many(articles: Iterable[Article]) -> str:
    """Several documents in one stream, separated by a form feed line (``\\f``)."""
    return "\n\f\n".join(render(a) for a in articles)


def parse_many(text: str) -> list[Article]:
    """Documents written by ``render_many`` (or a single document)."""
    return [parse(part) for part in re.split(r"\n?\f\n?", text) if part.strip()]
