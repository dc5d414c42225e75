"""The status rule, the names of failures and the spider arguments, on inputs written for the tests."""

from __future__ import annotations

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler import status
from crawler.failures import describe_failure
from crawler.sources import SourcesError
from crawler.spiders.sources import PortalSpider, SourcesSpider


@pytest.mark.parametrize(
    ("stats", "finished", "expected"),
    [
        ({"found": 3}, True, "ok"),
        ({}, True, "empty"),
        ({"not_modified": 1}, True, "not_modified"),
        ({"found": 3, "error_kind": "timeout", "error": "no answer"}, True, "timeout"),
        ({"found": 3, "error_kind": "store_error", "error": "disk full"}, True, "store_error"),
        ({"found": 3}, False, "interrupted"),
        ({"error_kind": "http_error", "error": "HTTP 404"}, False, "http_error"),
    ],
)
def test_one_rule_maps_stats_to_a_status(stats: dict[str, object], finished: bool, expected: str) -> None:
    assert status.decide(stats, finished)[0] == expected


def test_the_first_recorded_failure_is_the_cause() -> None:
    class Stats(dict):  # type: ignore[type-arg]
        def get_value(self, key: str, default: object = None) -> object:
            return self.get(key, default)

        def set_value(self, key: str, value: object) -> None:
            self[key] = value

    stats = Stats()
    assert status.record_error(stats, "s", "timeout", "no answer in time")
    assert not status.record_error(stats, "s", "store_error", "disk full")
    assert status.decide(status.source_stats(stats, "s")) == ("timeout", "no answer in time")
    with pytest.raises(ValueError, match="unknown status"):
        status.record_error(stats, "t", "weird", "x")


def _failure(exc: Exception, url: str = "https://news.example.test:8443/feed") -> Failure:
    failure = Failure(exc)
    failure.request = Request(url)  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (HttpError(Response("https://x.test/f", status=503), "bad"), "http_error", "HTTP 503 for https://x.test/f"),
        (CannotResolveHostError("nope"), "dns_error", "cannot resolve host news.example.test"),
        (DownloadTimeoutError("slow"), "timeout", "no answer in time"),
        (DownloadCancelledError("big"), "too_large", "too large"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots", "robots.txt"),
        (IgnoreRequest("Filtered offsite request to 'other.test'"), "offsite", "another site"),
        (IgnoreRequest("max redirections reached"), "http_error", "too many redirects at"),
        (ResponseFailed([Failure(ConnectionLost("gone"))]), "connection_error",
         "connection closed by news.example.test:8443 before the response ended"),
    ],
)
def test_failures_get_a_status_and_a_one_line_message(exc: Exception, kind: str, text: str) -> None:
    got_kind, message = describe_failure(_failure(exc))
    assert got_kind == kind and text in message and "\n" not in message and "<" not in message
    assert got_kind in status.STATUSES


def test_spider_arguments_are_validated_like_the_sources_file() -> None:
    spider = PortalSpider(url="https://www.example.com/live/", links="ul a", max_pages="3")
    (source,) = spider.sources.values()
    assert (source.name, source.links, source.max_pages) == ("portal-www-example-com", "ul a", 3)
    assert spider.hosts == {"portal-www-example-com": "example.com"}
    with pytest.raises(SourcesError, match="key 'links' is not a valid CSS selector"):
        PortalSpider(url="https://x.test/", links="a[[")
    with pytest.raises(SourcesError, match="-a url=URL"):
        PortalSpider()


def test_the_sources_spider_reads_a_sources_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text('[[sources]]\nname = "one"\nkind = "feed"\nurl = "https://a.test/f"\n'
                    '[[sources]]\nname = "two"\nkind = "feed"\nurl = "https://b.test/f"\n', encoding="utf-8")
    assert list(SourcesSpider(file=str(path)).sources) == ["one", "two"]
    assert list(SourcesSpider(file=str(path), names="two").sources) == ["two"]
