"""Duplicate requests filtered per source, and redirect loops named instead of silently dropped.

One engine serves every source of a crawl, so Scrapy's own filter would let only the first of two sources
that read the same page see it. Here a request is a repeat only within its own source. A redirect chain
that comes back to a URL it already passed is a loop: the source fails with ``http_error`` and says where.
"""

from __future__ import annotations

from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.statscollectors import StatsCollector
from scrapy.utils.request import RequestFingerprinterProtocol

from crawler import status


class SourceDupeFilter(BaseDupeFilter):
    """Filters a request whose fingerprint its source has already requested."""

    def __init__(self, fingerprinter: RequestFingerprinterProtocol, stats: StatsCollector) -> None:
        self.fingerprinter = fingerprinter
        self.stats = stats
        self.seen: set[tuple[str, bytes]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.request_fingerprinter, crawler.stats)

    def request_seen(self, request: Request) -> bool:
        source = str(request.meta.get("source", ""))
        key = (source, self.fingerprinter.fingerprint(request))
        if key not in self.seen:
            self.seen.add(key)
            return False
        chain = request.meta.get("redirect_urls") or ()
        if source and request.url in chain:
            status.record_error(self.stats, source, "http_error", f"redirect loop at {request.url}")
        self.stats.inc_value("dupefilter/filtered")
        return True
