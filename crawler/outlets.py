"""Everything newsmon knows about the outlet, in one place to check and change.

Facts come from ``shared/outlet/README.md``: **[real]** seen in a real capture, **[reported]**
by other projects, **[guess]** typical of the site's Drupal CMS and still to be confirmed live.
Code elsewhere reads these values; it never spells a host, path or selector of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class PageLayout:
    """One version of the article page's markup, and the CSS selectors that read it.

    A layout change on the site is a new ``PageLayout`` with the date it took effect, never an
    ``if`` in the parser. Selectors may list alternatives separated by commas.
    """

    name: str
    # Articles published on or after this day carry this markup (until the next layout's day).
    since: date
    title: str
    byline: str  # an opinion writer's one-line bio under the title
    date: str  # the element holding the display date
    figure: str  # the main image's figure
    image: str  # inside the figure
    caption: str  # inside the figure; may hold "caption (credit)" in one string
    credit: str  # inside the figure, when the credit has an element of its own
    summary: str  # the summary bullets (one element per bullet)
    body: str
    # Inside the body, elements that are not body text: pull-quotes, pasted tweets, the
    # related-links box, the "تعمق أكثر" box, ads and embeds.
    body_noise: tuple[str, ...]
    tags: str  # one element per tag
    authors: str  # one element per contributor
    category: str  # the sub-section label (أخبار, تقارير عربية, ...)
    node: str  # an element whose data-history-node-id attribute is the Drupal node id


@dataclass(frozen=True, slots=True)
class ListingLayout:
    """Section listing pages (discovery of last resort) [real, seen on a mirror]."""

    card: str
    link: str  # inside a card: the article link
    teaser: str  # inside a card
    next_page: str  # the pager's link to the next page
    # Listings load more with ?page=N (Drupal's pager) [guess].
    page_param: str


@dataclass(frozen=True, slots=True)
class TextMarkers:
    """Fixed strings the outlet prints around its text."""

    font_widget: str  # "+ الخط -": the font-size widget above the body [real]
    summary_toggle: str  # "اظهر الملخص": opens the 2024+ summary bullets [real]
    deeper_label: str  # "تعمق أكثر": labels a related article inside the body [real]
    contributors_label: str  # "المساهمون": heads the contributors block [real]
    # dc:creator / author values that mean "the newsroom", not a person [real].
    desk_authors: tuple[str, ...]
    desk_author: str  # how desk copy's author is stored
    # Suffixes the <title> element adds to the headline [guess].
    title_suffixes: tuple[str, ...]
    # Headings of related-links boxes inside the body [guess: the usual Arabic labels].
    related_labels: tuple[str, ...]
    # media:credit is "<rights> / <credit>"; these rights words are not a credit [real: " Free / "].
    image_rights: tuple[str, ...] = ()
    # What introduces the update time in a date line [guess: the usual Arabic wording].
    updated_labels: tuple[str, ...] = ("آخر تحديث", "تم التحديث", "حُدّث في", "تحديث")
    # An advertising slot's label, alone on its line inside the body [guess].
    ad_labels: tuple[str, ...] = ("إعلان", "إعلانات", "advertisement")


@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    # The canonical origin every stored URL uses [real].
    base_url: str
    canonical_host: str
    # Hosts that are the outlet itself: the canonical host, the bare domain, and mirrors that
    # serve the same paths [real].
    own_hosts: frozenset[str]
    # Sections seen in article URLs [real]; sport/medianews/blogs are likely [guess].
    sections: tuple[str, ...]
    # Feeds: /rss/<section> [real] (~40 newest items), /rss the full site [reported].
    full_feed_path: str
    section_feed_path: str  # formatted with section=
    # robots.txt and the sitemap index [guess: Drupal's usual paths].
    robots_path: str
    sitemap_path: str
    # Section listing pages, the discovery of last resort [real paths].
    listing_path: str  # formatted with section=
    # Feed guid: "<nid>ab-cd-<nid>-ef-gh-<nid>" [real]; the node id is the stable identity.
    guid_pattern: re.Pattern[str]
    # Local time of the outlet's dates [real: pubDate +0300].
    utc_offset_hours: int
    # Query parameters that only track the reader and never change the page.
    tracking_params: tuple[str, ...] = field(default=())
    tracking_prefixes: tuple[str, ...] = field(default=())
    # Query parameters that ask for another rendering of the same page (AMP, print, Drupal's
    # AJAX wrapper, Google's AMP viewer) and parameters at their default value (Drupal's pager
    # counts from page=0): the page is the same article without them.
    view_params: tuple[str, ...] = field(default=())
    default_params: tuple[tuple[str, str], ...] = field(default=())
    # Path forms of those renderings: /amp/<path>, /<path>/amp (Drupal's AMP module [real
    # module behaviour]) and /print/<path>, /<path>/print (print views [guess]).
    view_prefixes: tuple[str, ...] = field(default=())
    view_suffixes: tuple[str, ...] = field(default=())
    # Drupal's front controller answers /index.php/<path> with the page at <path>, and
    # /<path>/index.html is a common hand-made form of <path> [Drupal behaviour].
    front_controller: str = "/index.php"
    index_files: tuple[str, ...] = ("index.php", "index.html", "index.htm")
    # Pre-2020 article paths /<section>/<YYYY>/<M>/<D>/<slug> [real]; month and day unpadded
    # [real], a zero-padded copy is the same path.
    dated_path: re.Pattern[str] = re.compile(
        r"^/(?P<section>[^/]+)/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<slug>[^/]+)$"
    )
    # Article page layouts, oldest first; the one in force on a page's date parses it.
    layouts: tuple[PageLayout, ...] = field(default=())
    listing: ListingLayout | None = None
    markers: TextMarkers | None = None
    # Drupal's <link rel="shortlink" href="/node/<nid>"> names the node id [guess: Drupal 8].
    node_path_pattern: re.Pattern[str] = re.compile(r"/node/(?P<nid>\d+)(?:$|[/?#])")
    # Other guid forms a Drupal feed gives, should the site's Views change [guess]: the bare node
    # id, Drupal 7's "<nid> at <base url>", the node's URL or an Atom id ending in node/<nid>.
    guid_fallbacks: tuple[re.Pattern[str], ...] = (
        re.compile(r"^\s*(?P<nid>\d{1,12})\s*$"),
        re.compile(r"^\s*(?P<nid>\d{1,12})\s+at\s+https?://\S+\s*$"),
        re.compile(r"^\s*\S*?(?:^|[/:])node/(?P<nid>\d{1,12})/?\s*$"),
    )
    # Section labels as pages and feeds print them, mapped to URL sections [real labels].
    section_labels: tuple[tuple[str, str], ...] = field(default=())
    # Path prefixes that are never articles (tags, topics, authors, feeds, files) [real/guess].
    non_article_prefixes: tuple[str, ...] = field(default=())
    # The single-byte encoding of older Arabic pages, tried when a page is not UTF-8 whatever
    # it declares [guess: Arabic web pages' usual legacy encoding; a sample page uses it].
    legacy_encoding: str = "windows-1256"


# Chrome Drupal themes put inside the text field, whatever the layout [guess: usual class
# names], and elements that are never body text.
THEME_NOISE = (
    "[class*=newsletter]",
    "[class*=advert]",
    "[id^=div-gpt-ad]",
    "ins.adsbygoogle",
    "[class*=share]",
    "[class*=social]",
    ".field--name-field-tags",
    "[class*=read-also]",
    "[class*=related]",
    "script",
    "style",
    "figure",
)

ALARABY = Outlet(
    name="alaraby",
    base_url="https://www.alaraby.co.uk",
    canonical_host="www.alaraby.co.uk",
    own_hosts=frozenset(
        {
            "www.alaraby.co.uk",
            "alaraby.co.uk",
            "aajeg.com",
            "www.aajeg.com",
            "aajsa.com",
            "www.aajsa.com",
            "aajae.co",
            "www.aajae.co",
            # A mobile host is typical of news sites of the site's age [guess: not seen; the
            # site is responsive]. Any other subdomain (english.alaraby.co.uk was the English
            # edition before www.newarab.com) is not the outlet.
            "m.alaraby.co.uk",
        }
    ),
    sections=(
        "politics",
        "economy",
        "society",
        "opinion",
        "culture",
        "sport",
        "medianews",
        "blogs",
    ),
    full_feed_path="/rss",
    section_feed_path="/rss/{section}",
    robots_path="/robots.txt",
    sitemap_path="/sitemap.xml",
    listing_path="/{section}",
    guid_pattern=re.compile(r"^\s*(?P<nid>\d+)ab-cd-(?P=nid)-ef-gh-(?P=nid)\s*$"),
    utc_offset_hours=3,
    tracking_params=(
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "_ga",
        "ref",
        "ocid",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "srsltid",
        "gbraid",
        "wbraid",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "xtor",
        "wt_mc",
    ),
    tracking_prefixes=("utm_", "mc_", "pk_", "hsa_"),
    view_params=(
        "amp",
        "_amp",
        "outputtype",
        "print",
        "_wrapper_format",
        "amp_js_v",
        "amp_gsa",
        "usqp",
    ),
    default_params=(("page", "0"),),
    view_prefixes=("/amp", "/print"),
    view_suffixes=("/amp", "/print"),
    layouts=(
        # Drupal 8 theme of 2020-2023 [guess: Drupal's field classes, as the site's CMS uses].
        PageLayout(
            name="v2020",
            since=date(2020, 1, 1),
            title="h1.page-title, h1",
            byline=".field--name-field-author-bio",
            date=".article-date time, .field--name-field-publish-date",
            figure="figure.field--name-field-image, .field--name-field-image figure",
            image="img, amp-img",
            caption="figcaption",
            credit="figcaption .credit",
            summary=".field--name-field-summary-points li",
            body=".field--name-body",
            body_noise=(
                "blockquote.pull-quote",
                "blockquote.twitter-tweet",
                "blockquote.instagram-media",
                "blockquote.tiktok-embed",
                ".fb-post",
                ".related-box",
                ".related-articles",
                ".deeper-box",
                ".ad-slot",
                *THEME_NOISE,
            ),
            tags=".field--name-field-tags a",
            authors=".article-contributors .contributor-name",
            category=".breadcrumb a.category, .field--name-field-category",
            node="article[data-history-node-id]",
        ),
        # The 2024 redesign: summary bullets, separate caption and credit [guess].
        PageLayout(
            name="v2024",
            since=date(2024, 1, 1),
            title="h1.article-header__title",
            byline=".article-header__writer-bio",
            date=".article-header__date .date",
            figure="figure.article-media",
            image="img, amp-img",
            caption=".article-media__caption",
            credit=".article-media__credit",
            summary=".article-summary__points li",
            body=".article-body__content",
            body_noise=(
                ".article-quote",
                "blockquote.twitter-tweet",
                "blockquote.instagram-media",
                "blockquote.tiktok-embed",
                ".fb-post",
                ".article-related",
                ".article-deeper",
                ".article-ad",
                *THEME_NOISE,
            ),
            tags=".article-tags a",
            authors=".article-authors .article-authors__name",
            category=".article-header__category",
            node="[data-history-node-id]",
        ),
    ),
    listing=ListingLayout(
        card="div.row.bs-2col.node",
        link="h2 a",
        teaser="p.field--name-field-summary",
        next_page="a[rel=next], li.pager__item--next a",
        page_param="page",
    ),
    markers=TextMarkers(
        font_widget="+ الخط -",
        summary_toggle="اظهر الملخص",
        deeper_label="تعمق أكثر",
        contributors_label="المساهمون",
        desk_authors=("AlAraby AlJadeed - العربي الجديد", "العربي الجديد", "AlAraby AlJadeed"),
        desk_author="العربي الجديد",
        title_suffixes=(" | العربي الجديد", " - العربي الجديد", " | Alaraby"),
        related_labels=("اقرأ أيضاً", "مواضيع ذات صلة", "شاهد أيضاً", "اقرأ المزيد"),
        image_rights=("Free",),
    ),
    section_labels=(
        ("سياسة", "politics"),
        ("اقتصاد", "economy"),
        ("مجتمع", "society"),
        ("آراء", "opinion"),
        ("رأي", "opinion"),
        ("ثقافة", "culture"),
        ("رياضة", "sport"),
        ("إعلام", "medianews"),
        ("منوعات", "medianews"),
        ("مدونات", "blogs"),
    ),
    non_article_prefixes=(
        "/tag/",
        "/news/",
        "/author/",
        "/rss",
        "/sites/",
        "/search",
        "/user/",
        "/node/",
        "/taxonomy/",
        "/sitemap",
        "/mobile-app",
    ),
)


def node_id_from_guid(guid: str, outlet: Outlet = ALARABY) -> str | None:
    """The Drupal node id in a feed item's guid (``14405285ab-cd-14405285-ef-gh-14405285``, or
    one of the ``guid_fallbacks`` forms)."""
    for pattern in (outlet.guid_pattern, *outlet.guid_fallbacks):
        m = pattern.match(guid or "")
        if m:
            return m.group("nid")
    return None


def layout_for(day: date | None, outlet: Outlet = ALARABY) -> PageLayout:
    """The page layout in force for an article of ``day`` (the newest layout when unknown)."""
    chosen = outlet.layouts[-1]
    if day is None:
        return chosen
    for layout in outlet.layouts:
        if layout.since <= day:
            chosen = layout
    return chosen if chosen.since <= day else outlet.layouts[0]


def section_of_path(path: str, outlet: Outlet = ALARABY) -> str | None:
    """The section named by an article path's first segment (``/politics/<slug>``)."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in outlet.sections else None


def section_for_label(label: str | None, outlet: Outlet = ALARABY) -> str | None:
    """The URL section of a label as pages print it (سياسة → politics)."""
    if not label:
        return None
    label = label.strip()
    if label in outlet.sections:
        return label
    return dict(outlet.section_labels).get(label)
