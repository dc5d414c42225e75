"""Pipelines and the failure names of the spiders, built from a real crawler's settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadTimeoutError,
    DropItem,
    IgnoreRequest,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.extensions import run_status
from crawler.items import Headline
from crawler.pipelines import DedupePipeline, NormalizePipeline, StorePipeline
from crawler.sources import SourcesError
from crawler.spiders.base import classify_failure, source_from_args
from crawler.store import SQLiteStore


def item(title: str = "Chipmaker opens a new fab", url: str = "https://X.test/a?utm_source=rss#top") -> Headline:
    return Headline(title=title, url=url, source="s",
                    published_at=datetime(2026, 11, 20, 8, tzinfo=timezone(timedelta(hours=8))))


def crawler(tmp_path: Path):  # type: ignore[no-untyped-def]
    c = get_crawler(settings_dict={"HEADLINES_DB": str(tmp_path / "h.sqlite3"), "HEADLINES_STORE_BATCH": 2})
    c.stats.open_spider()
    return c


def test_normalize_cleans_and_canonicalises(tmp_path: Path) -> None:
    got = NormalizePipeline.from_crawler(crawler(tmp_path)).process_item(item(" Chipmaker  <i>opens</i> a fab "))
    assert (got.title, got.url) == ("Chipmaker opens a fab", "https://x.test/a")
    assert got.published_at == datetime(2026, 11, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("title", "url", "reason"),
    [("", "https://x.test/a", "empty_title"), ("   ", "https://x.test/a", "empty_title"),
     ("Read more", "https://x.test/a", "navigation_title"), ("A headline", "javascript:void(0)", "bad_url")],
)
def test_normalize_drops_with_a_counted_reason(tmp_path: Path, title: str, url: str, reason: str) -> None:
    c = crawler(tmp_path)
    with pytest.raises(DropItem):
        NormalizePipeline.from_crawler(c).process_item(item(title, url))
    assert c.stats.get_value(f"headlines/dropped/{reason}") == 1


def test_dedupe_passes_each_url_once_and_counts_repeats(tmp_path: Path) -> None:
    c = crawler(tmp_path)
    pipe = DedupePipeline.from_crawler(c)
    pipe.process_item(item(url="https://x.test/a"))
    with pytest.raises(DropItem):
        pipe.process_item(item(url="https://x.test/a"))
    assert c.stats.get_value("headlines/duplicates") == 1


def test_store_writes_in_batches_and_at_close(tmp_path: Path) -> None:
    c = crawler(tmp_path)
    pipe = StorePipeline.from_crawler(c)
    for n in range(3):
        pipe.process_item(item(url=f"https://x.test/{n}"))
    reader = SQLiteStore(tmp_path / "h.sqlite3")
    assert reader.count() == 2  # one full batch committed, one headline still buffered
    pipe.close_spider()
    assert reader.count() == 3
    assert c.stats.get_value("headlines/new") == 3


def _failure(exc: Exception, url: str = "https://news.example.test/feed") -> Failure:
    failure = Failure(exc)
    failure.request = Request(url)  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (HttpError(Response("https://x.test/f", status=503), "bad"), "http_error", "HTTP 503"),
        (CannotResolveHostError("nope"), "dns_error", "cannot resolve host news.example.test"),
        (DownloadTimeoutError("slow"), "timeout", "no answer in time"),
        (DownloadCancelledError("big"), "too_large", "too large"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots", "robots.txt"),
        (IgnoreRequest("Filtered offsite request to 'other.test'"), "offsite", "another site"),
    ],
)
def test_failures_get_a_kind_and_a_one_line_message(exc: Exception, kind: str, text: str) -> None:
    got_kind, message = classify_failure(_failure(exc))
    assert got_kind == kind and text in message and "\n" not in message


@pytest.mark.parametrize(
    ("stats", "status"),
    [({"headlines/found": 3}, "ok"), ({}, "empty"), ({"headlines/not_modified": 1}, "not_modified"),
     ({"headlines/found": 3, "headlines/error_kind": "timeout"}, "timeout")],
)
def test_run_status(stats: dict[str, object], status: str) -> None:
    assert run_status(stats) == status


def test_spider_arguments_are_validated_like_the_sources_file() -> None:
    source = source_from_args("portal", {"url": "https://www.example.com/live/", "links": "ul a", "max_pages": "3"})
    assert (source.name, source.links, source.max_pages) == ("portal-www-example-com", "ul a", 3)
    with pytest.raises(SourcesError, match="key 'links' is not a valid CSS selector"):
        source_from_args("portal", {"url": "https://x.test/", "links": "a[["})
    with pytest.raises(SourcesError, match="-a url=URL"):
        source_from_args("feed", {})
