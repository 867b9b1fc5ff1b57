"""Atom feeds (RFC 4287) of the alerts: every watch's, or one watch's, newest first.

An entry is one alert as a reader sees it: a watch that fired on one version of an article. The
outbox holds one row per target for it; the feed shows it once. Its id is derived from the
article's identity (node id, else canonical URL), the version and the watch, so it stays the same
however often the feed is written, and a feed reader never shows the same alert twice. Entries
read the stored version itself (title, link, publication time, authors) and the alert's mentions
(snippets with the match marked, in bold).

Times are written in the outlet's zone (+03:00). Entries are Arabic (``xml:lang="ar"``); their
summaries are XHTML with ``dir="rtl"``, the only place where Atom lets a feed say the direction.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree
from sqlite_utils import Database

from crawler.articles import get_version
from crawler.dates import OUTLET_TZ
from crawler.fingerprint import canonical_url
from monitor import __version__
from monitor.alerttext import SNIPPET_MARK
from monitor.store import has_monitor_tables
from monitor.watches import WatchStoreError, get_watch

ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
DEFAULT_LIMIT = 100
MAX_SNIPPETS = 3

# Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF): a scraped
# title holding one must not make the whole feed unwritable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str
    watch: str
    title: str
    url: str | None
    published: datetime | None  # the article's publication time
    updated: datetime  # when the alert was raised
    kind: str  # new | changed
    version: int
    section: str | None
    authors: tuple[str, ...]
    snippets: tuple[str, ...]  # the match in [[…]]
    changes: tuple[str, ...]  # for an edit: "headline changed: old → new", ...


def entry_id(article_key: str, version: int, watch: str) -> str:
    """A URN that names one alert for good: the same article, version and watch give the same
    id in every feed, from every run."""
    name = f"newsmon:alert:{article_key}:v{version}:{watch}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def feed_id(watch: str | None) -> str:
    name = "newsmon:alerts" + (f":watch:{watch}" if watch else "")
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def feed_title(watch: str | None) -> str:
    return f"newsmon — تنبيهات: {watch}" if watch else "newsmon — كل التنبيهات"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rfc3339(moment: datetime) -> str:
    """``2026-08-15T21:56:19+03:00``: the outlet's time, with its offset."""
    return _aware(moment).astimezone(OUTLET_TZ).isoformat(timespec="seconds")


def check_watch(db: Database, watch: str | None) -> None:
    """An unknown watch name is the user's mistake: one clear error."""
    if watch is not None and get_watch(db, watch) is None:
        raise WatchStoreError(f"no watch named {watch!r} (see: newsmon watch list)")


_ALERTS = (
    "SELECT a.article_id, a.version, min(a.id) AS first_id, min(a.created_at) AS created_at,"
    " coalesce(w.name, json_extract(a.info, '$.watch')) AS watch, a.info"
    " FROM alerts a LEFT JOIN watches w ON w.id = a.watch_id"
    " WHERE a.kind = 'match' AND a.article_id IS NOT NULL{where}"
    " GROUP BY a.watch_id, a.article_id, a.version"
    " ORDER BY julianday(min(a.created_at)) DESC, first_id DESC LIMIT ?"
)


def entries(
    db: Database, *, watch: str | None = None, limit: int = DEFAULT_LIMIT
) -> list[FeedEntry]:
    """The newest ``limit`` alerts (all, or ``watch``'s), newest first, one per watch and
    article version whatever the number of targets it went to."""
    check_watch(db, watch)
    if not has_monitor_tables(db):
        return []
    where, params = "", []
    if watch is not None:
        where = " AND coalesce(w.name, json_extract(a.info, '$.watch')) = ?"
        params.append(watch)
    rows = db.execute(_ALERTS.format(where=where), [*params, limit]).fetchall()
    found = (_entry(db, r[0], r[1], r[3], r[4], r[5]) for r in rows)
    return [e for e in found if e is not None]


