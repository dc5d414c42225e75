"""Source health: what each source's recent runs say, and the signs that need a person.

A source is flagged when its last run failed, found nothing, or found far fewer headlines than the median
of its recent good runs: a changed page layout usually shows as one of these, long before anyone misses
the headlines. `status --check` turns a flag into a non-zero exit code for monitoring.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler import status
from crawler.sources import Source
from headlines.schedule import DEFAULT_EVERY, consecutive_failures, next_due
from store import RunRecord

FEWER = 0.3
"""A good run that finds less than this share of the median of recent good runs is flagged."""
MIN_MEDIAN = 5
"""Medians below this are too small to tell a drop from noise."""


@dataclass
class SourceHealth:
    name: str
    last: RunRecord | None
    median_found: float | None
    failures: int
    next_due: datetime | None
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        last = self.last
        return {
            "source": self.name, "flags": self.flags, "failures": self.failures,
            "median_found": self.median_found,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "last_run": None if last is None else {
                "started_at": last.started_at.isoformat(), "status": last.status, "found": last.found,
                "new": last.new, "error": last.error,
            },
        }


def health(sources: Sequence[Source], runs: dict[str, list[RunRecord]],
           default_every: timedelta = DEFAULT_EVERY) -> list[SourceHealth]:
    """The health of every configured source and of every other source the store has runs of."""
    configured = {s.name: s for s in sources}
    names = list(configured) + sorted(set(runs) - set(configured))
    found = []
    for name in names:
        history = runs.get(name, [])
        finished = [r for r in history if r.status != status.RUNNING]
        last = history[-1] if history else None
        earlier = [r.found for r in finished[:-1] if r.status == status.OK]
        median = statistics.median(earlier) if earlier else None
        source = configured.get(name)
        due = next_due(source, history, default_every) if source is not None else None
        item = SourceHealth(name, last, median, consecutive_failures(finished), due)
        latest = finished[-1] if finished else None
        if latest is not None:
            if latest.status in status.FAILED:
                item.flags.append(f"failed: {latest.status}" + (f" ({latest.error})" if latest.error else ""))
            elif latest.status == status.EMPTY:
                item.flags.append("found nothing" + (f" ({latest.error})" if latest.error else ""))
            elif (latest.status == status.OK and median is not None and median >= MIN_MEDIAN
                  and latest.found < FEWER * median):
                item.flags.append(f"found {latest.found}, far fewer than its usual {median:g}")
        found.append(item)
    return found
