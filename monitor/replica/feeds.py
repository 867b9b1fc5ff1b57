"""The replica's machine-readable files: RSS feeds in exactly the real feed's format, the
sitemap index and its pages (plain and gzip, with Google News fields), and robots.txt.

The RSS template reproduces ``shared/outlet/rss-politics-sample.xml`` byte for byte, down to the
indentation its CMS template leaves: the header, each item, and the footer. ``content:encoded``
is the body as plain text the way the CMS writes it: blocks separated by a blank line,
entities escaped inside the CDATA (``&quot;``, ``&amp;nbsp;``), a pull-quote wrapped in one more
newline on each side, an empty embed leaving only its separators; then a second CDATA with the
image.
"""

from __future__ import annotations

import gzip
from email.utils import format_datetime
from html import escape
from xml.sax.saxutils import escape as xml_escape

from monitor.replica.data import OUTLET_TZ, Block, ReplicaArticle, Snapshot
from monitor.replica.markup import encode_path

RSS_NAMESPACES = (
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:media="http://search.yahoo.com/mrss/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:foaf="http://xmlns.com/foaf/0.1/" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"'
)
DESK_CREATOR = "AlAraby AlJadeed - العربي الجديد"


def guid(node: str) -> str:
    return f"{node}ab-cd-{node}-ef-gh-{node}"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _plain(text: str) -> str:
    """Text inside content:encoded: entities escaped as the CMS leaves them."""
    out = (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#039;")
    )
    return out.replace("\u00a0", "&amp;nbsp;")


def _block_text(block: Block) -> str:
    if block.kind in ("p", "h"):
        return _plain(block.text)
    if block.kind == "quote":
        return "\n&amp;nbsp;" + _plain(block.text) + "\n"
    if block.kind == "tweet":
        return (
            f"{_plain(block.text)} {block.link} — {_plain(block.by)} (@{block.handle}) {block.date}"
        )
    if block.kind == "deeper":
        return "تعمق أكثر\n\n" + _plain(block.text)
    if block.kind == "related":
        return "\n".join(["اقرأ أيضاً", *(_plain(title) for title, _ in block.items)])
    return ""  # an embed: nothing but its separators


def feed_body(article: ReplicaArticle) -> str:
    if article.feed_body:
        return article.feed_body
    return "\n\n".join(_block_text(b) for b in article.body) + "\n"


def creator(article: ReplicaArticle) -> str:
    if article.creator:
        return article.creator
    return "، ".join(article.authors) if article.authors else DESK_CREATOR


def rss_item(article: ReplicaArticle, canonical: str) -> str:
    link = canonical + encode_path(article.path)
    lines = [
        "      ",
        "              <item>",
        f'          <guid isPermaLink="false">{guid(article.node)}</guid>',
        f"          <link>{xml_escape(link)}</link>",
        f"          <title>{cdata(article.title)}</title>",
    ]
    image = article.image
    if image:
        url = xml_escape(image.url)
        caption = f"{image.caption} ({image.credit})" if image.credit else image.caption
        lines += [
            f'          <media:content url="{url}" type="image/jpeg" expression="full">',
            f'            <media:description type="plain">{xml_escape(caption)}'
            "</media:description>",
            '            <media:credit role="author" scheme="urn:ebu">',
            f"              {cdata(' Free / ')}",
            "            </media:credit>",
            "          </media:content>",
            f'                      <enclosure url="{url}" length="0" type="image/jpeg"/>',
        ]
    lines += [
        f"                    <description>{cdata(article.standfirst)}</description>",
        "          <content:encoded>",
        f"            {cdata(feed_body(article))}",
    ]
    if image:
        img = cdata(f'<div><img src="{escape(image.url)}" /></div>')
        lines.append(f"                          {img}")
    lines += [
        "                      </content:encoded>",
        f"          <dc:creator>{xml_escape(creator(article))}</dc:creator>",
        f"          <category>{cdata(article.category)}</category>",
        f"          <pubDate>{format_datetime(article.published.astimezone(OUTLET_TZ))}</pubDate>",
        "        </item>",
        "",
    ]
    return "\n".join(lines) + "\n"


def rss(snap: Snapshot, section: str | None) -> str:
    site = snap.site
    self_url = f"{site.canonical}/rss" + (f"/{section}" if section else "")
    limit = site.feed_items if section else site.full_feed_items
    items = "".join(rss_item(a, site.canonical) for a in snap.newest(section)[:limit])
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<rss {RSS_NAMESPACES}   version="2.0" xml:base="{site.canonical}" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n'
        '    <channel xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'    <atom:link href="{self_url}" rel="self" type="application/rss+xml" />\n'
        f"    <title>{xml_escape(site.name)}</title>\n"
        f"    <link>{site.canonical}</link>\n"
        f"    <description>{xml_escape(site.description)}</description>\n"
        "    <language>ar</language>\n"
    )
    return head + items + "      \n            \n      </channel>\n</rss>\n"


def robots(snap: Snapshot) -> str:
    text = snap.site.robots.replace("{canonical}", snap.site.canonical)
    return text if text.endswith("\n") else text + "\n"


def _pages(snap: Snapshot) -> list[list[ReplicaArticle]]:
    ordered = sorted(snap.published, key=lambda a: int(a.node) if a.node.isdigit() else 0)
    size = snap.site.sitemap_page_size
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def sitemap_index(snap: Snapshot) -> str:
    site = snap.site
    rows = []
    for number, chunk in enumerate(_pages(snap), start=1):
        lastmod = max(a.modified for a in chunk).isoformat()
        rows.append(
            f"  <sitemap>\n    <loc>{site.canonical}/sitemap.xml?page={number}</loc>\n"
            f"    <lastmod>{lastmod}</lastmod>\n  </sitemap>\n"
        )
    if site.news_sitemap and snap.published:
        rows.append(
            f"  <sitemap>\n    <loc>{site.canonical}/sitemaps/news.xml.gz</loc>\n  </sitemap>\n"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(rows)
        + "</sitemapindex>\n"
    )


def sitemap_page(snap: Snapshot, number: int) -> str | None:
    pages = _pages(snap)
    if not 1 <= number <= len(pages):
        return None
    canonical = snap.site.canonical
    rows = "".join(
        f"  <url>\n    <loc>{xml_escape(canonical + encode_path(a.path))}</loc>\n"
        f"    <lastmod>{a.modified.isoformat()}</lastmod>\n"
        "    <changefreq>daily</changefreq>\n    <priority>0.5</priority>\n  </url>\n"
        for a in pages[number - 1]
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n"
    )


NEWS_ITEMS = 5


def news_sitemap(snap: Snapshot) -> bytes:
    """A gzip-compressed Google News sitemap of the newest articles."""
    canonical = snap.site.canonical
    rows = "".join(
        f"  <url>\n    <loc>{xml_escape(canonical + encode_path(a.path))}</loc>\n"
        "    <news:news>\n      <news:publication>\n"
        f"        <news:name>{xml_escape(snap.site.name)}</news:name>\n"
        "        <news:language>ar</news:language>\n      </news:publication>\n"
        f"      <news:publication_date>{a.published.isoformat()}</news:publication_date>\n"
        f"      <news:title>{xml_escape(a.title)}</news:title>\n    </news:news>\n  </url>\n"
        for a in snap.newest()[:NEWS_ITEMS]
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + rows + "</urlset>\n"
    )
    # mtime=0: the same content compresses to the same bytes, so its ETag stays put.
    return gzip.compress(text.encode("utf-8"), mtime=0)
