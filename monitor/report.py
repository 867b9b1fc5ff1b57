"""Charts of the archive: mentions per day per watch, and articles per day per section.

matplotlib draws each character as it is given, so Arabic labels are first shaped (joined
letter forms, arabic-reshaper) and put in visual order (python-bidi) before they are drawn.
Days are the outlet's days (+03:00), not UTC days.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from crawler.dates import OUTLET_TZ

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# The outlet's day of a stored ISO timestamp (SQLite turns an offset into UTC first).
LOCAL_DAY = "date(julianday({column}), '+3 hours')"


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ReportData:
    days: tuple[date, ...]
    mentions: tuple[Series, ...] = field(default=())
    sections: tuple[Series, ...] = field(default=())


def visual(text: str) -> str:
    """Text as matplotlib must draw it: Arabic shaped and in visual (left-to-right) order."""
    if not _ARABIC.search(text):
        return text
    from arabic_reshaper import reshape
    from bidi import get_display

    return str(get_display(reshape(text)))


def day_range(days: int, today: date | None = None) -> tuple[date, ...]:
    today = today or datetime.now(OUTLET_TZ).date()
    return tuple(today - timedelta(days=n) for n in range(days - 1, -1, -1))


def _series(rows: Sequence[tuple[str, str, int]], days: tuple[date, ...]) -> tuple[Series, ...]:
    index = {d.isoformat(): i for i, d in enumerate(days)}
    by_label: dict[str, list[int]] = {}
    for day, label, count in rows:
        if day in index:
            by_label.setdefault(label, [0] * len(days))[index[day]] += int(count)
    ordered = sorted(by_label.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    return tuple(Series(label, tuple(counts)) for label, counts in ordered)


def articles_per_section(db: Database, days: tuple[date, ...]) -> tuple[Series, ...]:
    day = LOCAL_DAY.format(column="published_at")
    rows = db.execute(
        f"SELECT {day} AS day, coalesce(section, 'other'), count(*) FROM articles"
        f" WHERE {day} BETWEEN ? AND ? GROUP BY 1, 2",
        [days[0].isoformat(), days[-1].isoformat()],
    ).fetchall()
    return _series(rows, days)


def mentions_per_watch(
    db: Database, days: tuple[date, ...], watches: Sequence[str] = ()
) -> tuple[Series, ...]:
    """Articles matched per day for each watch (by the article's publication day)."""
    if "matches" not in db.table_names() or "watches" not in db.table_names():
        return ()
    day = LOCAL_DAY.format(column="a.published_at")
    where = [f"{day} BETWEEN ? AND ?"]
    params: list[object] = [days[0].isoformat(), days[-1].isoformat()]
    if watches:
        where.append(f"w.name IN ({','.join('?' * len(watches))})")
        params += list(watches)
    rows = db.execute(
        f"SELECT {day} AS day, w.name, count(DISTINCT m.article_id) FROM matches m"
        " JOIN watches w ON w.id = m.watch_id JOIN articles a ON a.id = m.article_id"
        f" WHERE {' AND '.join(where)} GROUP BY 1, 2",
        params,
    ).fetchall()
    return _series(rows, days)


def collect(
    db: Database, *, days: int = 30, watches: Sequence[str] = (), today: date | None = None
) -> ReportData:
    span = day_range(days, today)
    return ReportData(span, mentions_per_watch(db, span, watches), articles_per_section(db, span))


def draw(data: ReportData, fmt: str = "png") -> bytes:
    """Both charts in one figure, as PNG or SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8), sharex=True, constrained_layout=True)
    panels = (
        (top, data.mentions, "Mentions per day per watch", "الإشارات اليومية لكل مراقبة"),
        (bottom, data.sections, "Articles per day per section", "المقالات اليومية لكل قسم"),
    )
    for ax, series, title, arabic in panels:
        ax.set_title(f"{title} — {visual(arabic)}", fontsize=12)
        ax.set_ylabel("count")
        ax.grid(True, alpha=0.3)
        if not series:
            ax.text(
                0.5, 0.5, "no data in this period", ha="center", va="center", transform=ax.transAxes
            )
            continue
        marker = "o" if len(data.days) <= 60 else None
        for s in series[:12]:
            ax.plot(data.days, s.counts, marker=marker, markersize=3, label=visual(s.label))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", fontsize=9, ncols=2)
    locator = AutoDateLocator()
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=110)
    plt.close(fig)
    return out.getvalue()


def write(data: ReportData, path: Path) -> None:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: the chart can be written as .png or .svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(draw(data, fmt))
