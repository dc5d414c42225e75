"""What every source spider shares: building its source, requesting, counting and naming failures.

A spider runs one source. `headlines crawl` passes a validated `Source`; `scrapy crawl KIND -a url=...`
builds one from the command-line arguments with the same validation as the sources file. Failures are
turned into a kind (http_error, dns_error, timeout, ...) and a one-line message in the crawl stats, which
the run recorder turns into the source's status.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from crawler.pages.result import PageResult
from crawler.sources import Source, SourcesError, source_from_table

ERROR_KIND = "headlines/error_kind"
ERROR_MESSAGE = "headlines/error"

_INT_ARGS = ("max_pages",)


class ExtractionError(Exception):
    """A response arrived but could not be read as the source's kind."""


def source_from_args(kind: str, args: dict[str, Any]) -> Source:
    """Build a Source from `-a key=value` spider arguments, validated like the sources file."""
    if "url" not in args:
        raise SourcesError(f"spider '{kind}': give the page to crawl with -a url=URL")
    values: dict[str, Any] = {k: v for k, v in args.items() if not k.startswith("_")}
    values.setdefault("name", f"{kind}-" + (urlsplit(values["url"]).hostname or "source").replace(".", "-"))
    values["kind"] = kind
    for key in _INT_ARGS:
        if key in values and isinstance(values[key], str) and values[key].isdigit():
            values[key] = int(values[key])
    return source_from_table(values, "spider arguments")


def classify_failure(failure: Failure) -> tuple[str, str]:
    """Name what went wrong with a request: (kind, one-line message)."""
    exc = failure.value
    request = getattr(failure, "request", None)
    url = request.url if request is not None else ""
    if isinstance(exc, HttpError):
        return "http_error", f"HTTP {exc.response.status} for {exc.response.url}"
    if isinstance(exc, CannotResolveHostError | DNSLookupError):
        return "dns_error", f"cannot resolve host {urlsplit(url).hostname or url}"
    if isinstance(exc, DownloadTimeoutError | TxTimeoutError | TCPTimedOutError):
        return "timeout", f"no answer in time from {url}"
    if isinstance(exc, DownloadConnectionRefusedError | TxConnectionRefused):
        return "connection_error", f"connection refused by {urlsplit(url).netloc or url}"
    if isinstance(exc, DownloadCancelledError):
        return "too_large", f"response too large, download cancelled: {url}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "offsite" in text.lower():
            return "offsite", f"redirected to another site, not followed: {url}"
        if "robots.txt" in text:
            return "robots", f"forbidden by robots.txt: {url}"
        return "ignored", f"{text}: {url}"
    return "download_error", f"{type(exc).__name__}: {exc} ({url})"


class SourceSpider(scrapy.Spider):
    """Base of the four source spiders; subclasses implement `extract`."""

    kind: ClassVar[str]

    def __init__(self, source: Source | None = None, **kwargs: Any) -> None:
        self.source = source if source is not None else source_from_args(self.kind, kwargs)
        super().__init__(name=self.kind)
        host = (urlsplit(self.source.url).hostname or "").removeprefix("www.")
        self.allowed_domains = [host] if host else []
        self.pages = 0

    def request(self, url: str, **meta: Any) -> Request:
        return Request(
            url, callback=self.parse, errback=self.on_error,
            meta={"conditional": True, "handle_httpstatus_list": [304], **meta},
        )

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.source.url)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        self.pages += 1
        if response.status == 304:
            stats.inc_value("headlines/not_modified")
            return
        try:
            result = self.extract(response)
        except (ExtractionError, ValueError) as exc:
            self.fail("unparsable", f"{response.url}: {exc}")
            return
        stats.inc_value("headlines/found", len(result.headlines))
        for reason, count in result.skipped.items():
            stats.inc_value(f"headlines/dropped/{reason}", count)
        if result.note:
            self.logger.warning("%s: %s", self.source.name, result.note)
            stats.set_value("headlines/note", result.note)
        yield from result.headlines
        yield from self.follow(response, result)

    def follow(self, response: Response, result: PageResult) -> Iterable[Request]:
        """Requests for the pages a result points to; none by default."""
        return ()

    def extract(self, response: Response) -> PageResult:
        raise NotImplementedError

    def on_error(self, failure: Failure) -> None:
        kind, message = classify_failure(failure)
        self.fail(kind, message)

    def fail(self, kind: str, message: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        self.logger.error("%s: %s", self.source.name, message)
        if stats.get_value(ERROR_KIND) is None:
            stats.set_value(ERROR_KIND, kind)
            stats.set_value(ERROR_MESSAGE, message)
        stats.inc_value(f"headlines/errors/{kind}")

