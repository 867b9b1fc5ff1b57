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
from datetime import date, datetime
from html import escape
from urllib.parse import quote

from monitor.replica.data import OUTLET_TZ, Block, ReplicaArticle, Snapshot

MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
REDESIGN = date(2024, 1, 1)


def encode_path(path: str) -> str:
    """A decoded path percent-encoded as the outlet writes it (UTF-8, uppercase hex)."""
    return quote(path, safe="/-_.~!*'();:@&=+$,")


def display_date(moment: datetime) -> str:
    local = moment.astimezone(OUTLET_TZ)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def relative_date(moment: datetime, now: datetime) -> str | None:
    """``منذ ساعتين`` and friends for a page less than a day old, as fresh pages print it."""
    seconds = (now - moment).total_seconds()
    if seconds < 0 or seconds >= 86400:
        return None
    minutes = int(seconds // 60)
    if minutes < 1:
        return "الآن"
    if minutes < 60:
        return _count(minutes, "دقيقة", "دقيقتين", "دقائق")
    return _count(minutes // 60, "ساعة", "ساعتين", "ساعات")


def _count(n: int, one: str, two: str, few: str) -> str:
    if n == 1:
        return f"منذ {one}"
    if n == 2:
        return f"منذ {two}"
    return f"منذ {n} {few if n <= 10 else one}"


def layout_of(article: ReplicaArticle, snap: Snapshot) -> str:
    chosen = article.layout if article.layout != "auto" else snap.site.layout
    if chosen != "auto":
        return chosen
    return "v2020" if article.published.astimezone(OUTLET_TZ).date() < REDESIGN else "v2024"


def article_page(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    layout = layout_of(article, snap)
    head = _head(article, snap, with_structured=layout != "broken")
    body = {"v2020": _v2020, "v2024": _v2024, "broken": _broken}[layout](article, snap, base)
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl">\n<head>\n'
        f"{head}</head>\n<body>\n{_header(snap, base)}{body}{_footer()}</body>\n</html>\n"
    )


def _link(snap: Snapshot, base: str, path: str) -> str:
    prefix = snap.site.link_base if snap.site.link_base else base
    return escape(prefix.rstrip("/") + encode_path(path))


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
        f'<li><a href="{_link(snap, base, "/" + s)}">{escape(label)}</a></li>'
        for s, label in snap.site.sections
    )
    return (
        f'<header class="site-header"><a class="logo" href="{_link(snap, base, "/")}">'
        f"{escape(snap.site.name)}</a><nav><ul>{items}</ul></nav></header>\n"
    )


def _footer() -> str:
    return '<footer class="site-footer"><p>© العربي الجديد</p></footer>\n'


def _text(value: str) -> str:
    """Body text as the CMS stores it: entities escaped, a non-breaking space as &nbsp;."""
    return escape(value).replace("\u00a0", "&nbsp;").replace("\n", "<br>\n")


def _body_html(blocks: tuple[Block, ...], snap: Snapshot, base: str, v2024: bool) -> str:
    out = []
    for b in blocks:
        if b.kind == "p":
            out.append(f"<p>{_text(b.text)}</p>")
        elif b.kind == "h":
            out.append(f"<h3>{_text(b.text)}</h3>")
        elif b.kind == "quote":
            cls = "article-quote" if v2024 else "pull-quote"
            out.append(f'<blockquote class="{cls}"><p>&nbsp;{_text(b.text)}</p></blockquote>')
        elif b.kind == "tweet":
            out.append(
                '<blockquote class="twitter-tweet"><p lang="ar" dir="rtl">'
                f'{_text(b.text)} <a href="https://t.co/x">{escape(b.link)}</a></p>'
                f"&mdash; {escape(b.by)} (@{escape(b.handle)}) "
                f'<a href="https://twitter.com/{escape(b.handle)}/status/1">{escape(b.date)}</a>'
                '</blockquote>\n<script async src="https://platform.twitter.com/widgets.js">'
                "</script>"
            )
        elif b.kind == "deeper":
            cls = "article-deeper" if v2024 else "deeper-box"
            out.append(
                f'<div class="{cls}"><span class="{cls}__label">تعمق أكثر</span> '
                f'<a href="{_link(snap, base, b.href)}">{escape(b.text)}</a></div>'
            )
        elif b.kind == "related":
            cls = "article-related" if v2024 else "related-box"
            links = "".join(
                f'<li><a href="{_link(snap, base, href)}">{escape(title)}</a></li>'
                for title, href in b.items
            )
            out.append(f'<div class="{cls}"><h4>اقرأ أيضاً</h4><ul>{links}</ul></div>')
        elif b.kind == "embed":
            out.append('<div class="ad-slot" data-slot="in-article"></div>')
    return "\n".join(out)


def _figure(article: ReplicaArticle, v2024: bool) -> str:
    image = article.image
    if image is None:
        return ""
    alt = escape(image.caption)
    if v2024:
        credit = f'<span class="article-media__credit">{escape(image.credit)}</span>'
        return (
            f'<figure class="article-media"><img src="{escape(image.url)}" alt="{alt}">'
            f'<figcaption><span class="article-media__caption">{escape(image.caption)}</span>'
            f"{credit if image.credit else ''}</figcaption></figure>\n"
        )
    line = f"{image.caption} ({image.credit})" if image.credit else image.caption
    return (
        '<div class="field field--name-field-image"><figure>'
        f'<img src="{escape(image.url)}" alt="{alt}"><figcaption>{escape(line)}</figcaption>'
        "</figure></div>\n"
    )


def _date_text(article: ReplicaArticle, snap: Snapshot) -> str:
    return (
        article.date_line
        or relative_date(article.published, snap.now())
        or display_date(article.published)
    )


def _list(items: tuple[str, ...], cls: str, inner: str) -> str:
    return "".join(f'<{inner} class="{cls}">{escape(i)}</{inner}>' for i in items)


def _v2020(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    tags = "".join(
        f'<div class="field__item"><a href="{_link(snap, base, "/tag/" + t)}">{escape(t)}</a></div>'
        for t in article.tags
    )
    related = "".join(
        f'<li><a href="{_link(snap, base, href)}">{escape(title)}</a></li>'
        for title, href in article.related
    )
    byline = (
        f'<div class="field field--name-field-author-bio">{escape(article.byline)}</div>\n'
        if article.byline
        else ""
    )
    return (
        f'<main role="main"><article data-history-node-id="{article.node}" '
        'class="node node--type-article node--view-mode-full">\n'
        f'<div class="breadcrumb"><a href="{_link(snap, base, "/" + article.section)}">'
        f"{escape(snap.label(article.section))}</a> "
        f'<a class="category">{escape(article.category)}</a></div>\n'
        f'<h1 class="page-title"><span class="field--name-title">{escape(article.title)}</span>'
        f"</h1>\n{byline}"
        f'<div class="article-date"><time datetime="{article.published.isoformat()}">'
        f"{escape(_date_text(article, snap))}</time></div>\n"
        f"{_figure(article, v2024=False)}"
        '<div class="article-font-size"><button class="font-up">+</button> الخط '
        '<button class="font-down">-</button></div>\n'
        '<div class="clearfix text-formatted field field--name-body field--type-text-with-summary'
        ' field--label-hidden field__item">\n'
        f"{_body_html(article.body, snap, base, v2024=False)}\n</div>\n"
        + (
            f'<div class="related-articles"><h2>مواضيع ذات صلة</h2><ul>{related}</ul></div>\n'
            if related
            else ""
        )
        + '<div class="field field--name-field-tags"><div class="field__label">الكلمات المفتاحية'
        f'</div><div class="field__items">{tags}</div></div>\n'
        '<div class="article-contributors"><div class="contributors-label">المساهمون</div>'
        f"<ul>{_list(article.authors, 'contributor-name', 'li')}</ul></div>\n"
        "</article></main>\n"
    )


def _v2024(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    summary = ""
    if article.summary:
        points = "".join(f"<li>{escape(s)}</li>" for s in article.summary)
        summary = (
            '<div class="article-summary"><button class="article-summary__toggle">اظهر الملخص'
            f'</button><ul class="article-summary__points">{points}</ul></div>\n'
        )
    tags = "".join(
        f'<a href="{_link(snap, base, "/tag/" + t)}">{escape(t)}</a>' for t in article.tags
    )
    related = "".join(
        f'<li><a href="{_link(snap, base, href)}">{escape(title)}</a></li>'
        for title, href in article.related
    )
    byline = (
        f'<p class="article-header__writer-bio">{escape(article.byline)}</p>\n'
        if article.byline
        else ""
    )
    local = article.published.astimezone(OUTLET_TZ)
    return (
        f'<main class="article-page" data-history-node-id="{article.node}">\n'
        '<header class="article-header">'
        f'<a class="article-header__section" href="{_link(snap, base, "/" + article.section)}">'
        f"{escape(snap.label(article.section))}</a>"
        f'<span class="article-header__category">{escape(article.category)}</span>\n'
        f'<h1 class="article-header__title">{escape(article.title)}</h1>\n{byline}'
        f'<div class="article-header__date"><time class="date" '
        f'datetime="{article.published.isoformat()}">{escape(_date_text(article, snap))}</time>'
        f' <span class="time">{local:%H:%M}</span></div>\n</header>\n'
        f"{_figure(article, v2024=True)}"
        '<div class="article-tools"><span class="font-size">+ الخط -</span></div>\n'
        f"{summary}"
        f'<div class="article-body"><div class="article-body__content">\n'
        f"{_body_html(article.body, snap, base, v2024=True)}\n</div></div>\n"
        + (
            f'<aside class="article-more"><h2>اقرأ أيضاً</h2><ul>{related}</ul></aside>\n'
            if related
            else ""
        )
        + f'<div class="article-tags">{tags}</div>\n'
        '<section class="article-authors"><h2>المساهمون</h2>'
        f"{_list(article.authors, 'article-authors__name', 'span')}</section>\n"
        "</main>\n"
    )


def _broken(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    """A layout no parser version knows: new class names, no structured data."""
    local = article.published.astimezone(OUTLET_TZ)
    shown = relative_date(article.published, snap.now())
    when = shown or f"{display_date(article.published)} - {local:%H:%M}"
    paragraphs = "\n".join(
        f"<p>{_text(b.text)}</p>" for b in article.body if b.kind in ("p", "h") and b.text
    )
    return (
        '<div class="nx-shell"><div class="nx-story">\n'
        f'<h1 class="nx-headline">{escape(article.title)}</h1>\n'
        f'<div class="nx-stamp">نُشر في {escape(when)}</div>\n'
        f'<div class="nx-copy">\n{paragraphs}\n</div>\n</div></div>\n'
    )


def listing_page(section: str, page: int, snap: Snapshot, base: str) -> str | None:
    """``/<section>?page=N``: cards of the newest articles, as a mirror prints them."""
    size = snap.site.listing_page_size
    articles = snap.newest(section)
    chunk = articles[page * size : (page + 1) * size]
    if page > 0 and not chunk:
        return None
    cards = "\n".join(
        '<div class="row bs-2col node node--type-article"><div class="col-sm-8">'
        f'<h2><a href="{_link(snap, base, a.path)}">{escape(a.title)}</a></h2>'
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
