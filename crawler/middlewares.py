"""Downloader middlewares: conditional requests, and the offsite rule applied per source.

`ConditionalRequestMiddleware` remembers each source URL's ETag and Last-Modified and asks with them next
time, so an unchanged feed costs a 304 and no parsing. Validators are saved only after the source's run
ended `ok`: after a failure or an empty page the next crawl fetches the page whole again, so a broken
source stays visibly broken instead of turning into `not_modified`.

`SourceOffsiteMiddleware` keeps each source on its own site (a redirect to another site is not followed
and the source says so), although one spider crawls every source.
"""

from __future__ import annotations

import logging
import re
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler import status
from crawler.extensions import crawl_store
from crawler.signals import source_finished
from store import RunRecord, Store, StoreError

logger = logging.getLogger(__name__)


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked ``meta["conditional"]``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: Store | None = None
        self.fresh: dict[str, dict[str, tuple[str | None, str | None]]] = {}  # source -> url -> validators
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.source_finished, signal=source_finished)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("HEADLINES_CONDITIONAL", True):
            raise NotConfigured("HEADLINES_CONDITIONAL is off")
        return cls(crawler)

    def spider_opened(self) -> None:
        if self.store is None:
            self.store = crawl_store(self.crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional") or self.store is None:
            return
        try:
            etag, last_modified = self.store.validators(request.url)
        except StoreError as exc:  # without validators the page is fetched whole: slower, never wrong
            logger.warning("%s", exc)
            return
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            if etag or modified:
                source = str(request.meta.get("source", ""))
                self.fresh.setdefault(source, {})[request.url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response

    def source_finished(self, run: RunRecord) -> None:
        fresh = self.fresh.pop(run.source, {})
        if run.status != status.OK or self.store is None:
            return
        for url, (etag, modified) in fresh.items():
            try:
                self.store.save_validators(url, etag, modified)
            except StoreError as exc:  # the next crawl fetches the page whole again
                logger.warning("%s: validators not saved: %s", run.source, exc)


class SourceOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter with each request judged against its own source's site."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._by_host: dict[str, re.Pattern[str]] = {}

    def should_follow(self, request: Request, spider: Spider) -> bool:
        host = getattr(spider, "hosts", {}).get(request.meta.get("source"))
        if not host:
            return super().should_follow(request, spider)
        pattern = self._by_host.get(host)
        if pattern is None:
            pattern = self._by_host[host] = re.compile(rf"^(.*\.)?{re.escape(host)}$")
        return bool(pattern.search(urlparse_cached(request).hostname or ""))

    def process_request(self, request: Request) -> None:  # type: ignore[override]
        try:
            super().process_request(request)
        except IgnoreRequest:
            source = request.meta.get("source")
            host = getattr(self.crawler.spider, "hosts", {}).get(source)
            if source and self.stats is not None:
                status.record_error(self.stats, str(source), "offsite",
                                    f"redirected to another site, not followed: {request.url} (allowed: {host})")
            raise
