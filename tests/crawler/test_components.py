"""The crawl's components, each built from a real crawler's settings and run against a real store.

Scrapy's own tests build components this way (`get_crawler` + `build_from_crawler`), without a running
reactor: dedupe, classify and store pipelines, the run recorder, conditional requests, the offsite rule
and the duplicate-request filter.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler import status
from crawler.classify import ClassifyMiddleware
from crawler.dupefilter import SourceDupeFilter
from crawler.extensions import RunRecorder
from crawler.items import Headline
from crawler.middlewares import ConditionalRequestMiddleware, SourceOffsiteMiddleware
from crawler.pipelines import DedupePipeline, StorePipeline
from crawler.signals import source_finished
from crawler.sources import parse_sources
from crawler.spiders.sources import SourcesSpider
from store import NewHeadline, RunRecord, Store, StoreFull, open_store
from tests.conftest import train_small

SOURCES = parse_sources(
    '[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://www.a.test/feed"\n'
    '[[sources]]\nname = "b"\nkind = "portal"\nurl = "https://b.test/live/"\n'
)


def item(url: str, source: str = "a", title: str = "Chipmaker opens a new fab") -> Headline:
    return Headline(title=title, url=url, source=source, published_at=datetime(2026, 11, 20, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "h.sqlite3") as opened:
        yield opened


@pytest.fixture
def crawler(tmp_path: Path) -> Crawler:
    c = get_crawler(SourcesSpider, {"HEADLINES_DB": str(tmp_path / "h.sqlite3"), "HEADLINES_STORE_BATCH": 2,
                                    "HEADLINES_MODELS": str(tmp_path / "models"), "HEADLINES_CLASSIFY": True,
                                    })
    c.spider = c._create_spider(sources=SOURCES)
    assert c.stats is not None
    c.stats.open_spider()
    return c


def stats_of(crawler: Crawler, source: str) -> dict[str, Any]:
    assert crawler.stats is not None
    return status.source_stats(crawler.stats.get_stats(), source)


# -- pipelines ------------------------------------------------------------------------------------------


def test_dedupe_passes_each_url_once_and_counts_repeats_against_their_source(crawler: Crawler) -> None:
    pipe = build_from_crawler(DedupePipeline, crawler)
    pipe.process_item(item("https://x.test/1", "a"))
    with pytest.raises(DropItem):
        pipe.process_item(item("https://x.test/1", "b"))
    assert stats_of(crawler, "b") == {"duplicates": 1} and stats_of(crawler, "a") == {}


def test_store_writes_in_batches_and_counts_per_source(crawler: Crawler, store: Store) -> None:
    store.add([NewHeadline("Known", "https://x.test/known", "b")], datetime.now(UTC))
    pipe = build_from_crawler(StorePipeline, crawler)
    pipe.store = store
    for n, source in enumerate(["a", "a", "b"]):
        pipe.process_item(item(f"https://x.test/{n}", source))
    assert store.count() == 3  # one batch of two committed, the third still buffered
    pipe.process_item(item("https://x.test/known", "b"))
    pipe.close_spider()
    assert store.count() == 4
    assert stats_of(crawler, "a") == {"new": 2, "duplicates": 0}
    assert stats_of(crawler, "b") == {"new": 1, "duplicates": 1}


class FullStore:
    """A store on a disk that has just filled up: every write fails as SQLite reports it."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def add(self, *args: object, **kwargs: object) -> None:
        raise StoreFull(f"{self.inner.location}: the disk is full or failing (database or disk is full)")


def test_a_batch_the_store_cannot_commit_fails_its_sources_and_counts_nothing_new(crawler: Crawler,
                                                                                   store: Store) -> None:
    pipe = build_from_crawler(StorePipeline, crawler)
    pipe.store = FullStore(store)  # type: ignore[assignment]
    pipe.process_item(item("https://x.test/1", "a"))
    pipe.process_item(item("https://x.test/2", "b"))
    for source in ("a", "b"):
        counts = stats_of(crawler, source)
        assert counts["error_kind"] == "store_error" and "disk is full" in counts["error"]
        assert counts["unstored"] == 1 and "new" not in counts
    assert status.decide(stats_of(crawler, "a") | {"found": 1})[0] == "store_error"


