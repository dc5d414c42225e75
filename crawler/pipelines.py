"""Item pipelines, one job each, in the order of ITEM_PIPELINES: normalize, dedupe, classify, store.

Dropped items raise DropItem and are counted by reason under ``headlines/dropped/<reason>`` so the run
report says why a headline was not kept.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import UTC
from pathlib import Path
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.clean import canonical_url, clean_title, is_navigation_title
from crawler.items import Headline
from crawler.store import HeadlineStore, now_utc, open_store

logger = logging.getLogger(__name__)


class _CountingPipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def drop(self, reason: str, item: Headline) -> DropItem:
        self.stats.inc_value(f"headlines/dropped/{reason}")
        return DropItem(f"{reason}: {item.url}")


class NormalizePipeline(_CountingPipeline):
    """Clean the title, make the URL canonical and UTC the date; drop what is not a headline."""

    def process_item(self, item: Headline) -> Headline:
        item.title = clean_title(item.title)
        if not item.title:
            raise self.drop("empty_title", item)
        if is_navigation_title(item.title):
            raise self.drop("navigation_title", item)
        try:
            item.url = canonical_url(item.url)
        except ValueError:
            raise self.drop("bad_url", item) from None
        if item.published_at is not None:
            item.published_at = item.published_at.astimezone(UTC)
        return item


class DedupePipeline(_CountingPipeline):
    """Pass each canonical URL once per crawl; repeats are counted as duplicates."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item: Headline) -> Headline:
        if item.url in self.seen:
            self.stats.inc_value("headlines/duplicates")
            raise DropItem(f"seen earlier in this crawl: {item.url}")
        self.seen.add(item.url)
        return item


@functools.lru_cache(maxsize=2)
def _shared_tagger(models_dir: Path) -> Any:
    """One loaded model per process, however many sources (crawlers) run in it."""
    from classifier.registry import ensure_model

    return ensure_model(models_dir)


class ClassifyPipeline:
    """Tag headlines with the current model, a batch at a time.

    Items wait on a future; the batch is tagged once the event loop has handed over every item of the
    current response (or the batch is full), so one model call serves a whole page of headlines.
    A missing model is trained from the corpus; a model that cannot be loaded leaves headlines untagged
    (``headlines retag`` fixes them later) rather than losing the crawl.
    """

    def __init__(self, models_dir: Path, batch_size: int) -> None:
        from classifier.registry import ModelError

        self.batch_size = batch_size
        self.pending: list[tuple[Headline, asyncio.Future[None]]] = []
        self.tagger: Any = None
        try:
            self.tagger = _shared_tagger(models_dir.resolve())
        except ModelError as exc:
            logger.error("headlines will be stored untagged: %s", exc)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEADLINES_CLASSIFY"):
            raise NotConfigured("HEADLINES_CLASSIFY is off")
        return cls(
            Path(crawler.settings.get("HEADLINES_MODELS")), crawler.settings.getint("HEADLINES_CLASSIFY_BATCH")
        )

    async def process_item(self, item: Headline) -> Headline:
        if self.tagger is None:
            return item
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
            predictions = self.tagger.predict([item.title for item, _ in batch])
        except Exception:  # one bad batch must not lose the crawl: store untagged, `headlines retag` later
            logger.exception("tagging failed; %d headlines stored untagged", len(batch))
            predictions = [None] * len(batch)
        for (item, future), prediction in zip(batch, predictions, strict=True):
            if prediction is not None:
                item.sector = prediction.sector
                item.confidence = round(float(prediction.confidence), 4)
                item.tags = tuple(prediction.tags)
                item.model_id = self.tagger.model_id
            future.set_result(None)


class StorePipeline(_CountingPipeline):
    """Write headlines to the store in batches, one transaction each; count new and duplicate ones."""

    def __init__(self, crawler: Crawler, store: HeadlineStore, batch_size: int) -> None:
        super().__init__(crawler)
        self.store = store
        self.batch_size = batch_size
        self.buffer: list[Headline] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        store = open_store(crawler.settings.get("HEADLINES_DB"))
        return cls(crawler, store, crawler.settings.getint("HEADLINES_STORE_BATCH"))

    def process_item(self, item: Headline) -> Headline:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if batch:
            new, duplicates = self.store.add(batch, now_utc())
            self.stats.inc_value("headlines/new", new)
            self.stats.inc_value("headlines/duplicates", duplicates)

    def close_spider(self) -> None:
        try:
            self.flush()
        finally:
            self.store.close()
