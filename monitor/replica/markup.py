"""Small helpers every replica page uses: paths as the outlet encodes them, dates as it prints
them, links and escaped body text."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote

from monitor.replica.data import OUTLET_TZ, Snapshot

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


def link(snap: Snapshot, base: str, path: str) -> str:
    prefix = snap.site.link_base if snap.site.link_base else base
    return escape(prefix.rstrip("/") + encode_path(path))


def text_html(value: str) -> str:
    """Body text as the CMS stores it: entities escaped, a non-breaking space as &nbsp;."""
    return escape(value).replace("\u00a0", "&nbsp;").replace("\n", "<br>\n")
