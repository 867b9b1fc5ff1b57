"""A link farm for the resource-ceiling test: thousands of distinct article pages in the outlet's
2024 layout, each linking to its neighbours, listed by a sitemap index of sitemap pages.

Pages are made on request from their number (nothing is held in memory), each with its own
title, node id and body, so the crawler stores every one as a separate article.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from faultserver import XML, Behaviour, FaultServer, Handler, page

CANONICAL = "https://www.alaraby.co.uk"
PER_SITEMAP = 1000
NODE_BASE = 7_000_000
# How the farm is crawled (test and figures alike): no seeding, eight at a time, no throttle.
CRAWL_SETTINGS = {
    "NEWSMON_SEED_ARTICLES": "0",
    "CONCURRENT_REQUESTS": "8",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "AUTOTHROTTLE_ENABLED": "0",
}
# Words for titles and paragraphs.
_VOCABULARY = (
    "الحكومة البرلمان الاقتصاد الموازنة الانتخابات المعارضة الوزير الرئيس المدينة القرية"
    " الجامعة المدرسة المستشفى الطريق الميناء المطار السوق الأسعار الوقود الكهرباء المياه"
    " الزراعة الصناعة التجارة السياحة الثقافة الرواية الشعر المسرح السينما الموسيقى الرياضة"
    " المنتخب الملعب البطولة المدرب اللاعب الجمهور الصحافة التلفزيون الإذاعة المواطنون العمال"
    " النقابة الإضراب الاحتجاج القانون المحكمة القاضي الدستور الحدود اللاجئون الهجرة المساعدات"
    " الشتاء الصيف الأمطار الجفاف الحرارة البحر النهر الجبل الصحراء الغابة اجتماع قرار خطة"
    " مشروع تقرير دراسة بيان مؤتمر حوار اتفاق مفاوضات زيارة"
)
WORDS = _VOCABULARY.split()


def path_of(n: int) -> str:
    return f"/politics/farm-{n}"


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def article(n: int, total: int, *, lead: str = "", before_body: str = "") -> bytes:
    """Page ``n``: its own title, node id and four paragraphs; ``lead`` is a first paragraph,
    ``before_body`` markup put between the headline and the body."""
    rng = random.Random(n)
    title = f"{_words(rng, 6)} {n}"
    paragraphs = (f"<p>{lead}</p>" if lead else "") + "".join(
        f"<p>{_words(rng, 45)}.</p>" for _ in range(4)
    )
    links = "".join(
        f'<li><a href="{path_of((n + k) % total)}">{_words(rng, 4)}</a></li>' for k in (1, 7, 31)
    )
    published = (datetime(2026, 8, 15, 10, tzinfo=UTC) - timedelta(minutes=n)).isoformat()
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{title} | العربي الجديد</title>"
        f'<link rel="canonical" href="{CANONICAL}{path_of(n)}">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        f'"headline": "{title}", "datePublished": "{published}"}}</script></head><body>'
        f'<article data-history-node-id="{NODE_BASE + n}">'
        f'<h1 class="article-header__title">{title}</h1>{before_body}'
        f'<div class="article-body__content">{paragraphs}</div>'
        f'<ul class="article-related">{links}</ul></article></body></html>'
    ).encode()


def sitemap_index(total: int) -> bytes:
    pages = (total + PER_SITEMAP - 1) // PER_SITEMAP
    rows = "".join(
        f"<sitemap><loc>{CANONICAL}/sitemap.xml?page={i}</loc></sitemap>"
        for i in range(1, pages + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    ).encode()


def sitemap_page(i: int, total: int) -> bytes:
    first = (i - 1) * PER_SITEMAP
    rows = "".join(
        f"<url><loc>{CANONICAL}{path_of(n)}</loc><lastmod>2026-08-15</lastmod></url>"
        for n in range(first, min(total, first + PER_SITEMAP))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'
    ).encode()


def farm(server: FaultServer, total: int, article_every: int = 1) -> FaultServer:
    """Route a farm of ``total`` pages on ``server``: every ``article_every``-th page an
    article, the others dead links (404), as a link farm has them."""
    gone = b"<html><body>404</body></html>"

    def articles(h: Handler) -> None:
        n = h.path.split("?", 1)[0].rsplit("-", 1)[-1]
        if n.isdigit() and int(n) < total and int(n) % article_every == 0:
            page(article(int(n), total))(h)
        else:
            page(gone, code=404)(h)

    def sitemaps(h: Handler) -> None:
        query = h.path.partition("?")[2]
        if query.startswith("page="):
            page(sitemap_page(int(query[5:]), total), XML)(h)
        else:
            page(sitemap_index(total), XML)(h)

    routes: dict[str, Behaviour] = {"/politics/farm-*": articles, "/sitemap.xml": sitemaps}
    for path, behaviour in routes.items():
        server.route(path, behaviour)
    return server
