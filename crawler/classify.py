"""Tagging headlines as they leave the spider, one model call per page.

A spider middleware sees everything one response produced at once, so the headlines of a page are tagged
together, synchronously, before they enter the item pipelines; `scrapy crawl KIND -O out.csv` exports them
tagged. (An item pipeline sees one item at a time, and batching there costs a future and a task per item.)

A headline the store already has under the same title keeps its stored tags (re-crawls are mostly such
headlines; classifying them again would change nothing but the time it takes); only new headlines and
changed titles are classified. The model is loaded when the crawl is set up, before its engine starts, and
looked up again for every page, so a model promoted while a long crawl
runs is used from then on. Without a usable model headlines go on untagged, and the crawl says so once
(`status.MODEL_ERROR`): `headlines retag` tags them later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler import status
from crawler.extensions import crawl_store
from crawler.items import Headline
from store import Store, StoreError

if TYPE_CHECKING:
    from classifier.registry import CurrentModel

logger = logging.getLogger(__name__)


class ClassifyMiddleware:
    """Tags the headlines a response yields (setting ``HEADLINES_CLASSIFY``; models from ``HEADLINES_MODELS``)."""

    def __init__(self, crawler: Crawler, model: CurrentModel) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.model = model
        self.store: Store | None = None
        self.checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEADLINES_CLASSIFY"):
            raise NotConfigured("HEADLINES_CLASSIFY is off")
        from classifier.errors import ModelError
        from classifier.registry import CurrentModel

        middleware = cls(crawler, CurrentModel(Path(crawler.settings.get("HEADLINES_MODELS"))))
        try:  # load it now, before the engine starts: loading is a fixed cost, not the crawl's pace
            middleware.model.get()
        except ModelError as exc:
            middleware.untagged(str(exc))
        return middleware

    def open(self) -> None:
        """Find the store once, at the first page (the crawl's components all exist then)."""
        self.checked = True
        if self.store is None and self.crawler.settings.get("HEADLINES_DB"):
            self.store = crawl_store(self.crawler)

    def untagged(self, reason: str) -> None:
        """Say once, clearly, that headlines are being stored without tags, and why."""
        if self.stats.get_value(status.MODEL_ERROR) is None:
            self.stats.set_value(status.MODEL_ERROR, reason)
            logger.error("headlines are stored untagged (run `headlines retag` once the model is fixed): %s",
                         reason)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from self._tagged(list(result))

    async def process_spider_output_async(self, response: Response, result: AsyncIterable[Any]) -> AsyncIterator[Any]:
        for thing in self._tagged([thing async for thing in result]):
            yield thing

    def _tagged(self, output: list[Any]) -> list[Any]:
        """A page's output with its headlines tagged in one call, headlines first."""
        if not self.checked:
            self.open()
        headlines = [thing for thing in output if isinstance(thing, Headline)]
        if headlines:
            self.tag(headlines)
            return headlines + [thing for thing in output if not isinstance(thing, Headline)]
        return output

    def tag(self, items: list[Headline]) -> None:
        items = self.untagged_or_changed(items)
        if not items:
            return
        from classifier.errors import ModelError

        try:
            tagger = self.model.get()
        except ModelError as exc:
            self.untagged(str(exc))
            return
        try:
            predictions = tagger.predict([item.title for item in items])
        except Exception as exc:  # one bad page must not lose the crawl: stored untagged, said loudly
            logger.exception("tagging failed for %d headlines", len(items))
            self.untagged(f"tagging failed with model {tagger.model_id}: {type(exc).__name__}: {exc}")
            return
        for item, prediction in zip(items, predictions, strict=True):
            item.sector = prediction.sector
            item.confidence = round(prediction.confidence, 4)
            item.margin = round(prediction.margin, 4)
            item.tags = prediction.tags
            item.model_id = tagger.model_id

    def untagged_or_changed(self, items: list[Headline]) -> list[Headline]:
        """The items to classify; the others take the tags the store has for their unchanged title."""
        if self.store is None:
            return items
        try:
            known = self.store.known(item.url for item in items)
        except StoreError:  # the store pipeline will meet the same fault and report it
            return items
        todo = []
        for item in items:
            stored = known.get(item.url)
            if stored is None or stored.title != item.title or stored.sector is None:
                todo.append(item)
                continue
            item.sector, item.confidence, item.margin = stored.sector, stored.confidence, stored.margin
            item.tags, item.model_id = stored.tags, stored.model_id
        return todo
