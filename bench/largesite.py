"""A large replica outlet for the crawl benchmarks: thousands of generated articles written as
article TOML files into a copy of seeds/replica (the format of seeds/replica/README.md).

The text is real Arabic news text (the replica's own articles, the sample article and the real
feed item) recombined sentence by sentence, with about one word in seven swapped for another
word of the same text, so that unrelated articles share about as few 5-word shingles as
unrelated news stories do. One article in forty is a follow-up that repeats half the
paragraphs of an earlier one (a related story: near-duplicate detection linked 18 pairs among
the first 1,000 articles, which hold 25 follow-ups), and
many end with an agency sign-off (boilerplate, as on the real site). A quarter of the
articles are from 2019-2023 (the 2020 page layout), the rest from the last weeks (the 2024
layout); node ids grow with the publication date, as the outlet's do.
"""

from __future__ import annotations

import html
import random
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.seedformat import parse  # noqa: E402
from monitor.replica import DEFAULT_DATA, DataDir, Hit, Replica, Snapshot  # noqa: E402
from monitor.replica import server as server_module  # noqa: E402
from monitor.replica.markup import encode_path  # noqa: E402
from monitor.replica.server import Answer  # noqa: E402

OUTLET_TZ = timezone(timedelta(hours=3))
FEED = ROOT / "tests" / "data" / "rss-politics-sample.xml"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
SECTIONS = ("politics", "economy", "society", "opinion", "culture", "sport", "medianews", "blogs")
AUTHORS = (
    *("وليد الحامدي", "هبة سليمان", "محمد أمين", "سلام الجاف", "زيد سرحان", "ريام سعيد"),
    *("عادل النجار", "جمانة فرحات", "أحمد عبد الله", "ليلى الصالح", "مروان ياسين"),
)
DESK = "العربي الجديد"
CREDITS = ("Getty", "فرانس برس", "الأناضول", "رويترز", "العربي الجديد")
CATEGORIES = ("أخبار", "تقارير", "متابعات", "تحقيقات")
SIGN_OFFS = ("(الأناضول، العربي الجديد)", "(العربي الجديد)", "(فرانس برس، رويترز)")
SWAP_RATE = 1 / 7  # share of words replaced by another word of the corpus
FOLLOW_UP_EVERY = 40  # one article in this many repeats half of an earlier one
RECENT_DAYS = 45
PUNCTUATION = '.,،:؛;!؟?"«»()-'  # recent articles are spread over this many days


@dataclass(frozen=True, slots=True)
class LargeSite:
    data: Path  # the replica data directory
    generated: int  # articles written
    paths: tuple[str, ...]  # decoded paths of every published article (seed ones included)


def _corpus_paragraphs() -> list[str]:
    snap = DataDir(DEFAULT_DATA).snapshot()
    paragraphs = [b.text for a in snap.articles for b in a.body if b.kind == "p"]
    paragraphs += [a.standfirst for a in snap.articles if a.standfirst]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        article = parse(path.read_text(encoding="utf-8"))
        paragraphs += list(article.body)
    for item in ET.parse(FEED).getroot().iter("item"):
        node = item.find(CONTENT)
        if node is not None and node.text:
            text = re.sub(r"<[^>]+>", " ", html.unescape(node.text))
            paragraphs += text.split("\n\n")
    return [p.strip() for p in paragraphs if p.strip()]


def _sentences(paragraphs: list[str]) -> list[str]:
    out = []
    for p in paragraphs:
        out += [s.strip() for s in re.split(r"(?<=[.!؟?])\s+|\n", p) if len(s.split()) >= 6]
    return list(dict.fromkeys(out))


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.sentences = _sentences(_corpus_paragraphs())
        self.words = sorted({w for s in self.sentences for w in s.split() if len(w) >= 3})
        self.tags = sorted({w.strip(PUNCTUATION) for w in self.words} - {""})

    def sentence(self) -> str:
        words = self.rng.choice(self.sentences).split()
        return " ".join(
            self.rng.choice(self.words) if self.rng.random() < SWAP_RATE else w for w in words
        )

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 3)))

    def title(self) -> str:
        words = self.sentence().rstrip(".،").split()
        return " ".join(words[: self.rng.randint(6, 11)])


def _slug(title: str, taken: set[str]) -> str:
    base = "-".join(re.sub(r"[^\w\s]", "", title).split()[:9]) or "مقال"
    slug, n = base, 0
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _dates(n: int, rng: random.Random, now: datetime) -> list[datetime]:
    old_start = datetime(2019, 1, 1, tzinfo=OUTLET_TZ)
    old_span = (datetime(2023, 12, 31, tzinfo=OUTLET_TZ) - old_start).total_seconds()
    out = []
    for i in range(n):
        if i % 4 == 0:
            moment = old_start + timedelta(seconds=rng.uniform(0, old_span))
        else:
            moment = now - timedelta(days=rng.uniform(0.05, RECENT_DAYS))
        out.append(moment.replace(microsecond=0))
    return sorted(out)


