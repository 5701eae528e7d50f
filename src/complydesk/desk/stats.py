"""What the public may see: the complaint-handling process and anonymised statistics.

The process comes from the policy pack (the SLA targets per purpose with their
citations, the legal complaint limit where there is one). The statistics
cover tickets created in the last `WINDOW_DAYS` days: counts by purpose and by
product category, each split by status, and the median and 90th percentile of
the hours to first response and to resolution per purpose.

Small cells could single someone out, so with k = `desk.statistics_min_cell`:

* a count below k (but above 0) is published as null;
* a row whose total is below k is null throughout; categories with fewer than
  k tickets are pooled into `other` first, so a rare category's name is not
  published either;
* when a published row has exactly one null cell, the next smallest non-zero
  cell is nulled too, so the hidden one cannot be recovered from the total;
* a time figure computed from fewer than k tickets is null, with its `n`.

No column totals are published (they would let a reader difference out
suppressed cells across rows). Computing is a scan of the window, so the API
caches the answer for `CACHE_SECONDS`.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.desk.context import desk_policy
from complydesk.desk.lifecycle import STATUSES
from complydesk.desk.sla import plan
from complydesk.policy.pack import PolicyPack
from complydesk.store.models import Ticket

WINDOW_DAYS = 365
CACHE_SECONDS = 300.0
OTHER = "other"


def process(pack: PolicyPack, at: datetime) -> dict[str, Any]:
    """The published process: steps, and each purpose's targets with citations."""
    desk = desk_policy(pack)
    purposes = []
    for purpose, cited in desk.sla.items():
        target = cited.value
        rules = []
        for name, rule in desk.sla_rules.items():
            if purpose not in rule.value.purposes:
                continue
            resolution = rule.value.resolution_within
            citation = rule.citation
            if rule.value.resolution_from is not None:
                source = pack.cited_duration(rule.value.resolution_from)
                resolution, citation = source.value, source.citation
            if resolution is None and rule.value.first_response_within is None:
                continue
            rules.append(
                {
                    "rule": name,
                    "categories": list(rule.value.categories),
                    "first_response_within": _duration(
                        rule.value.first_response_within
                    ),
                    "resolution_within": _duration(resolution),
                    "citation": citation,
                }
            )
        applied = plan(pack, purpose, "*", at)
        purposes.append(
            {
                "purpose": purpose,
                "first_response_within": _duration(target.first_response_within),
                "resolution_within": _duration(target.resolution_within),
                "clock_pauses_while_waiting_customer": applied.pausable,
                "citation": cited.citation,
                "confidence": cited.confidence.value,
                "category_rules": rules,
            }
        )
    limit = pack.after_sales.complaint_handling_limit
    return {
        "pack": pack.pack,
        "version": pack.version,
        "steps": list(STATUSES),
        "public_tracking": pack.after_sales.public_complaint_tracking.value,
        "complaint_handling_limit": {
            "value": _duration(limit.value),
            "citation": limit.citation,
        },
        "at_risk_escalation_fraction": desk.at_risk_fraction.value,
        "purposes": purposes,
    }


def _duration(value: Any) -> str | None:
    return None if value is None else str(value)


def statistics_for(session: Session, now: datetime, min_cell: int) -> dict[str, Any]:
    """Suppressed counts and times for tickets created in the window."""
    since = now - timedelta(days=WINDOW_DAYS)
    rows = session.execute(
        select(
            Ticket.purpose,
            Ticket.category,
            Ticket.status,
            Ticket.created_at,
            Ticket.first_responded_at,
            Ticket.resolved_at,
        ).where(Ticket.created_at >= since, Ticket.created_at <= now)
    ).all()
    by_purpose: dict[str, Counter[str]] = defaultdict(Counter)
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, list[float]] = defaultdict(list)
    resolved: dict[str, list[float]] = defaultdict(list)
    for purpose, category, status, created, responded, done in rows:
        by_purpose[purpose][status] += 1
        by_category[category][status] += 1
        if responded is not None:
            first[purpose].append(_hours(created, responded))
        if done is not None:
            resolved[purpose].append(_hours(created, done))
    categories = _pool(by_category, min_cell)
    purposes = sorted(set(by_purpose) | set(first) | set(resolved))
    return {
        "window_days": WINDOW_DAYS,
        "min_cell": min_cell,
        "as_of": now,
        "by_purpose": {p: _row(by_purpose[p], min_cell) for p in purposes},
        "by_category": {c: _row(n, min_cell) for c, n in sorted(categories.items())},
        "hours_to_first_response": {p: _times(first[p], min_cell) for p in purposes},
        "hours_to_resolution": {p: _times(resolved[p], min_cell) for p in purposes},
    }


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def _pool(rows: dict[str, Counter[str]], k: int) -> dict[str, Counter[str]]:
    pooled: dict[str, Counter[str]] = {}
    other: Counter[str] = Counter()
    for name, counts in rows.items():
        if sum(counts.values()) < k or name == OTHER:
            other.update(counts)
        else:
            pooled[name] = counts
    if other:
        pooled[OTHER] = other
    return pooled


def _row(counts: Counter[str], k: int) -> dict[str, Any]:
    total = sum(counts.values())
    if total < k:
        return {"total": None, "by_status": dict.fromkeys(STATUSES)}
    cells: dict[str, int | None] = {s: counts.get(s, 0) for s in STATUSES}
    hidden = [s for s, n in cells.items() if n and n < k]
    for s in hidden:
        cells[s] = None
    if len(hidden) == 1:
        visible = [(n, s) for s, n in cells.items() if n]
        if visible:
            cells[min(visible)[1]] = None
    return {"total": total, "by_status": cells}


def _times(values: list[float], k: int) -> dict[str, Any]:
    if len(values) < k:
        return {"n": None, "median": None, "p90": None}
    ordered = sorted(values)
    p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 1),
        "p90": round(p90, 1),
    }


class TtlCache:
    """A tiny per-app cache: public statistics are a scan, not per request."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._values: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self.seconds:
                return hit[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
        return value


_CACHE_LOCK = threading.Lock()


def cache_for(state: Any) -> TtlCache:
    """The statistics cache kept on an app's state."""
    with _CACHE_LOCK:
        cache = getattr(state, "public_stats", None)
        if cache is None:
            cache = TtlCache()
            state.public_stats = cache
        return cache


def complaint_handling(
    session: Session, pack: PolicyPack, now: datetime, cache: TtlCache
) -> dict[str, Any]:
    """The public page's content: the process and the (cached) statistics."""
    min_cell = desk_policy(pack).statistics_min_cell.value
    figures = cache.get(
        f"{pack.pack}:{pack.content_hash}",
        lambda: statistics_for(session, now, min_cell),
    )
    return {"process": process(pack, now), "statistics": figures}
