"""The article page in the outlet's layouts: the 2020 Drupal theme, the 2024 redesign, and a
broken layout no parser version knows (for the fallback extractor)."""

from __future__ import annotations

from html import escape

from monitor.replica.data import OUTLET_TZ, Block, ReplicaArticle, Snapshot
from monitor.replica.markup import display_date, link, relative_date, text_html


def _body_html(blocks: tuple[Block, ...], snap: Snapshot, base: str, v2024: bool) -> str:
    out = []
    for b in blocks:
        if b.kind == "p":
            out.append(f"<p>{text_html(b.text)}</p>")
        elif b.kind == "h":
            out.append(f"<h3>{text_html(b.text)}</h3>")
        elif b.kind == "quote":
            cls = "article-quote" if v2024 else "pull-quote"
            out.append(f'<blockquote class="{cls}"><p>&nbsp;{text_html(b.text)}</p></blockquote>')
        elif b.kind == "tweet":
            out.append(
                '<blockquote class="twitter-tweet"><p lang="ar" dir="rtl">'
                f'{text_html(b.text)} <a href="https://t.co/x">{escape(b.link)}</a></p>'
                f"&mdash; {escape(b.by)} (@{escape(b.handle)}) "
                f'<a href="https://twitter.com/{escape(b.handle)}/status/1">{escape(b.date)}</a>'
                '</blockquote>\n<script async src="https://platform.twitter.com/widgets.js">'
                "</script>"
            )
        elif b.kind == "deeper":
            cls = "article-deeper" if v2024 else "deeper-box"
            out.append(
                f'<div class="{cls}"><span class="{cls}__label">تعمق أكثر</span> '
                f'<a href="{link(snap, base, b.href)}">{escape(b.text)}</a></div>'
            )
        elif b.kind == "related":
            cls = "article-related" if v2024 else "related-box"
            links = "".join(
                f'<li><a href="{link(snap, base, href)}">{escape(title)}</a></li>'
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


def v2020(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    tags = "".join(
        f'<div class="field__item"><a href="{link(snap, base, "/tag/" + t)}">{escape(t)}</a></div>'
        for t in article.tags
    )
    related = "".join(
        f'<li><a href="{link(snap, base, href)}">{escape(title)}</a></li>'
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
        f'<div class="breadcrumb"><a href="{link(snap, base, "/" + article.section)}">'
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


def v2024(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    summary = ""
    if article.summary:
        points = "".join(f"<li>{escape(s)}</li>" for s in article.summary)
        summary = (
            '<div class="article-summary"><button class="article-summary__toggle">اظهر الملخص'
            f'</button><ul class="article-summary__points">{points}</ul></div>\n'
        )
    tags = "".join(
        f'<a href="{link(snap, base, "/tag/" + t)}">{escape(t)}</a>' for t in article.tags
    )
    related = "".join(
        f'<li><a href="{link(snap, base, href)}">{escape(title)}</a></li>'
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
        f'<a class="article-header__section" href="{link(snap, base, "/" + article.section)}">'
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


def broken(article: ReplicaArticle, snap: Snapshot, base: str) -> str:
    """A layout no parser version knows: new class names, no structured data."""
    local = article.published.astimezone(OUTLET_TZ)
    shown = relative_date(article.published, snap.now())
    when = shown or f"{display_date(article.published)} - {local:%H:%M}"
    paragraphs = "\n".join(
        f"<p>{text_html(b.text)}</p>" for b in article.body if b.kind in ("p", "h") and b.text
    )
    return (
        '<div class="nx-shell"><div class="nx-story">\n'
        f'<h1 class="nx-headline">{escape(article.title)}</h1>\n'
        f'<div class="nx-stamp">نُشر في {escape(when)}</div>\n'
        f'<div class="nx-copy">\n{paragraphs}\n</div>\n</div></div>\n'
    )
