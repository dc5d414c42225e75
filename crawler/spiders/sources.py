"""The spider: every source of a crawl in one Scrapy engine, each request carrying its source's name.

One engine means Scrapy's per-site limits (requests in flight, download delay, robots.txt) hold across all
sources of a crawl, however many of them live on one host. Each request's ``meta["source"]`` keeps page
counts, the offsite rule, stats and the run record per source. The spider only navigates: page objects
read the bytes (`crawler.pages`), and failures become the source's status (`crawler.status`).

`scrapy crawl sources -a file=crawler/sources.toml` runs a sources file; `scrapy crawl portal|feed|sitemap|json
-a url=...` runs one source built from the arguments.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler import status
from crawler.failures import describe_failure
from crawler.items import Headline
from crawler.pages.feed import parse_feed
from crawler.pages.jsonlist import JsonFields, parse_json_list
from crawler.pages.portal import parse_portal
from crawler.pages.result import PageError, PageResult
from crawler.pages.sitemap import parse_sitemap
from crawler.sources import (
    DEFAULT_SOURCES,
    Source,
    SourcesError,
    allowed_host,
    load_sources,
    select_sources,
    source_from_table,
)

MAX_SITEMAPS = 50  # child sitemaps followed from one index
_INT_ARGS = ("max_pages",)


def _headers(response: Response) -> dict[str, str]:
    headers = {}
    for key in response.headers:
        value = response.headers.get(key)
        if value is not None:
            headers[bytes(key).decode("latin-1")] = value.decode("latin-1")
    return headers


def _content_type(response: Response) -> str | None:
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None


def read_portal(source: Source, response: Response) -> PageResult:
    return parse_portal(response.body, response.url, source.name, _content_type(response),
                        links=source.links, next_page=source.next, tz=source.tz)


def read_feed(source: Source, response: Response) -> PageResult:
    return parse_feed(response.body, response.url, source.name, _headers(response), source.tz)


def read_sitemap(source: Source, response: Response) -> PageResult:
    return parse_sitemap(response.body, response.url, source.name, source.tz)


def read_json(source: Source, response: Response) -> PageResult:
    assert source.items and source.title and source.link
    fields = JsonFields(source.items, source.title, source.link, source.date, source.base)
    return parse_json_list(response.body, response.url, source.name, fields, source.tz)


READERS: dict[str, Callable[[Source, Response], PageResult]] = {
    "portal": read_portal, "feed": read_feed, "sitemap": read_sitemap, "json": read_json,
}
"""The page object of each kind of source, called with the response the source's request got."""


class SourcesSpider(scrapy.Spider):
    """Crawls the sources it is given; `scrapy crawl sources -a file=... [-a names=a,b]` reads a file."""

    name = "sources"

    def __init__(self, sources: Sequence[Source] | None = None, **kwargs: Any) -> None:
        given = list(sources) if sources is not None else type(self).sources_from_args(kwargs)
        super().__init__(name=self.name)
        self.sources: dict[str, Source] = {s.name: s for s in given}
        self.hosts = {s.name: allowed_host(s.url) for s in given}
        self.pages: Counter[str] = Counter()
        # One bound method for every request: Scrapy inspects each new callback object's source code.
        self._callback, self._errback = self.parse, self.on_error

    @classmethod
    def sources_from_args(cls, args: dict[str, Any]) -> list[Source]:
        """Sources from `scrapy crawl` arguments: ``-a file=PATH`` and optional ``-a names=a,b``."""
        names = [n for n in str(args.get("names", "")).split(",") if n]
        return select_sources(load_sources(args.get("file", DEFAULT_SOURCES)), names)

    def request(self, source: Source, url: str, conditional: bool = False) -> Request:
        return Request(url, callback=self._callback, errback=self._errback,
                       meta={"source": source.name, "conditional": conditional, "handle_httpstatus_list": [304]})

    async def start(self) -> AsyncIterator[Any]:
        for source in self.sources.values():
            yield self.request(source, source.url, conditional=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Headline | Request]:
        source = self.sources[response.meta["source"]]
        stats = self.crawler.stats
        assert stats is not None
        self.pages[source.name] += 1
        stats.inc_value(status.stat(source.name, status.PAGES))
        stats.set_value(status.stat(source.name, status.LAST_ANSWER), time.time())
        if response.status == 304:
            stats.inc_value(status.stat(source.name, status.NOT_MODIFIED_PAGES))
            return
        try:
            result = READERS[source.kind](source, response)
        except PageError as exc:
            self.fail(source.name, "unparsable", f"{response.url}: {exc}")
            return
        stats.inc_value(status.stat(source.name, status.FOUND), len(result.headlines))
        for reason, count in result.skipped.items():
            stats.inc_value(status.stat(source.name, f"{status.DROPPED}/{reason}"), count)
        if result.note:
            self.logger.warning("%s: %s", source.name, result.note)
            stats.set_value(status.stat(source.name, status.NOTE), result.note)
        yield from result.headlines
        yield from self.follow(source, result)

    def follow(self, source: Source, result: PageResult) -> Iterable[Request]:
        """The next page of a paged portal (up to `max_pages`), or the child sitemaps of an index."""
        if source.kind == "portal" and self.pages[source.name] < source.max_pages:
            return [self.request(source, url) for url in result.follow[:1]]
        if source.kind == "sitemap":
            return [self.request(source, url) for url in result.follow[:MAX_SITEMAPS]]
        return []

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        name = request.meta.get("source") if request is not None else None
        kind, message = describe_failure(failure)
        if name in self.sources:
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(status.stat(name, status.LAST_ANSWER), time.time())
            self.fail(name, kind, message)
        else:
            self.logger.error("%s", message)

    def fail(self, source: str, kind: str, message: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        self.logger.error("%s: %s", source, message)
        status.record_error(stats, source, kind, message)


class _OneSourceSpider(SourcesSpider):
    """`scrapy crawl KIND -a url=... [-a key=value ...]`: one source, validated like the sources file."""

    name = ""  # not a spider of its own: `scrapy list` shows its subclasses
    kind: ClassVar[str]

    @classmethod
    def sources_from_args(cls, args: dict[str, Any]) -> list[Source]:
        if "url" not in args:
            raise SourcesError(f"spider '{cls.kind}': give the page to crawl with -a url=URL")
        values: dict[str, Any] = {k: v for k, v in args.items() if not k.startswith("_")}
        host = urlsplit(values["url"]).hostname or "source"
        values.setdefault("name", f"{cls.kind}-" + host.replace(".", "-"))
        values["kind"] = cls.kind
        for key in _INT_ARGS:
            if isinstance(values.get(key), str) and values[key].isdigit():
                values[key] = int(values[key])
        return [source_from_table(values, "spider arguments")]


class PortalSpider(_OneSourceSpider):
    name = kind = "portal"


class FeedSpider(_OneSourceSpider):
    name = kind = "feed"


class SitemapSpider(_OneSourceSpider):
    name = kind = "sitemap"


class JsonSpider(_OneSourceSpider):
    name = kind = "json"