def _article(
    i: int, published: datetime, maker: TextMaker, taken: set[str], earlier: list[dict[str, Any]]
) -> dict[str, Any]:
    rng = maker.rng
    title = maker.title()
    section = SECTIONS[rng.randrange(len(SECTIONS))]
    desk = rng.random() < 0.3
    paragraphs = [maker.paragraph() for _ in range(rng.randint(5, 12))]
    if earlier and i % FOLLOW_UP_EVERY == FOLLOW_UP_EVERY - 1:
        # A follow-up: half of an earlier story's paragraphs, the rest new.
        source = [b["p"] for b in rng.choice(earlier)["body"] if "p" in b]
        paragraphs = source[: max(1, len(source) // 2)] + paragraphs[: len(source) // 2 + 1]
    body: list[dict[str, str]] = [{"p": p} for p in paragraphs]
    if len(body) > 6 and rng.random() < 0.3:
        body.insert(len(body) // 2, {"h": maker.title()})
    if rng.random() < 0.6:
        body.append({"p": rng.choice(SIGN_OFFS)})
    modified = published + timedelta(minutes=rng.randint(0, 240))
    record: dict[str, Any] = {
        "node": str(15_000_000 + i),
        "section": section,
        "slug": _slug(title, taken),
        "title": title,
        "standfirst": maker.sentence(),
        "category": rng.choice(CATEGORIES),
        "published": published,
        "modified": modified,
        "authors": [DESK] if desk else rng.sample(AUTHORS, rng.choice((1, 1, 1, 2))),
        "tags": rng.sample(maker.tags, rng.randint(1, 4)),
    }
    if rng.random() < 0.7:
        record["image"] = {
            "url": f"https://www.alaraby.co.uk/sites/default/files/styles/meduim_16_9/public/"
            f"{published:%Y-%m}/{15_000_000 + i}.jpg",
            "caption": maker.title(),
            "credit": rng.choice(CREDITS),
        }
    record["body"] = body
    return record


def make_site(
    dest: Path,
    articles: int,
    *,
    seed: int = 20260816,
    sitemap_page_size: int = 1000,
    now: datetime | None = None,
) -> LargeSite:
    """Copy seeds/replica to ``dest`` and add ``articles`` generated articles to it."""
    shutil.copytree(DEFAULT_DATA, dest)
    site_file = dest / "site.toml"
    site = site_file.read_text(encoding="utf-8")
    # Sizes of the real site: feeds of ~40 items (the full feed more), large sitemap files.
    for key, value in (
        ("sitemap_page_size", sitemap_page_size),
        ("feed_items", 40),
        ("full_feed_items", 100),
        ("listing_page_size", 20),
    ):
        site = re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", site)
    site_file.write_text(site, encoding="utf-8")
    rng = random.Random(seed)
    maker = TextMaker(rng)
    taken: set[str] = set()
    written: list[dict[str, Any]] = []
    stamp = now or datetime.now(OUTLET_TZ)
    for i, published in enumerate(_dates(articles, rng, stamp)):
        record = _article(i, published, maker, taken, written[-500:])
        written.append(record)
        path = dest / "articles" / f"g{i:06d}.toml"
        path.write_text(tomli_w.dumps(record), encoding="utf-8")
    snap = DataDir(dest).snapshot()
    return LargeSite(dest, articles, tuple(a.path for a in snap.published))


def fetch_urls(site: LargeSite, base: str, robots: str) -> list[str]:
    """The URLs of every published article that robots.txt lets a crawler fetch."""
    from protego import Protego

    rules = Protego.parse(robots)
    urls = [base.rstrip("/") + encode_path(p) for p in site.paths]
    return [u for u in urls if rules.can_fetch(u, "*")]


class FrozenData(DataDir):
    """The data directory read once. The replica re-reads (stats) every file on each request
    so that tests can edit it live: ~40 ms a request at 3,000 articles, which would make the
    server, not the crawler, what a benchmark measures. The crawl benchmarks change nothing
    while they measure."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self._frozen = super().snapshot()

    def snapshot(self) -> Snapshot:
        return self._frozen


class FastAnswers:
    """Serve the replica's answers from memory once rendered (pages take ~1 ms to render, a
    core's worth at the rates measured here, on a machine with two), and know each answer's
    size for the request log."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self.cache: dict[tuple[str, str], Answer] = {}
        self._route = server_module.route
        replica.server.data = FrozenData(replica.server.data.root)
        server_module.route = self.route

    @staticmethod
    def key(path: str, query: dict[str, list[str]]) -> tuple[str, str]:
        return path, urlencode(sorted(query.items()), doseq=True)

    def route(self, snap: Snapshot, path: str, query: dict[str, list[str]], base: str) -> Answer:
        key = self.key(path, query)
        answer = self.cache.get(key)
        if answer is None:
            answer = self.cache[key] = self._route(snap, path, query, base)
        return answer

    def size(self, hit: Hit) -> int:
        """Bytes of the body the hit was answered with (0 for a 304)."""
        if hit.status == 304 or hit.method == "HEAD":
            return 0
        answer = self.cache.get(self.key(hit.path, parse_qs(hit.query)))
        return len(answer.body) if answer is not None and answer.status == hit.status else 0

    def refresh(self) -> None:
        """Read the data directory again (after the benchmark changed it)."""
        self.replica.server.data = FrozenData(self.replica.server.data.root)
        self.cache.clear()

    def close(self) -> None:
        server_module.route = self._route


def classify(path: str, articles: set[str]) -> str:
    """What a requested path is: robots, feed, sitemap, article, listing or other."""
    if path == "/robots.txt":
        return "robots"
    if path.startswith("/rss"):
        return "feed"
    if path.startswith(("/sitemap", "/sitemaps/")):
        return "sitemap"
    if path in articles:
        return "article"
    if path.strip("/") in SECTIONS:
        return "listing"
    return "other"
