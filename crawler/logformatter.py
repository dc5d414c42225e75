"""How Scrapy logs items: nothing for each stored headline, one short DEBUG line for each drop.

Scrapy builds a log record for every scraped item (with the item's repr) even when nothing prints it, and
logs a dropped item whole at WARNING. Headlines are counted in the crawl stats instead; a drop is worth a
line with its reason and URL when someone turns on debug output.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class HeadlinesLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return None  # type: ignore[return-value]  # Scrapy skips logging when a formatter returns None

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        return {"level": logging.DEBUG, "msg": "dropped %(reason)s", "args": {"reason": str(exception)}}
