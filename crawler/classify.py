"""Tagging headlines as they leave the spider, one model call per page.

A spider middleware sees everything one response produced at once, so the headlines of a page are tagged
together before they enter the item pipelines; `scrapy crawl KIND -O out.csv` exports them tagged. (An item
pipeline sees one item at a time, and batching there costs a future and a task per item.)

By default the model runs in a child process (`crawler.tagging.TaggingChild`, setting
``HEADLINES_CLASSIFY_PROCESS``): while it tags one page, the crawl's thread goes on reading others, and the
crawl itself never imports scikit-learn. With the setting off, pages are tagged in the crawl's thread. A
page's requests for more pages pass on at once; its headlines follow once tagged.

A headline the store already has under the same title keeps its stored tags (re-crawls are mostly such
headlines; classifying them again would change nothing but the time it takes); only new headlines and
changed titles are classified. The model is loaded when the crawl is set up, before its engine starts, and
looked up again for every page, so a model promoted while a long crawl runs is used from then on. Without a
usable model headlines go on untagged, and the crawl says so once (`status.MODEL_ERROR`): `headlines retag`
tags them later.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from pathlib import Path
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from classifier.errors import ModelError, TaggingError
from classifier.offload import InProcessTagging
from crawler import status
from crawler.extensions import crawl_store
from crawler.items import Headline
from crawler.tagging import TaggingChild, TaggingProcessEnded, tagging_child
from store import Store, StoreError

logger = logging.getLogger(__name__)


class ClassifyMiddleware:
    """Tags the headlines a response yields (settings ``HEADLINES_CLASSIFY``, ``HEADLINES_CLASSIFY_PROCESS``;
    models from ``HEADLINES_MODELS``)."""

    def __init__(self, crawler: Crawler, tagging: TaggingChild | InProcessTagging) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.tagging = tagging
        self.store: Store | None = None
        self.checked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("HEADLINES_CLASSIFY"):
            raise NotConfigured("HEADLINES_CLASSIFY is off")
        models = Path(settings.get("HEADLINES_MODELS"))
        tagging = tagging_child(models) if settings.getbool("HEADLINES_CLASSIFY_PROCESS") else InProcessTagging(models)
        middleware = cls(crawler, tagging)
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        try:  # load it now, before the engine starts: loading is a fixed cost, not the crawl's pace
            tagging.load()
        except Exception as exc:  # noqa: BLE001 - reported: the crawl goes on, untagged
            middleware.failed(exc)
        return middleware

    def open(self) -> None:
        """Find the store once, at the first page (the crawl's components all exist then)."""
        self.checked = True
        if self.store is None and self.crawler.settings.get("HEADLINES_DB"):
            self.store = crawl_store(self.crawler)

    async def close(self) -> None:
        if isinstance(self.tagging, TaggingChild):
            await maybe_deferred_to_future(self.tagging.close())

    def untagged(self, reason: str) -> None:
        """Say once, clearly, that headlines are being stored without tags, and why."""
        if self.stats.get_value(status.MODEL_ERROR) is None:
            self.stats.set_value(status.MODEL_ERROR, reason)
            logger.error("headlines are stored untagged (run `headlines retag` once the model is fixed): %s",
                         reason)

    async def process_spider_output(self, response: Response, result: AsyncIterable[Any]) -> AsyncIterator[Any]:
        headlines, others = split([thing async for thing in result])
        for thing in others:  # requests for the next pages go to the scheduler before the wait
            yield thing
        if not self.checked:
            self.open()
        todo = self.untagged_or_changed(headlines) if headlines else headlines
        if todo:
            try:
                tagged = self.tagging.tag([item.title for item in todo])
                if isinstance(tagged, Deferred):  # the crawl reads other pages meanwhile
                    tagged = await maybe_deferred_to_future(tagged)
            except Exception as exc:  # noqa: BLE001 - one bad page must not lose the crawl: stored untagged
                self.failed(exc)
            else:
                for item, tags in zip(todo, tagged.tags, strict=True):
                    item.sector, item.confidence, item.margin, item.tags = tags
                    item.model_id = tagged.model_id
        for headline in headlines:
            yield headline

    def failed(self, exc: Exception) -> None:
        """Say why headlines go untagged, once; with a traceback only for a fault nobody foresaw (a model's
        own fault comes with the model's name, and the tagging process prints its traceback itself)."""
        if isinstance(exc, ModelError | TaggingError | TaggingProcessEnded):
            self.untagged(str(exc))
            return
        if self.stats.get_value(status.MODEL_ERROR) is None:
            logger.error("tagging failed", exc_info=exc)
        self.untagged(f"tagging failed: {type(exc).__name__}: {exc}")

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


def split(output: Iterable[Any]) -> tuple[list[Headline], list[Any]]:
    """A page's headlines, and the rest of its output (requests for more pages)."""
    headlines: list[Headline] = []
    others: list[Any] = []
    for thing in output:
        (headlines if isinstance(thing, Headline) else others).append(thing)
    return headlines, others