def classify(middleware: ClassifyMiddleware, items: list[Headline]) -> list[Headline]:
    """What the middleware passes on of one page's output, tagged in-process (a request in it passes on
    untouched, first)."""
    page = Request("https://x.test/page")

    async def output() -> AsyncIterator[Any]:
        for thing in [*items, page]:
            yield thing

    async def passed() -> list[Any]:
        return [thing async for thing in middleware.process_spider_output(Response("https://x.test/page"),
                                                                           output())]

    out = asyncio.run(passed())
    assert out[0] is page
    return out[1:]


def test_classify_tags_a_batch_with_the_current_model(crawler: Crawler, small_models: Path, store: Store) -> None:
    crawler.settings.frozen = False
    crawler.settings.set("HEADLINES_MODELS", str(small_models))
    pipe = build_from_crawler(ClassifyMiddleware, crawler)
    pipe.store = store
    pipe.open()
    got = (classify(pipe, [item("https://x.test/1", title="SMIC expands 28nm wafer output at its fab"),
                                    item("https://x.test/2", title="Alipay adds tap-to-pay for foreign cards")]))
    assert [h.sector for h in got] == ["chips", "fintech"]
    assert all(h.model_id and 0 < h.confidence <= 1 and 0 <= h.margin <= h.confidence for h in got)  # type: ignore
    assert crawler.stats.get_value(status.MODEL_ERROR) is None  # type: ignore[union-attr]


def test_without_a_model_headlines_pass_untagged_and_nothing_is_trained(
        crawler: Crawler, tmp_path: Path, caplog: pytest.LogCaptureFixture, store: Store) -> None:
    pipe = build_from_crawler(ClassifyMiddleware, crawler)
    pipe.store = store
    pipe.open()
    got = (classify(pipe, [item("https://x.test/1")]))
    got += (classify(pipe, [item("https://x.test/2")]))
    assert [(h.sector, h.model_id) for h in got] == [(None, None), (None, None)]
    assert "no model in" in crawler.stats.get_value(status.MODEL_ERROR)  # type: ignore[union-attr]
    assert not (tmp_path / "models").exists()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "stored untagged" in errors[0]  # said once, and nothing else went wrong


class Broken:
    model_id = "broken"

    def predict(self, texts: list[str]) -> list[Any]:
        raise RuntimeError("the model blew up")


