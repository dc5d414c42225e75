"""Scrapy's downloader with its per-site concurrency limit enforced when several requests wait at once.

In Scrapy 2.19 a slot's queue is drained by a loop that checks ``free_transfer_slots()`` and starts each
download as an asyncio task; the request enters the slot's ``transferring`` set only when that task first
runs, after the loop. With no download delay, one pass starts every queued request of the site: six
sources on one host had six requests in flight under CONCURRENT_REQUESTS_PER_DOMAIN = 2. Here a request is
counted as transferring as soon as its download is scheduled (the task adds it again, which changes
nothing, and removes it when done). The scrapy pin (<2.20) keeps this override on the code it was written
for; `tests/integration/test_crawl.py` counts requests in flight on a real server and fails without it.
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro


class SlotLimitedDownloader(Downloader):
    """`Downloader` whose queue processing never starts more downloads than a slot's concurrency."""

    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # counted now, not when the task gets to run
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
