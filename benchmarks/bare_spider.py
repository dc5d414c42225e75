"""The bare Scrapy spider of benchmarks/crawl_bench.py: the same link extraction, nothing else.

Run by crawl_bench.py in a child process:
    python benchmarks/bare_spider.py STARTS_JSON SELECTOR PAGES OUT_JSON [plain|fixed]
(an empty SELECTOR detects links). It yields each link as a dict: no pipelines, no store, no classifier.
`fixed` applies the four process-level fixes `headlines` uses: one bound callback for every request (Scrapy
inspects the source of each new callback object), no log record per scraped item, `gc.freeze()` when the
spider opens (start-up's objects kept out of garbage collections), and CONCURRENT_ITEMS = 8 (Scrapy starts
that many tasks for every response's output, 100 by default).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.logformatter import LogFormatter

from crawler.pages.detect import detect_links
from crawler.pages.links import select_links


class Bare(scrapy.Spider):
    """Follows `a.next` up to `pages` pages from each start URL, yielding every headline link."""

    name = "bare"

    def __init__(self, starts: list[str], selector: str, pages: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = starts
        self.selector = selector
        self.pages = pages

    def parse(self, response: Response, depth: int = 1, **kwargs: Any) -> Iterator[Any]:
        page = Selector(text=response.text, base_url=response.url)
        if self.selector:
            links = select_links(page, response.url, self.selector)
        else:
            links = detect_links(page, response.url)
        for link in links:
            yield {"title": link.title, "url": link.url}
        nxt = page.css("a.next::attr(href)").get()
        if nxt and depth < self.pages:
            yield response.follow(nxt, self.callback(), cb_kwargs={"depth": depth + 1})

    def callback(self) -> Any:
        return self.parse


class Fixed(Bare):
    """The bare spider with one bound callback for every request, and start-up frozen out of the GC."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parse_once = self.parse

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.freeze, signal=signals.spider_opened)
        return spider

    def freeze(self) -> None:
        gc.collect()
        gc.freeze()

    def callback(self) -> Any:
        return self._parse_once


class QuietItems(LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        return None


def main() -> None:
    starts, selector, pages, out = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    fixed = len(sys.argv) > 5 and sys.argv[5] == "fixed"
    settings: dict[str, Any] = {"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False, "DOWNLOAD_DELAY": 0,
                                "CONCURRENT_REQUESTS_PER_DOMAIN": 2 * len(starts), "TELNETCONSOLE_ENABLED": False}
    if fixed:
        settings["LOG_FORMATTER"] = f"{__name__}.QuietItems"
        settings["CONCURRENT_ITEMS"] = 8
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Fixed if fixed else Bare)
    process.crawl(crawler, starts=starts, selector=selector, pages=pages)
    process.start()
    stats = crawler.stats
    assert stats is not None
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"seconds": stats.get_value("elapsed_time_seconds"),
                   "items": stats.get_value("item_scraped_count", 0),
                   "pages": stats.get_value("response_received_count", 0)}, f)


if __name__ == "__main__":
    main()
