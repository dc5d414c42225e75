"""Running a crawl of several sources in this process and reporting how each one went.

Each source gets its own Scrapy crawler (so its stats, errors and run record are its own) and all of them
share one reactor. The reactor cannot restart, so this runs once per process: schedulers and tests start
`headlines crawl` as a child process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.extensions import OK_STATUSES
from crawler.sources import Source
from crawler.spiders.sources import SPIDERS
from crawler.store import RunRecord, now_utc, open_store
from headlines.errors import ExitCode

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlReport:
    """The runs of one `headlines crawl`, in source order."""

    crawl_id: str
    runs: list[RunRecord]

    @property
    def exit_code(self) -> ExitCode:
        statuses = {run.status for run in self.runs}
        if statuses - OK_STATUSES - {"empty"}:
            return ExitCode.SOURCE_FAILED
        if "empty" in statuses:
            return ExitCode.SOURCE_EMPTY
        return ExitCode.OK


def crawl_settings(db: Path, models_dir: Path, overrides: Mapping[str, Any] | None = None) -> Settings:
    """The project's settings with the command's paths and `-s` overrides applied."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("HEADLINES_DB", str(db), priority="cmdline")
    settings.set("HEADLINES_MODELS", str(models_dir), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def due_sources(sources: Iterable[Source], last_runs: Mapping[str, RunRecord], now: datetime) -> list[Source]:
    """Sources whose `every` interval has passed since their last run (or that never ran)."""
    due = []
    for source in sources:
        last = last_runs.get(source.name)
        if source.every is None or last is None or last.started_at + source.every <= now:
            due.append(source)
    return due


def run_crawl(sources: Sequence[Source], settings: Settings) -> CrawlReport:
    """Crawl `sources` in parallel, one crawler each, and return their run records."""
    if not settings.get("HEADLINES_CONTACT_URL"):
        logger.warning("HEADLINES_CONTACT_URL is not set: sites see a User-Agent with no way to reach you; "
                       "set it to your web page or a mailto: URL")
    crawl_id = uuid.uuid4().hex[:12]
    settings.set("HEADLINES_CRAWL_ID", crawl_id, priority="cmdline")
    process = CrawlerProcess(settings)
    for source in sources:
        process.crawl(SPIDERS[source.kind], source=source)
    process.start()
    store = open_store(settings.get("HEADLINES_DB"))
    try:
        records = {run.source: run for run in store.runs(crawl_id)}
    finally:
        store.close()
    runs = [
        records.get(s.name)
        or RunRecord(source=s.name, started_at=now_utc(), status="error", error="the crawl did not start")
        for s in sources
    ]
    return CrawlReport(crawl_id, runs)


def format_report(report: CrawlReport) -> str:
    """The summary table printed at the end of a crawl."""
    header = ("source", "status", "found", "new", "dup", "dropped", "time", "detail")
    rows = []
    for run in report.runs:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
        rows.append((
            run.source, run.status, str(run.found), str(run.new), str(run.duplicates),
            str(sum(run.dropped.values())), f"{seconds:.2f}s", run.error or "",
        ))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        pairs = enumerate(zip(row, widths, strict=False))
        cells = [cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in pairs]
        lines.append("  ".join(cells) + ("  " + row[-1] if row[-1] else ""))
    totals = (sum(r.found for r in report.runs), sum(r.new for r in report.runs))
    ok = sum(r.status in OK_STATUSES for r in report.runs)
    lines.append(f"{ok}/{len(report.runs)} sources ok; {totals[0]} headlines found, {totals[1]} new")
    return "\n".join(lines)
