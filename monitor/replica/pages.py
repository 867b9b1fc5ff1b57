"""The replica's HTML: article pages in the outlet's two layouts (and a broken one), and
section listings in the markup seen on a mirror.

The markup follows what is known or typical of the site's Drupal 8 theme
(``shared/outlet/README.md``): JSON-LD ``NewsArticle``, OpenGraph and ``article:*`` meta, a
``shortlink`` to ``/node/<nid>``, one ``h1``, the display date, the main figure with caption
and credit, the ``+ الخط -`` widget, the body field, a related-links box, tags and the
contributors block. It is written here independently of the crawler's selectors.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape

from monitor.replica import layouts
from monitor.replica.data import OUTLET_TZ, ReplicaArticle, Snapshot
from monitor.replica.markup import encode_path, link

# Pages of articles published from this day on use the 2024 redesign.
REDESIGN = date(2024, 1, 1)


def layout_of(article: ReplicaArticle, snap: Snapshot) -> str:
    chosen = article.layout if article.layout != "auto" else snap.site.layout
    if chosen != "auto":
        return chosen
    return "v2020" if article.published.astimezone(OUTLET_TZ).date() < REDESIGN else "v2024"


def article_page(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    layout = layout_of(article, snap)
    head = _head(article, snap, with_structured=layout != "broken")
    render = {"v2020": layouts.v2020, "v2024": layouts.v2024, "broken": layouts.broken}[layout]
    body = render(article, snap, base)
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n'
        f"{head}</head>\n<body>\n{_header(snap, base)}{body}{_footer()}</body>\n</html>\n"
    )


def _head(article: ReplicaArticle, snap: Snapshot, with_structured: bool) -> str:
    site = snap.site
    url = site.canonical + encode_path(article.path)
    lines = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(article.title)} | {escape(site.name)}</title>",
        f'<link rel="canonical" href="{escape(url)}">',
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta property="og:url" content="{escape(url)}">',
    ]
    if with_structured:
        lines += [
            f'<link rel="shortlink" href="{escape(site.canonical)}/node/{article.node}">',
            f'<meta name="description" content="{escape(article.standfirst)}">',
            f'<meta property="og:site_name" content="{escape(site.name)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:description" content="{escape(article.standfirst)}">',
            f'<meta property="article:section" content="{escape(snap.label(article.section))}">',
            *(f'<meta property="article:tag" content="{escape(t)}">' for t in article.tags),
            f'<meta property="article:published_time" content="{article.published.isoformat()}">',
            f'<meta property="article:modified_time" content="{article.modified.isoformat()}">',
        ]
        if article.image:
            lines.append(f'<meta property="og:image" content="{escape(article.image.url)}">')
        lines.append(
            '<script type="application/ld+json">'
            + json.dumps(_json_ld(article, snap, url), ensure_ascii=False).replace("</", "<\\/")
            + "</script>"
        )
    return "".join(line + "\n" for line in lines)


def _json_ld(article: ReplicaArticle, snap: Snapshot, url: str) -> dict[str, object]:
    data: dict[str, object] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "name": article.title,
        "description": article.standfirst,
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "articleSection": snap.label(article.section),
        "author": [{"@type": "Person", "name": a} for a in article.authors],
        "publisher": {"@type": "Organization", "name": snap.site.name},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    if article.image:
        data["image"] = {"@type": "ImageObject", "url": article.image.url}
    if article.tags:
        data["keywords"] = ", ".join(article.tags)
    return {"@context": "https://schema.org", "@graph": [data]}


def _header(snap: Snapshot, base: str) -> str:
    items = "".join(
        f'<li><a href="{link(snap, base, "/" + s)}">{escape(label)}</a></li>'
        for s, label in snap.site.sections
    )
    return (
        f'<header class="site-header"><a class="logo" href="{link(snap, base, "/")}">'
        f"{escape(snap.site.name)}</a><nav><ul>{items}</ul></nav></header>\n"
    )


def _footer() -> str:
    return '<footer class="site-footer"><p>© العربي الجديد</p></footer>\n'


def listing_page(section: str, page: int, snap: Snapshot, base: str) -> str | None:
    """``/<section>?page=N``: cards of the newest articles, as a mirror prints them."""
    size = snap.site.listing_page_size
    articles = snap.newest(section)
    chunk = articles[page * size : (page + 1) * size]
    if page > 0 and not chunk:
        return None
    cards = "\n".join(
        '<div class="row bs-2col node node--type-article"><div class="col-sm-8">'
        f'<h2><a href="{link(snap, base, a.path)}">{escape(a.title)}</a></h2>'
        f'<p class="field--name-field-summary">{escape(a.standfirst)}</p></div></div>'
        for a in chunk
    )
    pager = ""
    if (page + 1) * size < len(articles):
        pager = (
            '<nav class="pager"><ul><li class="pager__item pager__item--next">'
            f'<a href="?page={page + 1}" rel="next">التالي</a></li></ul></nav>'
        )
    label = escape(snap.label(section))
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head><meta charset="utf-8">'
        f"<title>{label} | {escape(snap.site.name)}</title></head>\n<body>\n"
        f"{_header(snap, base)}<main><h1>{label}</h1>\n{cards}\n{pager}</main>\n"
        f"{_footer()}</body>\n</html>\n"
    )