def _entry(
    db: Database, article_id: int, number: int, created: str, watch: str, info_json: str | None
) -> FeedEntry | None:
    info = json.loads(info_json) if info_json else {}
    version = get_version(db, article_id, number)
    if version is None and not info:
        return None
    if version is not None:
        article = version.article
        title, url, published = article.title, article.url, article.published_at
        section, authors = article.section, article.authors
        key = f"node:{article.node_id}" if article.node_id else url or f"article:{article_id}"
    else:
        title, url, section, authors = info.get("title") or "", info.get("url"), None, ()
        published = (
            datetime.fromisoformat(info["published_at"]) if info.get("published_at") else None
        )
        key = url or f"article:{article_id}"
    mentions = info.get("mentions") or []
    return FeedEntry(
        id=entry_id(key, number, watch),
        watch=watch,
        title=title or url or "",
        url=canonical_url(url) if url and "://" in url else url,
        published=published,
        updated=datetime.fromisoformat(created),
        kind=str(info.get("kind") or ("changed" if number > 1 else "new")),
        version=number,
        section=section,
        authors=tuple(authors),
        snippets=tuple(m["snippet"] for m in mentions if m.get("snippet"))[:MAX_SNIPPETS],
        changes=tuple(info.get("changes") or ()),
    )


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _marked(parent: etree._Element, snippet: str) -> None:
    """The snippet as XHTML text in ``parent``, each ``[[match]]`` as <strong>."""
    last: etree._Element | None = None
    position = 0
    for m in SNIPPET_MARK.finditer(snippet):
        before = _text(snippet[position : m.start()])
        if last is None:
            parent.text = (parent.text or "") + before
        else:
            last.tail = (last.tail or "") + before
        last = etree.SubElement(parent, f"{{{XHTML}}}strong")
        last.text = _text(m.group(1))
        position = m.end()
    rest = _text(snippet[position:])
    if last is None:
        parent.text = (parent.text or "") + rest
    else:
        last.tail = (last.tail or "") + rest


def _summary(entry_el: etree._Element, entry: FeedEntry) -> None:
    summary = _add(entry_el, "summary", type="xhtml")
    div = etree.SubElement(summary, f"{{{XHTML}}}div", dir="rtl", nsmap={None: XHTML})
    for snippet in entry.snippets:
        # The direction on each paragraph too: readers drop the wrapping div (RFC 4287 4.1.3.3).
        _marked(etree.SubElement(div, f"{{{XHTML}}}p", dir="rtl"), snippet)
    if entry.kind == "changed":
        # English labels and Arabic text side by side: each line takes its own direction.
        edited = etree.SubElement(div, f"{{{XHTML}}}p", dir="auto")
        edited.text = f"edited (v{entry.version})"
        for change in entry.changes:
            line = etree.SubElement(div, f"{{{XHTML}}}p", dir="auto")
            line.text = _text(change)
    if len(div) == 0:
        etree.SubElement(div, f"{{{XHTML}}}p", dir="rtl").text = _text(entry.title)


def render(
    items: Sequence[FeedEntry],
    *,
    watch: str | None = None,
    self_url: str | None = None,
    alternate_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The feed as UTF-8 XML."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(XML_LANG, "ar")
    _add(root, "id", feed_id(watch))
    _add(root, "title", feed_title(watch))
    _add(
        root,
        "subtitle",
        "Watchlist alerts from the Al-Araby Al-Jadeed archive, newest first.",
        **{XML_LANG: "en"},
    )
    newest = max((e.updated for e in items), default=None) or now or datetime.now(UTC)
    _add(root, "updated", rfc3339(newest))
    _add(root, "generator", "newsmon", version=__version__)
    author = _add(root, "author")
    _add(author, "name", "newsmon")
    if self_url:
        _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    if alternate_url:
        _add(root, "link", rel="alternate", type="text/html", href=alternate_url)
    for entry in items:
        el = _add(root, "entry")
        el.set(XML_LANG, "ar")
        _add(el, "id", entry.id)
        _add(el, "title", entry.title, type="text")
        if entry.url:
            _add(el, "link", rel="alternate", type="text/html", href=entry.url)
        if entry.published:
            _add(el, "published", rfc3339(entry.published))
        _add(el, "updated", rfc3339(entry.updated))
        for name in entry.authors:
            if name.strip():
                _add(_add(el, "author"), "name", name)
        _add(el, "category", term=entry.watch, label=entry.watch)
        _summary(el, entry)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def build(
    db: Database,
    *,
    watch: str | None = None,
    limit: int = DEFAULT_LIMIT,
    self_url: str | None = None,
    alternate_url: str | None = None,
) -> bytes:
    """The feed of the archive's alerts (all, or ``watch``'s)."""
    items = entries(db, watch=watch, limit=limit)
    return render(items, watch=watch, self_url=self_url, alternate_url=alternate_url)
