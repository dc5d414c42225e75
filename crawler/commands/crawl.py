"""`scrapy crawl`, refusing bad spider arguments before the crawl starts.

Scrapy builds the spider inside the running reactor, so an argument error there ends in a traceback and
exit code 1. The project's spiders can check their arguments up front; a bad one is a usage error: one
line naming it, exit code 2.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from crawler.errors import SourcesError
from crawler.spiders.sources import SourcesSpider


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                raise UsageError(f"no spider named {args[0]!r} (see `scrapy list`)", print_help=False) from None
            if issubclass(spidercls, SourcesSpider):
                try:
                    spidercls.sources_from_args(dict(opts.spargs))
                except SourcesError as exc:
                    raise UsageError(str(exc), print_help=False) from None
        super().run(args, opts)
