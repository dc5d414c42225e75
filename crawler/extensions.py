"""Crawl-wide bookkeeping: one store per crawl, and one run record per source.

`CrawlStore` opens the store once and every component that needs it (the store pipeline, the classify middleware,
the conditional-request middleware, the run recorder) shares that one connection. `RunRecorder` writes a
``running`` row for each source when the crawl opens and, when it closes, the status `crawler.status`
decides from the source's stats. The records stay in memory too, so the crawl's summary is right even
when the store could not record them.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
from datetime import UTC, datetime
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import status
from crawler.signals import source_finished
from store import RunRecord, Store, StoreError, open_store

logger = logging.getLogger(__name__)


class CrawlStore:
    """The store of this crawl (setting ``HEADLINES_DB``), opened on first use and closed when the engine stops.

    ``HEADLINES_DB_TIMEOUT`` is how many seconds a write waits for another process's lock."""

    def __init__(self, location: str, timeout: float) -> None:
        self.location = location
        self.timeout = timeout
        self._store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        location = crawler.settings.get("HEADLINES_DB")
        if not location:
            raise NotConfigured("HEADLINES_DB is not set")
        extension = cls(str(location), crawler.settings.getfloat("HEADLINES_DB_TIMEOUT"))
        crawler.signals.connect(extension.close, signal=signals.engine_stopped)
        return extension

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.location, timeout=self.timeout)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def crawl_store(crawler: Crawler) -> Store:
    """The crawl's shared store (call at spider_opened or later, once extensions exist)."""
    extension = crawler.get_extension(CrawlStore)
    if extension is None:
        raise NotConfigured("the CrawlStore extension is not enabled")
    return extension.store


class RunRecorder:
    """Records each source's run: started when the crawl opens, finished with its status when it closes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runs: dict[str, RunRecord] = {}
        self.store: Store | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("HEADLINES_DB"):
            raise NotConfigured("HEADLINES_DB is not set")
        return cls(crawler)

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A callback raised: a bug. Scrapy has logged its traceback; the source and the crawl say so."""
        assert self.crawler.stats is not None
        exc = failure.value
        message = f"{type(exc).__name__}: {exc} while reading {response.url}"
        if self.crawler.stats.get_value(status.BUG) is None:
            self.crawler.stats.set_value(status.BUG, message)
        source = response.meta.get("source")
        if source:
            status.record_error(self.crawler.stats, str(source), status.INTERNAL_ERROR, message)

    def spider_opened(self, spider: Spider) -> None:
        if self.store is None:
            self.store = crawl_store(self.crawler)
        crawl_id = self.crawler.settings.get("HEADLINES_CRAWL_ID")
        now = datetime.now(UTC)
        for name in getattr(spider, "sources", {}):
            run = RunRecord(source=name, started_at=now, crawl_id=crawl_id, host=socket.gethostname(),
                            pid=os.getpid())
            self.runs[name] = run
            try:
                self.store.start_run(run)
            except StoreError as exc:  # recorded when the run finishes (finish_run inserts it then)
                logger.warning("%s: the start of the run could not be recorded yet: %s", name, exc)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        now = datetime.now(UTC)
        for name, run in self.runs.items():
            counts = status.source_stats(stats, name)
            answered = counts.get(status.LAST_ANSWER)
            run.finished_at = datetime.fromtimestamp(answered, UTC) if answered else now
            run.status, run.error = status.decide(counts, finished=reason == "finished")
            run.found = int(counts.get(status.FOUND, 0))
            run.new = int(counts.get(status.NEW, 0))
            run.duplicates = int(counts.get(status.DUPLICATES, 0))
            prefix = status.DROPPED + "/"
            run.dropped = {k[len(prefix):]: int(v) for k, v in counts.items() if k.startswith(prefix)}
            self._finish(run)
            logger.info("%s: %s, %d found, %d new", run.source, run.status, run.found, run.new)
            self.crawler.signals.send_catch_log(source_finished, run=run)

    def _finish(self, run: RunRecord) -> None:
        assert self.store is not None
        try:
            self.store.finish_run(run)
        except StoreError as exc:
            logger.error("%s: the run could not be recorded: %s", run.source, exc)
            run.error = f"{run.error}; " if run.error else ""
            run.error += f"run not recorded: {exc}"


class FreezeStartupObjects:
    """Moves everything alive when the spider opens out of the garbage collector's sight (`gc.freeze`).

    By then the process holds what it keeps until it ends: imported modules, and above all the model,
    whose vocabulary and lexicon are hundreds of thousands of objects. Without this every full collection
    walks them all again, while Scrapy makes new objects at a pace that triggers collections often: over a
    first crawl of benchmarks/crawl_bench.py's 32,000 headlines the collector took 2.26 s without this and
    0.96 s with it (timed with `gc.callbacks`). Setting ``HEADLINES_GC_FREEZE``.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEADLINES_GC_FREEZE"):
            raise NotConfigured("HEADLINES_GC_FREEZE is off")
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        gc.collect()
        gc.freeze()
