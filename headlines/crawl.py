"""Running one crawl of several sources in this process, and saying how each source went.

All sources of a crawl share one Scrapy engine (`crawler.spiders.sources.SourcesSpider`), so per-site
politeness holds across them; each source still gets its own run record and status. The Twisted reactor
cannot restart, so a process runs one crawl: the scheduler and the tests start `headlines crawl` as a
child process.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler import status
from crawler.sources import Source
from headlines.errors import ExitCode, InputError
from store import RunRecord, Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlReport:
    """The runs of one `headlines crawl`, in source order, and whether tagging worked."""

    crawl_id: str
    runs: list[RunRecord]
    model_error: str | None = None
    internal_error: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        """INTERNAL for a bug, MODEL when headlines went untagged, else SOURCE_FAILED, SOURCE_EMPTY or OK."""
        statuses = {run.status for run in self.runs}
        if self.internal_error:
            return ExitCode.INTERNAL
        if self.model_error:
            return ExitCode.MODEL
        if statuses & status.FAILED:
            return ExitCode.SOURCE_FAILED
        if status.EMPTY in statuses:
            return ExitCode.SOURCE_EMPTY
        return ExitCode.OK


def crawl_settings(db: str, models_dir: str, overrides: Mapping[str, Any] | None = None) -> Any:
    """The project's Scrapy settings with the command's paths and `-s` overrides applied."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    # Log through the command's own handler, at its level: a second root handler from Scrapy would print
    # every message twice and build a log record for every item scraped.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("LOG_LEVEL", logging.getLevelName(logging.getLogger().getEffectiveLevel()), priority="cmdline")
    settings.set("HEADLINES_DB", db, priority="cmdline")
    settings.set("HEADLINES_MODELS", models_dir, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, typed_setting(key, value, settings.get(key)), priority="cmdline")
    return settings


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def typed_setting(key: str, value: Any, current: Any) -> Any:
    """A ``-s NAME=VALUE`` value checked against the type of the setting's current value.

    Scrapy itself converts only when a component reads the setting, deep inside the running crawl, where a
    wrong value ends in a traceback; here it is one line that names the setting, before anything starts.
    """
    if not isinstance(value, str):
        return value
    if current is None and key.upper() != key:
        raise InputError(f"-s {key}={value}: setting names are upper case (e.g. DOWNLOAD_DELAY)")
    if current is None:
        logger.warning("-s %s: not a setting of Scrapy or headlines; it has no effect unless a component reads it",
                       key)
        return value
    kind = None
    if isinstance(current, bool):
        if value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        kind = "true or false"
    elif isinstance(current, int):
        try:
            return int(value)
        except ValueError:
            kind = "a whole number"
    elif isinstance(current, float):
        try:
            return float(value)
        except ValueError:
            kind = "a number"
    if kind:
        raise InputError(f"-s {key}={value}: {key} must be {kind} (it is {current!r} by default)")
    return value


def process_alive(run: RunRecord) -> bool:
    """Whether the process that started a run is still running (only knowable on its own machine)."""
    if run.host != socket.gethostname() or not run.pid:
        return True
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_interrupted(store: Store, alive: Callable[[RunRecord], bool] = process_alive) -> list[RunRecord]:
    """Finish as `interrupted` the runs left `running` by a process that died (a kill, a crash, a reboot)."""
    ended = []
    for run in store.running():
        if not alive(run):
            run.status = status.INTERRUPTED
            run.finished_at = datetime.now(UTC)
            run.error = f"the crawl's process ({run.host}, pid {run.pid}) ended before the run finished"
            store.finish_run(run)
            ended.append(run)
            logger.warning("%s: an earlier run was left running by a dead process; marked interrupted", run.source)
    return ended


def run_crawl(sources: Sequence[Source], settings: Any) -> CrawlReport:
    """Crawl `sources` together in one engine and return how each went."""
    if settings.getbool("HEADLINES_CLASSIFY") and settings.getbool("HEADLINES_CLASSIFY_PROCESS"):
        from crawler.tagging import prestart

        prestart(Path(settings.get("HEADLINES_MODELS")))
    from scrapy.crawler import CrawlerProcess

    from crawler.extensions import RunRecorder
    from crawler.spiders.sources import SourcesSpider

    crawl_id = uuid.uuid4().hex[:12]
    settings.set("HEADLINES_CRAWL_ID", crawl_id, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SourcesSpider)
    process.crawl(crawler, sources=sources)
    process.start()
    try:
        recorder = crawler.get_extension(RunRecorder)
        model_error = crawler.stats.get_value(status.MODEL_ERROR)
        internal_error = crawler.stats.get_value(status.BUG)
    except (RuntimeError, AttributeError):  # the crawler never got as far as building its components
        recorder, model_error, internal_error = None, None, None
    recorded = recorder.runs if recorder is not None else {}
    now = datetime.now(UTC)
    runs = [
        recorded.get(s.name)
        or RunRecord(source=s.name, started_at=now, finished_at=now, status=status.INTERRUPTED,
                     error="the crawl stopped before this source started", crawl_id=crawl_id)
        for s in sources
    ]
    return CrawlReport(crawl_id, runs, model_error, internal_error)


def format_report(report: CrawlReport) -> str:
    """The summary table printed at the end of a crawl."""
    header = ("source", "status", "found", "new", "dup", "dropped", "time", "detail")
    rows = [
        (run.source, run.status, str(run.found), str(run.new), str(run.duplicates), str(sum(run.dropped.values())),
         f"{run.seconds:.2f}s", run.error or "")
        for run in report.runs
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for row in [header, *rows]:
        pairs = enumerate(zip(row, widths, strict=False))
        cells = [cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in pairs]
        lines.append("  ".join(cells) + ("  " + row[-1] if row[-1] else ""))
    totals = (sum(r.found for r in report.runs), sum(r.new for r in report.runs))
    ok = sum(r.status in status.HEALTHY for r in report.runs)
    lines.append(f"{ok}/{len(report.runs)} sources ok; {totals[0]} headlines found, {totals[1]} new")
    if report.internal_error:
        lines.append(f"internal error (a bug in headlines; the log above has the traceback): {report.internal_error}")
    if report.model_error:
        lines.append(f"headlines were stored untagged: {report.model_error}; run `headlines retag` once the "
                     "model is fixed")
    return "\n".join(lines)
