"""Whether a watch fires on an article version, and which of its mentions are new.

Pure functions over ``Matcher`` scans. The rule for a changed article, "only what is new in
that version counts", is decided here:

A watch **holds** for a version when the article is in one of its sections (any, if none are
given), one of its terms is mentioned in its fields, every ``all`` term is mentioned there and no
``none`` term is. A *mention* is keyed by (term, field, clause), the clause being the folded
words between the hard breaks around it (``. ، ؛ :`` …, line ends).

A watch **fires** for version N when it holds for N and

- N is the article's first version, or it did not hold for N-1 (a veto term was removed, a
  required term arrived): every mention in N is recorded; or
- some mention key occurs more often in N than in N-1: those mentions are recorded.

So a term added by an edit fires (a new clause holds it); a mention already there does not fire
again, and neither does an edit elsewhere in an article that already mentioned the term (its
clauses are unchanged). Rewording the clause that holds a mention counts as new: the sentence
about the watched name changed, which is what a reader of the alert wants to see. Whitespace,
tashkeel and punctuation churn never reach here: they make no new version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.matcher import Hit, Matcher, Mode, Scan
from monitor.watchlist import Watch


@dataclass(frozen=True, slots=True)
class WatchPlan:
    """A watch with its terms resolved to ``Matcher`` term ids."""

    id: int
    watch: Watch
    since_version: int  # the watch looks only at version rows after this one
    main: frozenset[int]
    all_of: frozenset[int]
    none_of: frozenset[int]
    fields: frozenset[str]


def compile_watches(watches: Iterable[tuple[int, Watch, int]]) -> tuple[Matcher, list[WatchPlan]]:
    """One matcher for every term of every watch (``(id, watch, since_version)``), each
    distinct (text, mode) compiled once, and each watch's plan over it."""
    ids: dict[tuple[str, Mode], int] = {}

    def resolve(terms: Iterable[tuple[str, Mode]]) -> frozenset[int]:
        return frozenset(ids.setdefault(t, len(ids)) for t in terms)

    plans = []
    for watch_id, watch, since in watches:
        plans.append(
            WatchPlan(
                id=watch_id,
                watch=watch,
                since_version=since,
                main=resolve((t.text, t.mode) for t in watch.terms),
                all_of=resolve((t.text, t.mode) for t in watch.all_of),
                none_of=resolve((t.text, t.mode) for t in watch.none_of),
                fields=frozenset(watch.field_names),
            )
        )
    return Matcher(ids), plans


def holds(plan: WatchPlan, scan: Scan, section: str | None) -> bool:
    if plan.watch.sections and section not in plan.watch.sections:
        return False
    found = scan.terms(plan.fields)
    return bool(found & plan.main) and plan.all_of <= found and not found & plan.none_of


def mentions(plan: WatchPlan, scan: Scan) -> list[Hit]:
    return [h for h in scan.hits if h.term in plan.main and h.field in plan.fields]


def new_mentions(
    plan: WatchPlan,
    now: Scan,
    section: str | None,
    before: Scan | None = None,
    section_before: str | None = None,
) -> list[Hit]:
    """The mentions that make ``plan`` fire on a version (``now``) given the previous version
    (``before``; None for a first version); empty when it does not fire. ``now`` and
    ``before`` must be scanned with ``clauses=True``."""
    if not holds(plan, now, section):
        return []
    current = mentions(plan, now)
    if before is None or not holds(plan, before, section_before):
        return current
    earlier = Counter((h.term, h.field, h.clause) for h in mentions(plan, before))
    new = []
    for hit in current:
        key = (hit.term, hit.field, hit.clause)
        if earlier[key]:
            earlier[key] -= 1
        else:
            new.append(hit)
    return new
