"""Conditional requests: remember each source URL's ETag and Last-Modified, and ask with them next time.

A 304 answer costs no parsing. Validators are saved only when the run ended well, so a crawl that failed
after the download (or was killed) fetches the full page again next time instead of skipping headlines.
"""

from __future__ import annotations

from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from crawler.spiders.base import ERROR_KIND
from crawler.store import HeadlineStore, open_store


class ConditionalRequestMiddleware:
    """Adds If-None-Match / If-Modified-Since to requests marked ``meta["conditional"]``."""

    def __init__(self, crawler: Crawler, store: HeadlineStore) -> None:
        self.crawler = crawler
        self.store = store
        self.fresh: dict[str, tuple[str | None, str | None]] = {}
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, open_store(crawler.settings.get("HEADLINES_DB")))

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        etag, last_modified = self.store.validators(request.url)
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if last_modified:
            request.headers.setdefault("If-Modified-Since", last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = response.headers.get("ETag")
            modified = response.headers.get("Last-Modified")
            if etag or modified:
                self.fresh[request.url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response

    def spider_closed(self) -> None:
        assert self.crawler.stats is not None
        try:
            if self.crawler.stats.get_value(ERROR_KIND) is None:
                for url, (etag, modified) in self.fresh.items():
                    self.store.save_validators(url, etag, modified)
        finally:
            self.store.close()
