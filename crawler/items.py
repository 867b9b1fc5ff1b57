"""The Article record: the one contract between crawler, store, exports and monitor."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

# Where a field's value came from, most trusted first.
Source = Literal["feed", "structured", "meta", "page", "fallback", "text"]
SOURCES: tuple[Source, ...] = get_args(Source)

# Fields whose values are tuples of strings.
_TUPLE_FIELDS = ("urls", "body", "authors", "tags", "flags")
_DATETIME_FIELDS = ("published_at", "modified_at", "fetched_at")


@dataclass(frozen=True, slots=True)
class Article:
    """One article as the outlet shows it, at one moment.

    Text fields hold the display form (NFC, tashkeel kept). ``body`` is a tuple of paragraphs; a
    line break inside a paragraph (a ``<br>`` on the page) is a single ``\\n`` in it.
    ``sources`` says, per field name, which layer gave the value (``feed`` item, ``structured``
    data, ``meta`` tags, ``page`` selectors, generic ``fallback`` extractor, or a ``text``
    document in the seed layout).
    """

    title: str
    url: str | None = None  # canonical https://www.alaraby.co.uk/... URL, when known
    node_id: str | None = None  # the outlet's CMS (Drupal) node id: the stable identity
    urls: tuple[str, ...] = ()  # every other URL the article was seen under
    section: str | None = None  # URL section: politics, economy, ...
    category: str | None = None  # the sub-section label: أخبار, تقارير عربية, ...
    date_line: str | None = None  # the display date as shown on the page
    published_at: datetime | None = None  # timezone-aware
    modified_at: datetime | None = None  # timezone-aware
    byline: str | None = None  # an opinion writer's one-line bio under the title
    summary: str | None = None  # the standfirst / summary
    image_url: str | None = None
    caption: str | None = None  # the main image caption, without its credit
    credit: str | None = None  # the photographer/agency credit, without parentheses
    body: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[tuple[str, Source], ...] = ()
    flags: tuple[str, ...] = ()  # e.g. "page_unavailable": only the feed's record is known
    fetched_at: datetime | None = None
    parser: str | None = None  # the parser (and version) that produced the record
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in _DATETIME_FIELDS:
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"Article.{name} must be timezone-aware, got {value!r}")
        for name in _TUPLE_FIELDS:
            value = getattr(self, name)
            if not isinstance(value, tuple):
                # Lists are convenient to pass in; the record stays immutable.
                object.__setattr__(self, name, tuple(value))
        if not isinstance(self.sources, tuple):
            object.__setattr__(self, "sources", tuple(dict(self.sources).items()))
        if not isinstance(self.extra, tuple):
            object.__setattr__(self, "extra", tuple(dict(self.extra).items()))
        for name, source in self.sources:
            if source not in SOURCES:
                raise ValueError(f"unknown source {source!r} for field {name!r}")

    def source_of(self, name: str) -> Source | None:
        """Which layer gave field ``name``, if recorded."""
        return dict(self.sources).get(name)

    @property
    def identity(self) -> str | None:
        """The key that makes two records the same article: the node id, else the URL."""
        if self.node_id:
            return f"node:{self.node_id}"
        if self.url:
            return f"url:{self.url}"
        return None

    @property
    def all_urls(self) -> tuple[str, ...]:
        """The canonical URL first, then every other URL, without repeats."""
        seen = dict.fromkeys(u for u in (self.url, *self.urls) if u)
        return tuple(seen)

    def replace(self, **changes: Any) -> Article:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: datetimes as ISO 8601 strings, tuples as lists, sources as a dict."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif f.name in ("sources", "extra"):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        """The inverse of ``to_dict``; unknown keys are an error, so a typo cannot vanish."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown Article fields: {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = dict(data)
        for name in _DATETIME_FIELDS:
            if isinstance(kwargs.get(name), str):
                kwargs[name] = datetime.fromisoformat(kwargs[name])
        for name in ("sources", "extra"):
            if isinstance(kwargs.get(name), Mapping):
                kwargs[name] = tuple(kwargs[name].items())
        return cls(**kwargs)


def merge(primary: Article, secondary: Article) -> Article:
    """``primary`` completed by ``secondary``: every field that ``primary`` lacks (None or empty)
    is taken from ``secondary`` with its source. Used to complete a feed item with its page."""
    changes: dict[str, Any] = {}
    sources = dict(primary.sources)
    other_sources = dict(secondary.sources)
    for f in dataclasses.fields(primary):
        if f.name in ("sources", "flags", "urls", "extra", "parser", "fetched_at"):
            continue
        mine, theirs = getattr(primary, f.name), getattr(secondary, f.name)
        if _empty(mine) and not _empty(theirs):
            changes[f.name] = theirs
            if f.name in other_sources:
                sources[f.name] = other_sources[f.name]
    url = changes.get("url", primary.url)
    changes["urls"] = tuple(u for u in _union(primary.urls, secondary.all_urls) if u != url)
    changes["sources"] = tuple(sources.items())
    changes["extra"] = tuple({**dict(secondary.extra), **dict(primary.extra)}.items())
    return dataclasses.replace(primary, **changes)


def _empty(value: object) -> bool:
    return value is None or value == "" or value == ()


def _union(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(u for group in groups for u in group if u))
