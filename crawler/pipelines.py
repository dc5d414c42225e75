"""Item pipelines, one job each, in the order of ITEM_PIPELINES: dedupe, store.

Page objects hand over headlines already cleaned (`crawler.pages.result`), and the classify middleware
(`crawler.classify`) has tagged them a page at a time. Every count goes to the crawl stats under the item's
source (`crawler.status.stat`), which is what its run record is made from. A batch the store could not
commit counts against its sources as `store_error`: a fault never passes as success.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler import status
from crawler.extensions import crawl_store
from crawler.items import Headline
from store import NewHeadline, Store, StoreError

logger = logging.getLogger(__name__)


class DedupePipeline:
    """Pass each canonical URL once per crawl; a repeat (in any source) counts as a duplicate of its source."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Headline) -> Headline:
        if item.url in self.seen:
            self.stats.inc_value(status.stat(item.source, status.DUPLICATES))
            raise DropItem(f"seen earlier in this crawl: {item.url}")
        self.seen.add(item.url)
        return item


class StorePipeline:
    """Write headlines to the crawl's store in batches, one transaction each; count new and duplicate ones."""

    def __init__(self, crawler: Crawler, batch_size: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.batch_size = batch_size
        self.buffer: list[Headline] = []
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("HEADLINES_DB"):
            raise NotConfigured("HEADLINES_DB is not set")
        return cls(crawler, crawler.settings.getint("HEADLINES_STORE_BATCH"))

    def open_spider(self) -> None:
        if self.store is None:
            self.store = crawl_store(self.crawler)

    def process_item(self, item: Headline) -> Headline:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        assert self.store is not None
        records = [
            NewHeadline(h.title, h.url, h.source, h.published_at, h.guid, h.sector, h.confidence, h.margin, h.tags,
                        h.model_id)
            for h in batch
        ]
        per_source = Counter(h.source for h in batch)
        try:
            result = self.store.add(records, datetime.now(UTC))
        except StoreError as exc:
            logger.error("%d headlines not stored: %s", len(batch), exc)
            for source, count in per_source.items():
                self.stats.inc_value(status.stat(source, status.UNSTORED), count)
                status.record_error(self.stats, source, status.STORE_ERROR, str(exc))
            return
        new = Counter(h.source for h in batch if h.url in result.new_urls)
        for source, count in per_source.items():
            self.stats.inc_value(status.stat(source, status.NEW), new[source])
            self.stats.inc_value(status.stat(source, status.DUPLICATES), count - new[source])

    def close_spider(self) -> None:
        self.flush()
