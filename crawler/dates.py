"""Dates as the outlet and its sources write them.

Display dates on the page (``11 مايو 2020``, ``13 إبريل/ نيسان 2020``, ``منذ ساعتين``) and
machine dates in feeds and metadata (RFC 822 ``pubDate``, ISO 8601). The outlet publishes in
+03:00; a date without an offset is taken to be in that zone.

dateparser misses several of the outlet's forms (dual month names, Levantine names, Maghrebi
names, bare singular units such as ``منذ ساعة``), so those are parsed here from tables, and
dateparser is only the last resort for anything else.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from crawler.text import fold

log = logging.getLogger(__name__)

OUTLET_TZ = timezone(timedelta(hours=3))

# Month names, written as the outlet writes them; matching uses their folded forms, so every
# hamza spelling (ابريل / أبريل / إبريل) and ة/ه variant is covered by one entry.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "جانفي", "جانفييه", "جانفيي"),
    2: ("فبراير", "شباط", "فيفري", "فبرير"),
    3: ("مارس", "آذار"),
    4: ("أبريل", "ابريل", "إبريل", "نيسان", "أفريل"),
    5: ("مايو", "أيار", "ماي"),
    6: ("يونيو", "يونيه", "حزيران", "جوان"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "يوليوز", "جويلييه"),
    8: ("أغسطس", "آب", "أوت", "غشت"),
    9: ("سبتمبر", "أيلول", "شتنبر"),
    10: ("أكتوبر", "تشرين الأول", "اكتوبر"),
    11: ("نوفمبر", "تشرين الثاني", "نونبر"),
    12: ("ديسمبر", "كانون الأول", "دجنبر"),
}
_MONTHS: dict[str, int] = {fold(name): num for num, names in _MONTH_NAMES.items() for name in names}
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))

# Day, one or two month names (``إبريل/ نيسان``), year, then an optional time. Applied to
# folded text, so digits are ASCII and spellings are unified.
_ABSOLUTE = re.compile(
    rf"(?<!\d)(?P<day>\d{{1,2}})\s*(?P<m1>{_MONTH_ALT})"
    rf"(?:\s*[/\-–]\s*(?P<m2>{_MONTH_ALT}))?\s*[,،]?\s*(?P<year>\d{{4}})(?!\d)"
)
_TIME = re.compile(r"(?<!\d)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?!\d)")
_PM = re.compile(r"(?<!\S)(?:م|مساء|pm)(?!\S)")
_AM = re.compile(r"(?<!\S)(?:ص|صباحا|am)(?!\S)")

# Relative forms: "منذ" / "قبل" + count + unit, singular and dual units standing alone.
_UNITS: dict[str, tuple[str, int]] = {}
for _unit, (_secs, _forms) in {
    "second": (1, ("ثانيه", "ثانيتين", "ثانيتان", "ثوان", "ثواني", "ثانيه")),
    "minute": (60, ("دقيقه", "دقيقتين", "دقيقتان", "دقايق", "دقاءق")),
    "hour": (3600, ("ساعه", "ساعتين", "ساعتان", "ساعات")),
    "day": (86400, ("يوم", "يومين", "يومان", "ايام")),
    "week": (604800, ("اسبوع", "اسبوعين", "اسبوعان", "اسابيع")),
}.items():
    for _f in _forms:
        _UNITS[_f] = (_unit, _secs)
_UNIT_ALT = "|".join(sorted(_UNITS, key=len, reverse=True))
_RELATIVE = re.compile(
    rf"(?:منذ|قبل)\s+(?:(?P<n>\d+)\s*|(?P<half>نصف)\s+)?(?P<unit>{_UNIT_ALT})(?!\w)"
    r"(?:\s+و(?P<frac>نصف|ربع|ثلث))?"
)
# "منذ ساعة ونصف" is an hour and a half; "منذ نصف ساعة" half an hour.
_FRACTIONS = {"نصف": 0.5, "ربع": 0.25, "ثلث": 1 / 3}
_NOW_WORDS = re.compile(r"(?:^|\s)(?:الان|للتو|قبل قليل|منذ قليل)(?:\s|$)")
_YESTERDAY = re.compile(r"(?:^|\s)(?:امس|البارحه)(?:\s|$)")
_TODAY = re.compile(r"(?:^|\s)اليوم(?:\s|$)")


def _dual_count(form: str) -> int:
    return 2 if form.endswith(("تين", "تان", "ين", "ان")) and form not in ("ثواني",) else 1


def parse_display_date(text: str, now: datetime | None = None) -> datetime | None:
    """The moment a display date names, timezone-aware (+03:00 unless the text says otherwise),
    or None when the text holds no date. A date without a time is midnight of that day.
    Relative forms (``منذ ساعتين``, ``أمس``) count back from ``now`` (default: the present)."""
    if not text or not text.strip():
        return None
    folded = " ".join(fold(text).split())
    absolute = _ABSOLUTE.search(folded)
    if absolute:
        return _absolute(absolute, folded)
    relative = _relative(folded, now)
    if relative is not None:
        return relative
    return _dateparser_fallback(text, now)


def _absolute(m: re.Match[str], folded: str) -> datetime | None:
    month = _MONTHS[m.group("m1")]
    second = m.group("m2")
    if second and _MONTHS[second] != month:
        # "13 إبريل/ نيسان" names one month twice; two different months is not a date we trust.
        log.debug("dual month names disagree in %r", folded)
        return None
    try:
        day = date(int(m.group("year")), month, int(m.group("day")))
    except ValueError:
        return None
    hour = minute = sec = 0
    clock = _TIME.search(folded, m.end()) or _TIME.search(folded, 0, m.start())
    if clock:
        hour, minute = int(clock.group("h")), int(clock.group("m"))
        sec = int(clock.group("s") or 0)
        rest = folded[clock.end() : clock.end() + 8]
        if hour < 12 and _PM.search(rest):
            hour += 12
        elif hour == 12 and _AM.search(rest):
            hour = 0
        if hour > 23 or minute > 59 or sec > 59:
            hour = minute = sec = 0
    return datetime(day.year, day.month, day.day, hour, minute, sec, tzinfo=OUTLET_TZ)


def _relative(folded: str, now: datetime | None) -> datetime | None:
    now = (now or datetime.now(UTC)).astimezone(OUTLET_TZ)
    rel = _RELATIVE.search(folded)
    if rel:
        unit = rel.group("unit")
        _name, secs = _UNITS[unit]
        count: float = int(rel.group("n")) if rel.group("n") else _dual_count(unit)
        if rel.group("half"):
            count = 0.5
        count += _FRACTIONS.get(rel.group("frac") or "", 0)
        return now - timedelta(seconds=secs * count)
    if _NOW_WORDS.search(folded):
        return now
    if _YESTERDAY.search(folded):
        return _at_clock(now - timedelta(days=1), folded)
    if _TODAY.search(folded):
        return _at_clock(now, folded)
    return None


def _at_clock(day: datetime, folded: str) -> datetime:
    clock = _TIME.search(folded)
    if not clock:
        return day.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(
        hour=int(clock.group("h")) % 24, minute=int(clock.group("m")) % 60, second=0, microsecond=0
    )


def _dateparser_fallback(text: str, now: datetime | None) -> datetime | None:
    import dateparser  # slow to import: only for forms the tables above do not know

    settings = {
        "TIMEZONE": "+0300",
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    if now is not None:
        settings["RELATIVE_BASE"] = now.astimezone(OUTLET_TZ).replace(tzinfo=None)
    try:
        result = dateparser.parse(text, languages=["ar", "en"], settings=settings)
    except Exception:  # dateparser raises many types on odd input; a miss is what we report
        log.debug("dateparser failed on %r", text, exc_info=True)
        return None
    return result


def _folded_tokens(text: str) -> tuple[str, list[tuple[int, int, int]]]:
    """``text`` folded word by word, joined by single spaces, and for each word its span in the
    folded string and its start and end in ``text`` (to map a match back to what was printed)."""
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for m in re.finditer(r"\S+", text):
        word = fold(m.group()) or "_"
        spans.append((pos, m.start(), m.end()))
        parts.append(word)
        pos += len(word) + 1
    return " ".join(parts), spans


def _original(spans: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int]:
    """The span of ``text`` holding the words of folded offsets ``start``..``end``."""
    first = max(i for i, s in enumerate(spans) if s[0] <= start)
    last = max(i for i, s in enumerate(spans) if s[0] < end)
    return spans[first][1], spans[last][2]


def date_span(text: str) -> str | None:
    """The day-month-year date in a printed date line, as printed (spelling and digits kept),
    without the weekday, time, prefix or a Hijri date around it: ``الخميس 8 يونيو 2023 - 14:30``
    → ``8 يونيو 2023``. None when the line holds no such date."""
    folded, spans = _folded_tokens(text or "")
    m = _ABSOLUTE.search(folded)
    if not m or not spans:
        return None
    start, end = _original(spans, m.start(), m.end())
    printed = text[start:end]
    # A word may carry punctuation around the date ("(8", "2023،").
    return re.sub(r"^\D+|\D+$", "", printed) or None


def split_updated(text: str, labels: tuple[str, ...]) -> tuple[str, str | None]:
    """A date line that also says when the article was updated (``نُشر في 8 يونيو 2023 | آخر
    تحديث: 9 يونيو 2023``) → (the publication part, the update part or None)."""
    folded, spans = _folded_tokens(text or "")
    found = [i for i in (folded.find(fold(label)) for label in labels if label) if i >= 0]
    if not found or not spans:
        return text, None
    at = min(found)
    start, _end = _original(spans, at, at + 1)
    before = text[:start].strip(" |-–،,")
    return (before, text[start:]) if before else (text, None)


def parse_machine_date(text: str | None) -> datetime | None:
    """RFC 822 (feeds) or ISO 8601 (JSON-LD, meta tags, sitemaps), timezone-aware; a value with
    no offset is taken to be in the outlet's zone."""
    if not text or not text.strip():
        return None
    value = text.strip()
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = _w3c_partial(value)
        if parsed is None:
            try:
                parsed = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                parsed = None
            # RFC 5322: "-0000" is UTC, though email.utils returns it without a zone.
            if parsed is not None and parsed.tzinfo is None and _UNKNOWN_ZONE.search(value):
                parsed = parsed.replace(tzinfo=UTC)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=OUTLET_TZ)
    return parsed


# W3C Datetime (sitemaps) allows a year alone or a year and month.
_YEAR_MONTH = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2}))?$")
_UNKNOWN_ZONE = re.compile(r"\s-0000\s*$")


def _w3c_partial(value: str) -> datetime | None:
    m = _YEAR_MONTH.match(value)
    if not m:
        return None
    try:
        return datetime(int(m.group("y")), int(m.group("m") or 1), 1, tzinfo=OUTLET_TZ)
    except ValueError:
        return None


def parse_written_date(text: str | None) -> datetime | None:
    """An absolute date as the outlet writes it in Arabic (``السبت 15 أغسطس 2026 - 21:56``),
    never a relative one: for machine fields that a CMS filled with the display form."""
    if not text or not text.strip():
        return None
    folded = " ".join(fold(text).split())
    found = _ABSOLUTE.search(folded)
    return _absolute(found, folded) if found else None


def format_display_date(moment: datetime) -> str:
    """The outlet's display form of a date: ``11 مايو 2020`` (day, Egyptian month name, year)."""
    local = moment.astimezone(OUTLET_TZ) if moment.tzinfo else moment
    return f"{local.day} {_MONTH_NAMES[local.month][0]} {local.year}"
