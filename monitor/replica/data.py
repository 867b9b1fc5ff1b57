"""The replica's content: a site file and one TOML file per article, re-read when they change.

``seeds/replica/site.toml`` holds what the whole site serves (robots.txt, feed and sitemap sizes,
the page layout, faults to inject); ``seeds/replica/articles/*.toml`` one article each. A test
may edit or add files while the server runs (publish a draft, change a headline): the next
request sees the change. A file caught half-written keeps the previous version.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from monitor.replica.faults import Fault

log = logging.getLogger(__name__)

OUTLET_TZ = timezone(timedelta(hours=3))
LAYOUTS = ("auto", "v2020", "v2024", "broken")
BLOCK_KINDS = ("p", "h", "quote", "tweet", "deeper", "related", "embed")


class ReplicaDataError(ValueError):
    """A data file that cannot be used, named with its path."""


@dataclass(frozen=True, slots=True)
class Block:
    """One element of an article body."""

    kind: str  # p | h | quote | tweet | deeper | related | embed
    text: str = ""
    href: str = ""  # deeper: the related article's path
    by: str = ""  # tweet: the account's display name
    handle: str = ""  # tweet
    date: str = ""  # tweet: as Twitter prints it (August 15, 2026)
    link: str = ""  # tweet: pic.twitter.com/...
    items: tuple[tuple[str, str], ...] = ()  # related: (title, path)


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class ReplicaArticle:
    file: str
    node: str
    section: str
    path: str  # decoded (Arabic) path, e.g. /politics/<slug>
    title: str
    published: datetime
    modified: datetime
    standfirst: str = ""
    category: str = ""
    date_line: str = ""  # how the page prints the date, when not the plain form
    authors: tuple[str, ...] = ()
    creator: str = ""  # dc:creator as the feed prints it
    byline: str = ""
    tags: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    image: Image | None = None
    body: tuple[Block, ...] = ()
    related: tuple[tuple[str, str], ...] = ()  # the box after the body: (title, path)
    feed_body: str = ""  # content:encoded exactly as a real feed printed it, when known
    layout: str = "auto"
    draft: bool = False


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    description: str
    canonical: str
    link_base: str  # where page links point; "" = the server's own URL
    robots: str  # may contain {canonical}
    layout: str
    sitemap: bool
    news_sitemap: bool
    sitemap_page_size: int
    feed_items: int
    full_feed_items: int
    listing_page_size: int
    sections: tuple[tuple[str, str], ...]  # (section, label)
    clock: datetime | None  # a fixed "now" for relative dates; None = the real clock
    faults: tuple[Fault, ...] = ()


@dataclass(frozen=True, slots=True)
class Snapshot:
    site: Site
    articles: tuple[ReplicaArticle, ...]
    version: int = 0

    @property
    def published(self) -> tuple[ReplicaArticle, ...]:
        return tuple(a for a in self.articles if not a.draft)

    def newest(self, section: str | None = None) -> list[ReplicaArticle]:
        found = [a for a in self.published if section is None or a.section == section]
        return sorted(found, key=lambda a: (a.published, a.node), reverse=True)

    def by_path(self, path: str) -> ReplicaArticle | None:
        for article in self.published:
            if article.path == path:
                return article
        return None

    def label(self, section: str) -> str:
        return dict(self.site.sections).get(section, section)

    def now(self) -> datetime:
        return self.site.clock or datetime.now(OUTLET_TZ)


class DataDir:
    """Loads a replica data directory, again whenever one of its files changes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not (self.root / "site.toml").is_file():
            raise ReplicaDataError(f"{self.root}: no site.toml")
        self._lock = threading.Lock()
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._snapshot: Snapshot | None = None
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}

    def snapshot(self) -> Snapshot:
        with self._lock:
            signature = self._scan()
            if self._snapshot is None or signature != self._signature:
                self._snapshot = self._load(self._snapshot)
                self._signature = signature
            return self._snapshot

    def _files(self) -> list[Path]:
        articles = self.root / "articles"
        found = sorted(articles.glob("*.toml")) if articles.is_dir() else []
        return [self.root / "site.toml", *found]

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in self._files():
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            out.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _read(self, path: Path) -> Any:
        st = path.stat()
        key = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(str(path))
        if cached and cached[0] == key:
            return cached[1]
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            if cached:
                log.warning("%s: %s; keeping the previous version", path, exc)
                return cached[1]
            raise ReplicaDataError(f"{path}: {exc}") from None
        self._cache[str(path)] = (key, data)
        return data

    def _load(self, previous: Snapshot | None) -> Snapshot:
        site = site_from(self._read(self.root / "site.toml"))
        articles = []
        for path in self._files()[1:]:
            try:
                articles.append(article_from(path.name, self._read(path)))
            except FileNotFoundError:
                continue
            except (KeyError, TypeError, ValueError) as exc:
                raise ReplicaDataError(f"{path}: {exc}") from None
        return Snapshot(site, tuple(articles), (previous.version + 1) if previous else 1)


