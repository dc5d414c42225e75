"""The run recorder: one row per source and crawl in the store's ``runs`` table.

It turns the crawl stats into a status that a person and a cron job can act on: ok, not_modified, empty
(zero headlines, the usual sign of a changed layout) or the kind of failure.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.spiders.base import ERROR_KIND, ERROR_MESSAGE, SourceSpider
from crawler.store import HeadlineStore, RunRecord, now_utc, open_store

logger = logging.getLogger(__name__)

OK_STATUSES = frozenset({"ok", "not_modified"})


def run_status(stats: dict[str, object]) -> str:
    """The status of a finished run from its stats."""
    error = stats.get(ERROR_KIND)
    if isinstance(error, str):
        return error
    if stats.get("headlines/found", 0):
        return "ok"
    if stats.get("headlines/not_modified", 0):
        return "not_modified"
    if stats.get("offsite/filtered", 0):  # Scrapy drops off-site redirects when scheduling, with no errback
        return "offsite"
    return "empty"


class RunRecorder:
    """Records the start and the outcome of each source's crawl."""

    def __init__(self, crawler: Crawler, store: HeadlineStore) -> None:
        self.crawler = crawler
        self.store = store
        self.run: RunRecord | None = None
        self.run_id = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("HEADLINES_DB"):
            raise NotConfigured("HEADLINES_DB is not set")
        return cls(crawler, open_store(crawler.settings.get("HEADLINES_DB")))

    def spider_opened(self, spider: SourceSpider) -> None:
        source = getattr(spider, "source", None)
        name = source.name if source is not None else spider.name
        self.run = RunRecord(source=name, started_at=now_utc(),
                             crawl_id=self.crawler.settings.get("HEADLINES_CRAWL_ID"))
        self.run_id = self.store.start_run(self.run)

    def spider_closed(self, spider: SourceSpider, reason: str) -> None:
        assert self.crawler.stats is not None and self.run is not None
        stats = self.crawler.stats.get_stats()
        run = self.run
        run.finished_at = now_utc()
        run.status = run_status(stats)
        if reason not in ("finished",) and run.status in OK_STATUSES | {"empty"}:
            run.status, run.error = "interrupted", f"crawl stopped early: {reason}"
        run.found = int(stats.get("headlines/found", 0))
        run.new = int(stats.get("headlines/new", 0))
        run.duplicates = int(stats.get("headlines/duplicates", 0))
        prefix = "headlines/dropped/"
        run.dropped = {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix)}
        if run.status == "offsite" and ERROR_MESSAGE not in stats:
            run.error = "redirected to another site, not followed (allowed: " + ", ".join(spider.allowed_domains) + ")"
        detail = run.error or stats.get(ERROR_MESSAGE) or stats.get("headlines/note")
        run.error = str(detail) if detail else None
        try:
            self.store.finish_run(self.run_id, run)
        finally:
            self.store.close()
        logger.info("%s: %s, %d found, %d new", run.source, run.status, run.found, run.new)
