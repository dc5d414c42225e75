"""Item pipelines, one job each, in the order of ITEM_PIPELINES: dedupe, classify, store.

Page objects hand over headlines already cleaned (`crawler.pages.result`). Every count goes to the crawl
stats under the item's source (`crawler.status.stat`), which is what its run record is made from. A fault
here never passes as success: headlines the model could not tag are stored untagged and the crawl says
why; a batch the store could not commit counts against its sources as `store_error`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from crawler import status
from crawler.extensions import crawl_store
from crawler.items import Headline
from store import NewHeadline, Store, StoreError

if TYPE_CHECKING:
    from classifier.registry import CurrentModel

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


class ClassifyPipeline:
    """Tag headlines with the current model, a batch at a time.

    Items wait on a future; the batch is tagged once the event loop has handed over every item of the
    current response (or the batch is full), so one model call serves a whole page of headlines. The model
    is looked up for every batch, so a model promoted while a long crawl runs is used from then on.
    Without a usable model headlines are stored untagged and the crawl reports it (`status.MODEL_ERROR`).
    """

    def __init__(self, stats: StatsCollector, model: CurrentModel, batch_size: int) -> None:
        self.stats = stats
        self.model = model
        self.batch_size = batch_size
        self.pending: list[tuple[Headline, asyncio.Future[None]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEADLINES_CLASSIFY"):
            raise NotConfigured("HEADLINES_CLASSIFY is off")
        from classifier.registry import CurrentModel

        assert crawler.stats is not None
        models_dir = Path(crawler.settings.get("HEADLINES_MODELS"))
        return cls(crawler.stats, CurrentModel(models_dir), crawler.settings.getint("HEADLINES_CLASSIFY_BATCH"))

    def open_spider(self) -> None:
        from classifier.registry import ModelError

        try:
            self.model.get()
        except ModelError as exc:
            self.untagged(str(exc))

    def untagged(self, reason: str) -> None:
        """Say once, clearly, that headlines are being stored without tags, and why."""
        if self.stats.get_value(status.MODEL_ERROR) is None:
            self.stats.set_value(status.MODEL_ERROR, reason)
            logger.error("headlines are stored untagged (run `headlines retag` once the model is fixed): %s",
                         reason)

    async def process_item(self, item: Headline) -> Headline:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((item, future))
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif len(self.pending) == 1:
            asyncio.get_running_loop().call_soon(self.flush)
        await future
        return item

    def flush(self) -> None:
        batch, self.pending = self.pending, []
        if not batch:
            return
        try:
            self.tag([item for item, _ in batch])
        finally:
            for _, future in batch:
                future.set_result(None)

    def tag(self, items: list[Headline]) -> None:
        from classifier.registry import ModelError

        try:
            tagger = self.model.get()
        except ModelError as exc:
            self.untagged(str(exc))
            return
        try:
            predictions = tagger.predict([item.title for item in items])
        except Exception as exc:  # one bad batch must not lose the crawl: stored untagged, said loudly
            logger.exception("tagging failed for %d headlines", len(items))
            self.untagged(f"tagging failed with model {tagger.model_id}: {type(exc).__name__}: {exc}")
            return
        for item, prediction in zip(items, predictions, strict=True):
            item.sector = prediction.sector
            item.confidence = round(prediction.confidence, 4)
            item.margin = round(prediction.margin, 4)
            item.tags = prediction.tags
            item.model_id = tagger.model_id


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