def site_from(data: dict[str, Any]) -> Site:
    layout = str(data.get("layout", "auto"))
    if layout not in LAYOUTS:
        raise ReplicaDataError(f"site.toml: layout must be one of {', '.join(LAYOUTS)}")
    faults = tuple(
        Fault(
            path=str(f["path"]),
            status=int(f.get("status", 0)),
            delay=float(f.get("delay", 0)),
            retry_after=str(f.get("retry_after", "")),
            times=int(f.get("times", 0)),
        )
        for f in data.get("faults", [])
    )
    clock = data.get("clock")
    return Site(
        name=str(data.get("name", "العربي الجديد")),
        description=str(data.get("description", "")),
        canonical=str(data.get("canonical", "https://www.alaraby.co.uk")).rstrip("/"),
        link_base=str(data.get("link_base", data.get("canonical", "https://www.alaraby.co.uk"))),
        robots=str(data.get("robots", "User-agent: *\nDisallow:\n")),
        layout=layout,
        sitemap=bool(data.get("sitemap", True)),
        news_sitemap=bool(data.get("news_sitemap", True)),
        sitemap_page_size=max(1, int(data.get("sitemap_page_size", 1000))),
        feed_items=max(1, int(data.get("feed_items", 40))),
        full_feed_items=max(1, int(data.get("full_feed_items", 100))),
        listing_page_size=max(1, int(data.get("listing_page_size", 20))),
        sections=tuple((str(k), str(v)) for k, v in data.get("sections", {}).items()),
        clock=_aware(clock) if clock else None,
        faults=faults,
    )


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"not a date and time: {value!r}")
    return value if value.tzinfo else value.replace(tzinfo=OUTLET_TZ)


def _block(data: dict[str, Any]) -> Block:
    kinds = [k for k in BLOCK_KINDS if k in data]
    if len(kinds) != 1:
        raise ValueError(f"a body block needs exactly one of {', '.join(BLOCK_KINDS)}: {data!r}")
    kind = kinds[0]
    if kind == "related":
        items = tuple((str(i["title"]), str(i["href"])) for i in data["related"])
        return Block("related", items=items)
    return Block(
        kind=kind,
        text=str(data[kind]),
        href=str(data.get("href", "")),
        by=str(data.get("by", "")),
        handle=str(data.get("handle", "")),
        date=str(data.get("date", "")),
        link=str(data.get("link", "")),
    )


def article_from(file: str, data: dict[str, Any]) -> ReplicaArticle:
    published = _aware(data["published"])
    image = data.get("image")
    layout = str(data.get("layout", "auto"))
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    section = str(data["section"])
    path = str(data.get("path") or f"/{section}/{data['slug']}")
    return ReplicaArticle(
        file=file,
        node=str(data["node"]),
        section=section,
        path=path if path.startswith("/") else "/" + path,
        title=str(data["title"]),
        published=published,
        modified=_aware(data.get("modified", published)),
        standfirst=str(data.get("standfirst", "")),
        category=str(data.get("category", "")),
        date_line=str(data.get("date_line", "")),
        authors=tuple(str(a) for a in data.get("authors", ())),
        creator=str(data.get("creator", "")),
        byline=str(data.get("byline", "")),
        tags=tuple(str(t) for t in data.get("tags", ())),
        summary=tuple(str(s) for s in data.get("summary", ())),
        image=Image(str(image["url"]), str(image.get("caption", "")), str(image.get("credit", "")))
        if image
        else None,
        body=tuple(_block(b) for b in data.get("body", ())),
        related=tuple((str(r["title"]), str(r["href"])) for r in data.get("related", ())),
        feed_body=str(data.get("feed_body", "")),
        layout=layout,
        draft=bool(data.get("draft", False)),
    )
