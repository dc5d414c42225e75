"""The four source spiders: portal pages, RSS/Atom feeds, news sitemaps and JSON list endpoints."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.http import Request, Response, TextResponse

from crawler.pages.feed import parse_feed
from crawler.pages.jsonlist import JsonFields, parse_json_list
from crawler.pages.portal import parse_portal
from crawler.pages.result import PageResult
from crawler.pages.sitemap import parse_sitemap
from crawler.spiders.base import ExtractionError, SourceSpider

MAX_SITEMAPS = 50  # child sitemaps followed from one index


def _headers(response: Response) -> dict[str, str]:
    headers = {}
    for key in response.headers:
        value = response.headers.get(key)
        if value is not None:
            headers[bytes(key).decode("latin-1")] = value.decode("latin-1")
    return headers


class PortalSpider(SourceSpider):
    """A page that lists headline links; `links` picks them, or they are detected."""

    name = kind = "portal"

    def extract(self, response: Response) -> PageResult:
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
        if not isinstance(response, TextResponse) or "html" not in (content_type or "text/html"):
            raise ExtractionError(f"not an HTML page (Content-Type: {content_type or 'none'})")
        return parse_portal(
            response.body, response.url, self.source.name, content_type or None,
            links=self.source.links, next_page=self.source.next, tz=self.source.tz,
        )

    def follow(self, response: Response, result: PageResult) -> Iterable[Request]:
        if self.pages < self.source.max_pages:
            for url in result.follow[:1]:
                yield self.request(url, conditional=False)


class FeedSpider(SourceSpider):
    """An RSS, Atom or RDF feed."""

    name = kind = "feed"

    def extract(self, response: Response) -> PageResult:
        return parse_feed(response.body, response.url, self.source.name, _headers(response), self.source.tz)


class SitemapSpider(SourceSpider):
    """A Google News sitemap, or a sitemap index whose children are followed."""

    name = kind = "sitemap"

    def extract(self, response: Response) -> PageResult:
        return parse_sitemap(response.body, response.url, self.source.name, self.source.tz)

    def follow(self, response: Response, result: PageResult) -> Iterable[Request]:
        for url in result.follow[:MAX_SITEMAPS]:
            yield self.request(url, conditional=False)


class JsonSpider(SourceSpider):
    """A JSON endpoint that lists headlines, read with JMESPath expressions."""

    name = kind = "json"

    def extract(self, response: Response) -> PageResult:
        source = self.source
        assert source.items and source.title and source.link
        fields = JsonFields(source.items, source.title, source.link, source.date, source.base)
        return parse_json_list(response.body, response.url, source.name, fields, source.tz)


SPIDERS: dict[str, type[SourceSpider]] = {
    cls.kind: cls for cls in (PortalSpider, FeedSpider, SitemapSpider, JsonSpider)
}
