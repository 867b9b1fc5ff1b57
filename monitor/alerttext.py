"""The words of an alert: a title, a plain-text body and a markdown body.

Laid out for right-to-left text: every Arabic value starts a line of its own (so each line
takes its own direction in the reader's app), labels stay short, and matches inside snippets
are marked with «…» in plain text and in bold in markdown. Times are the outlet's (+03:00),
and say so. No target URL ever appears in an alert.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from crawler.dates import OUTLET_TZ
from monitor.notifier import Message

SNIPPET_MARK = re.compile(r"\[\[(.+?)\]\]")
# Only what changes meaning inline: over-escaping shows backslashes where markdown is not drawn.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


@dataclass(frozen=True, slots=True)
class Mention:
    term: str  # the watch's term as written
    field: str  # title | summary | body | caption
    snippet: str  # about 25 words around the match, the match in [[…]]


@dataclass(frozen=True, slots=True)
class AlertInfo:
    watch: str
    kind: Literal["new", "changed"]
    title: str
    url: str | None
    section: str | None = None
    published_at: datetime | None = None
    version: int = 1
    mentions: tuple[Mention, ...] = ()
    changes: tuple[str, ...] = ()  # "headline changed: old → new", ...
    tags: tuple[str, ...] = field(default=())


def outlet_time(moment: datetime | None) -> str:
    """``2026-08-15 21:56 (+03:00, outlet time)``."""
    if moment is None:
        return "time not given"
    local = moment.astimezone(OUTLET_TZ)
    return f"{local:%Y-%m-%d %H:%M} (+03:00, outlet time)"


def _plain_snippet(snippet: str) -> str:
    return SNIPPET_MARK.sub(lambda m: f"«{m.group(1)}»", snippet)


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_snippet(snippet: str) -> str:
    parts, last = [], 0
    for m in SNIPPET_MARK.finditer(snippet):
        parts.append(_md(snippet[last : m.start()]))
        parts.append(f"**{_md(m.group(1))}**")
        last = m.end()
    parts.append(_md(snippet[last:]))
    return "".join(parts)


def _terms(info: AlertInfo) -> str:
    return "، ".join(dict.fromkeys(m.term for m in info.mentions)) or "—"


def alert_message(info: AlertInfo) -> Message:
    """One alert: what matched, where, and (for an edit) what changed."""
    verb = "new" if info.kind == "new" else f"edited (v{info.version})"
    title = f"[newsmon] {info.watch}: {info.title}"
    where = " · ".join(p for p in (info.section, outlet_time(info.published_at)) if p)
    text = [info.title, f"{verb} · {where}"]
    md = [f"**{_md(info.title)}**", f"_{_md(verb)} · {_md(where)}_"]
    if info.url:
        text.append(info.url)
        md.append(f"<{info.url}>")
    text += ["", f"watch: {info.watch}", f"matched: {_terms(info)}"]
    md += ["", f"watch: **{_md(info.watch)}**", f"matched: {_md(_terms(info))}"]
    for mention in info.mentions[:5]:
        label = "" if mention.field == "body" else f"({mention.field}) "
        text += ["", f"{label}{_plain_snippet(mention.snippet)}"]
        md += ["", f"> {_md(label)}{_md_snippet(mention.snippet)}"]
    if info.changes:
        text += ["", "what changed:"] + [f"- {c}" for c in info.changes]
        md += ["", "what changed:"] + [f"- {_md(c)}" for c in info.changes]
    return Message(title, "\n".join(text), "\n".join(md))


def digest_message(infos: Sequence[AlertInfo], *, period: str) -> Message:
    """Several alerts in one message: one short entry per article, grouped by watch."""
    by_watch: dict[str, list[AlertInfo]] = {}
    for info in infos:
        by_watch.setdefault(info.watch, []).append(info)
    title = f"[newsmon] {len(infos)} alert{'s' if len(infos) != 1 else ''} ({period})"
    text: list[str] = []
    md: list[str] = []
    for watch, items in by_watch.items():
        text += [f"watch: {watch} ({len(items)})", ""]
        md += [f"### {_md(watch)} ({len(items)})", ""]
        for info in items:
            verb = "new" if info.kind == "new" else f"edited v{info.version}"
            text.append(info.title)
            text.append(f"{verb} · {outlet_time(info.published_at)}")
            md.append(
                f"- **{_md(info.title)}** — _{_md(verb)} · {_md(outlet_time(info.published_at))}_"
            )
            if info.url:
                text.append(info.url)
                md.append(f"  <{info.url}>")
            if info.mentions:
                text.append(_plain_snippet(info.mentions[0].snippet))
                md.append(f"  > {_md_snippet(info.mentions[0].snippet)}")
            for change in info.changes[:3]:
                text.append(f"- {change}")
                md.append(f"  - {_md(change)}")
            text.append("")
            md.append("")
    return Message(title, "\n".join(text).rstrip(), "\n".join(md).rstrip())


def health_message(source: str, problem: str, detail: str | None, *, recovered: bool) -> Message:
    """A health alert (a source failing, a feed yielding nothing, a silent archive) or the
    message that it works again."""
    if recovered:
        title = f"[newsmon] recovered: {source}"
        text = f"{source} works again.\nwas: {problem}"
    else:
        title = f"[newsmon] problem: {source}"
        text = f"{source}: {problem}" + (f"\n{detail}" if detail else "")
    return Message(title, text, _md(text).replace("\n", "  \n"))


def test_message(now: datetime) -> Message:
    text = (
        "This is a test message from newsmon.\n"
        "هذه رسالة تجريبية من newsmon: إن قرأت هذا السطر فالعربية تصل سليمة.\n"
        f"sent {now.astimezone(OUTLET_TZ):%Y-%m-%d %H:%M} (+03:00)"
    )
    return Message("[newsmon] test — رسالة تجريبية", text, _md(text).replace("\n", "  \n"))