def test_a_batch_that_cannot_be_tagged_is_stored_untagged_and_said(crawler: Crawler, store: Store,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    pipe = build_from_crawler(ClassifyMiddleware, crawler)
    pipe.store = store
    pipe.tagging.model.get = lambda: Broken()  # type: ignore[method-assign, assignment, return-value, union-attr]
    crawler.stats.set_value(status.MODEL_ERROR, None)  # type: ignore[union-attr]  # forget "no model" at set-up
    (got,) = (classify(pipe, [item("https://x.test/1")]))
    assert got.sector is None
    assert "tagging failed with model broken" in crawler.stats.get_value(status.MODEL_ERROR)  # type: ignore
    assert "the model blew up" in caplog.text


def test_a_known_unchanged_headline_keeps_its_stored_tags_without_being_classified(crawler: Crawler,
                                                                                   store: Store) -> None:
    store.add([NewHeadline("Chipmaker opens a new fab", "https://x.test/1", "a", sector="chips", confidence=0.9,
                           margin=0.8, tags=("chips",), model_id="old"),
               NewHeadline("An old title", "https://x.test/2", "a", sector="ev", confidence=0.7, tags=("ev",),
                           model_id="old")], datetime.now(UTC))
    pipe = build_from_crawler(ClassifyMiddleware, crawler)
    pipe.store = store
    pipe.tagging.model.get = lambda: Broken()  # type: ignore[method-assign, assignment, return-value, union-attr]
    crawler.stats.set_value(status.MODEL_ERROR, None)  # type: ignore[union-attr]  # forget "no model" at set-up
    known, changed = (classify(pipe, [item("https://x.test/1"), item("https://x.test/2")]))
    assert (known.sector, known.confidence, known.tags, known.model_id) == ("chips", 0.9, ("chips",), "old")
    assert changed.sector is None  # its title changed: it was sent to the (broken) model
    assert "tagging failed" in crawler.stats.get_value(status.MODEL_ERROR)  # type: ignore[union-attr]


def test_a_model_promoted_during_a_long_crawl_is_used_from_the_next_batch(crawler: Crawler, tmp_path: Path,
                                                                         small_models: Path, store: Store) -> None:
    models = Path(shutil.copytree(small_models, tmp_path / "models"))
    pipe = build_from_crawler(ClassifyMiddleware, crawler)
    pipe.store = store
    (first,) = (classify(pipe, [item("https://x.test/1")]))
    newer = train_small(models)
    (second,) = (classify(pipe, [item("https://x.test/2")]))
    assert first.model_id != newer and second.model_id == newer


# -- run recorder and conditional requests --------------------------------------------------------------


def recorder_and_middleware(crawler: Crawler, store: Store) -> tuple[RunRecorder, ConditionalRequestMiddleware]:
    recorder = build_from_crawler(RunRecorder, crawler)
    middleware = build_from_crawler(ConditionalRequestMiddleware, crawler)
    recorder.store = middleware.store = store
    recorder.spider_opened(crawler.spider)  # type: ignore[arg-type]
    return recorder, middleware


def fetched(middleware: ConditionalRequestMiddleware, source: str, url: str, etag: str) -> Request:
    request = Request(url, meta={"source": source, "conditional": True})
    middleware.process_request(request)
    middleware.process_response(request, Response(url, headers={"ETag": etag}))
    return request


def test_runs_start_as_running_and_end_with_the_status_their_stats_say(crawler: Crawler, store: Store) -> None:
    recorder, _ = recorder_and_middleware(crawler, store)
    assert sorted(r.source for r in store.running()) == ["a", "b"]
    stats = crawler.stats
    assert stats is not None
    stats.set_value(status.stat("a", status.FOUND), 3)
    stats.set_value(status.stat("a", status.NEW), 2)
    stats.set_value(status.stat("a", "dropped/bad_url"), 1)
    recorder.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
    last = store.last_runs()
    assert (last["a"].status, last["a"].found, last["a"].new, last["a"].dropped) == ("ok", 3, 2, {"bad_url": 1})
    assert last["b"].status == "empty" and store.running() == []


def test_a_crawl_stopped_early_leaves_its_sources_interrupted(crawler: Crawler, store: Store) -> None:
    recorder, _ = recorder_and_middleware(crawler, store)
    crawler.stats.set_value(status.stat("a", status.FOUND), 3)  # type: ignore[union-attr]
    recorder.spider_closed(crawler.spider, "shutdown")  # type: ignore[arg-type]
    assert {r.status for r in store.last_runs().values()} == {"interrupted"}


def test_validators_are_saved_only_after_an_ok_run(crawler: Crawler, store: Store) -> None:
    recorder, middleware = recorder_and_middleware(crawler, store)
    crawler.signals.connect(middleware.source_finished, signal=source_finished)
    fetched(middleware, "a", "https://www.a.test/feed", '"a1"')
    fetched(middleware, "b", "https://b.test/live/", '"b1"')
    crawler.stats.set_value(status.stat("a", status.FOUND), 3)  # type: ignore[union-attr]
    recorder.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
    assert store.validators("https://www.a.test/feed") == ('"a1"', None)
    assert store.validators("https://b.test/live/") == (None, None)  # b was empty: fetched whole next time
    again = Request("https://www.a.test/feed", meta={"source": "a", "conditional": True})
    middleware.process_request(again)
    assert again.headers.get("If-None-Match") == b'"a1"'


def test_a_failed_run_saves_no_validators(crawler: Crawler, store: Store) -> None:
    _, middleware = recorder_and_middleware(crawler, store)
    fetched(middleware, "a", "https://www.a.test/feed", '"a1"')
    middleware.source_finished(RunRecord(source="a", started_at=datetime.now(UTC), status="store_error"))
    assert store.validators("https://www.a.test/feed") == (None, None)


# -- offsite rule and duplicate filter ------------------------------------------------------------------


def test_each_request_is_judged_against_its_own_sources_site(crawler: Crawler) -> None:
    middleware = build_from_crawler(SourceOffsiteMiddleware, crawler)
    middleware.spider_opened(crawler.spider)
    middleware.process_request(Request("https://news.a.test/x", meta={"source": "a"}))  # a subdomain of a.test
    with pytest.raises(IgnoreRequest):
        middleware.process_request(Request("https://b.test/x", meta={"source": "a"}))
    counts = stats_of(crawler, "a")
    assert counts["error_kind"] == "offsite" and "(allowed: a.test)" in counts["error"]
    middleware.process_request(Request("https://b.test/x", meta={"source": "b"}))


def test_duplicates_are_filtered_per_source_and_a_redirect_loop_is_named(crawler: Crawler) -> None:
    dupes = build_from_crawler(SourceDupeFilter, crawler)
    assert not dupes.request_seen(Request("https://s.test/feed", meta={"source": "a"}))
    assert not dupes.request_seen(Request("https://s.test/feed", meta={"source": "b"}))
    assert dupes.request_seen(Request("https://s.test/feed", meta={"source": "b"}))
    assert "error_kind" not in stats_of(crawler, "b")
    loop = Request("https://s.test/feed", meta={"source": "a", "redirect_urls": ["https://s.test/feed",
                                                                                 "https://s.test/other"]})
    assert dupes.request_seen(loop)
    assert stats_of(crawler, "a") == {"error_kind": "http_error", "error": "redirect loop at https://s.test/feed"}


def test_a_bug_while_reading_a_page_is_a_bug_not_a_source_status(crawler: Crawler, store: Store,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.http import HtmlResponse
    from twisted.python.failure import Failure

    import crawler.spiders.sources as spiders

    def buggy(source: object, response: object) -> None:
        raise ValueError("an index went wrong")

    monkeypatch.setitem(spiders.READERS, "portal", buggy)
    response = HtmlResponse("https://b.test/live/", body=b"<html></html>", request=Request(
        "https://b.test/live/", meta={"source": "b"}))
    with pytest.raises(ValueError, match="an index went wrong"):  # not turned into `unparsable`
        list(crawler.spider.parse(response))  # type: ignore[union-attr]
    recorder, _ = recorder_and_middleware(crawler, store)
    try:
        raise ValueError("an index went wrong")
    except ValueError:
        recorder.spider_error(Failure(), response, crawler.spider)  # type: ignore[arg-type]
    recorder.spider_closed(crawler.spider, "finished")  # type: ignore[arg-type]
    run = store.last_runs()["b"]
    assert run.status == "internal_error" and "ValueError: an index went wrong while reading" in str(run.error)
    assert "an index went wrong" in crawler.stats.get_value(status.BUG)  # type: ignore[union-attr]


def test_what_start_up_loaded_is_frozen_out_of_garbage_collection_when_the_spider_opens() -> None:
    import gc

    from crawler import settings as project
    from crawler.extensions import FreezeStartupObjects

    values = {k: getattr(project, k) for k in dir(project) if k.isupper()}
    crawler = get_crawler(SourcesSpider, values)
    crawler._apply_settings()
    extension = crawler.get_extension(FreezeStartupObjects)  # enabled by the project's settings
    assert gc.get_freeze_count() == 0
    try:
        extension.spider_opened(SourcesSpider(sources=[]))
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
