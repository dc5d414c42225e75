"""The store's behaviour, through its interface only: rows, title history, tags, queries, runs, validators."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from store import (
    HIDDEN_LABEL,
    KnownHeadline,
    LabelEvent,
    NewHeadline,
    Query,
    RunRecord,
    Store,
    StoreError,
    Tagging,
    open_store,
)

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)


def h(url: str, title: str = "A headline", **kw: object) -> NewHeadline:
    return NewHeadline(title=title, url=url, source=str(kw.pop("source", "src")), **kw)  # type: ignore[arg-type]


def tagged(url: str, title: str, sector: str, confidence: float = 0.9, **kw: object) -> NewHeadline:
    return h(url, title, sector=sector, confidence=confidence, margin=confidence - 0.05, tags=(sector,),
             model_id="m1", **kw)


def test_same_url_twice_is_one_row_with_first_and_last_seen(store: Store) -> None:
    first = store.add([h("https://x.test/1"), h("https://x.test/2")], T0)
    assert (first.new, first.duplicates, first.new_urls) == (2, 0, {"https://x.test/1", "https://x.test/2"})
    again = store.add([h("https://x.test/1")], T0 + timedelta(hours=1))
    assert (again.new, again.duplicates, again.new_urls) == (0, 1, frozenset())
    assert store.count() == 2
    row = store.get("https://x.test/1")
    assert row is not None
    assert (row.first_seen_at, row.last_seen_at) == (T0, T0 + timedelta(hours=1))


def test_changed_title_is_history_and_takes_the_new_tags(store: Store) -> None:
    store.add([tagged("https://x.test/1", "Old title about chips", "chips")], T0)
    result = store.add([tagged("https://x.test/1", "New title about cars", "ev", 0.8)], T0 + timedelta(hours=1))
    assert (result.new, result.retitled) == (0, 1)
    store.add([tagged("https://x.test/1", "New title about cars", "fintech", 0.7)], T0 + timedelta(hours=2))
    (row,) = store.query()
    assert (row.title, row.sector, row.confidence, row.tags) == ("New title about cars", "ev", 0.8, ("ev",))
    assert store.title_history("https://x.test/1") == [("Old title about chips", T0 + timedelta(hours=1))]


def test_known_title_keeps_its_tags_but_an_untagged_row_takes_them(store: Store) -> None:
    store.add([h("https://x.test/1", "Same title")], T0)
    store.add([tagged("https://x.test/1", "Same title", "chips")], T0)
    assert store.get("https://x.test/1").sector == "chips"  # type: ignore[union-attr]
    store.add([h("https://x.test/1", "Same title")], T0)  # a crawl that did not classify a known title
    assert store.get("https://x.test/1").sector == "chips"  # type: ignore[union-attr]


def test_published_date_and_guid_are_filled_but_never_replaced(store: Store) -> None:
    store.add([h("https://x.test/1")], T0)
    store.add([h("https://x.test/1", published_at=T0 - timedelta(days=1), guid="g1")], T0)
    store.add([h("https://x.test/1", published_at=T0 - timedelta(days=9), guid="g2")], T0)
    row = store.get("https://x.test/1")
    assert row is not None and row.published_at == T0 - timedelta(days=1)


def test_known(store: Store) -> None:
    store.add([h("https://x.test/1", "One"), tagged("https://x.test/2", "Two", "chips", 0.8)], T0)
    found = store.known(["https://x.test/2", "https://x.test/9"])
    assert list(found) == ["https://x.test/2"]
    assert found["https://x.test/2"] == KnownHeadline("Two", "chips", 0.8, 0.75, ("chips",), "m1")
    many = [f"https://x.test/n/{i}" for i in range(1200)]
    store.add([h(u, u[-4:]) for u in many], T0)
    assert len(store.known(iter(many))) == 1200


def test_set_tags_replaces_the_models_tags(store: Store) -> None:
    store.add([h("https://x.test/1")], T0)
    assert store.set_tags([Tagging("https://x.test/1", "chips", 0.9123, ("chips", "ev"), "m1", 0.4)]) == 1
    row = store.get("https://x.test/1")
    assert row is not None
    assert (row.sector, row.confidence, row.tags, row.model_id, row.margin) == ("chips", 0.9123, ("chips", "ev"),
                                                                                "m1", 0.4)


def test_naive_datetimes_are_refused_and_the_batch_leaves_nothing(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add([h("https://x.test/0"), h("https://x.test/1", published_at=datetime(2026, 1, 1))], T0)
    assert store.count() == 0


@pytest.fixture
def filled(store: Store) -> Store:
    store.add([tagged("https://x.test/ev", "Cars", "ev", 0.95, source="a"),
               tagged("https://x.test/chips", "Chips", "chips", 0.55, source="a")], T0)
    store.add([tagged("https://x.test/pay", "Pay", "fintech", 0.7, source="b"),
               h("https://x.test/raw", "Untagged", source="b")], T0 + timedelta(days=1))
    return store


def urls(store: Store, query: Query) -> list[str]:
    return [row.url.rsplit("/", 1)[1] for row in store.query(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (Query(), ["ev", "chips", "pay", "raw"]),
        (Query(order="newest"), ["raw", "pay", "chips", "ev"]),
        (Query(order="uncertainty"), ["raw", "chips", "pay", "ev"]),
        (Query(order="uncertainty", limit=2), ["raw", "chips"]),
        (Query(sectors=("ev", "fintech")), ["ev", "pay"]),
        (Query(sources=("b",)), ["pay", "raw"]),
        (Query(since=T0 + timedelta(hours=12)), ["pay", "raw"]),
        (Query(until=T0 + timedelta(hours=12)), ["ev", "chips"]),
        (Query(min_confidence=0.6), ["ev", "pay"]),
        (Query(tagged=False), ["raw"]),
        (Query(after_id=2, order="id"), ["pay", "raw"]),
    ],
)
def test_query_filters_and_orders(filled: Store, query: Query, expected: list[str]) -> None:
    assert urls(filled, query) == expected
    assert filled.count(query) == (len(expected) if query.limit is None else 4)


def test_after_id_follows_the_ids_the_query_returns(filled: Store) -> None:
    rows = list(filled.query(Query(order="id")))
    assert urls(filled, Query(after_id=rows[1].id, order="id")) == ["pay", "raw"]


def test_runs_are_recorded(store: Store) -> None:
    run = RunRecord(source="src", started_at=T0, crawl_id="c1", host="h", pid=42)
    run_id = store.start_run(run)
    assert run.id == run_id and [r.source for r in store.running()] == ["src"]
    run.finished_at, run.status, run.found, run.new, run.dropped = T0, "ok", 5, 3, {"empty_title": 2}
    store.finish_run(run)
    (got,) = store.runs("c1")
    assert (got.status, got.found, got.new, got.dropped, got.host, got.pid) == ("ok", 5, 3, {"empty_title": 2}, "h", 42)
    assert store.last_runs()["src"].status == "ok" and store.running() == []


def test_a_run_that_could_not_be_started_is_still_recorded_when_it_finishes(store: Store) -> None:
    run = RunRecord(source="late", started_at=T0, finished_at=T0, status="store_error", crawl_id="c2")
    store.finish_run(run)
    assert [(r.source, r.status) for r in store.runs("c2")] == [("late", "store_error")]


def test_validators_round_trip(store: Store) -> None:
    assert store.validators("https://x.test/feed") == (None, None)
    store.save_validators("https://x.test/feed", '"v1"', "Fri, 20 Nov 2026 08:00:00 GMT")
    store.save_validators("https://x.test/feed", '"v2"', None)
    assert store.validators("https://x.test/feed") == ('"v2"', None)


def test_a_reading_store_sees_what_a_writing_one_committed(where: str) -> None:
    with open_store(where) as writer:
        writer.add([h("https://x.test/1")], T0)
        with open_store(where, "read") as reader:
            assert reader.count() == 1
            writer.add([h("https://x.test/2")], T0)
            assert reader.count() == 2


def label(url: str, value: str | None, via: str = "review", **kw: object) -> LabelEvent:
    return LabelEvent(url, value, via, reviewer="ana", **kw)  # type: ignore[arg-type]


def test_labels_are_kept_with_their_provenance_and_never_lost(filled: Store) -> None:
    filled.add_labels([label("https://x.test/ev", "chips", model_sector="ev", model_confidence=0.95, model_id="m1")])
    filled.add_labels([label("https://x.test/ev", "ev")])
    row = filled.get("https://x.test/ev")
    assert row is not None and (row.label, row.label_via, row.reviewed, row.sector) == ("ev", "review", True, "ev")
    history = filled.label_history("https://x.test/ev")
    assert [(e.label, e.via, e.reviewer, e.model_sector) for e in history] == [
        ("chips", "review", "ana", "ev"), ("ev", "review", "ana", None)]
    assert all(e.at is not None for e in history)


def test_an_undo_restores_the_earlier_label_and_its_provenance(filled: Store) -> None:
    filled.add_labels([label("https://x.test/pay", "fintech", via="import")])
    filled.add_labels([label("https://x.test/pay", "other")])
    filled.add_labels([label("https://x.test/pay", "fintech", via="undo")])
    row = filled.get("https://x.test/pay")
    assert row is not None and (row.label, row.label_via) == ("fintech", "import")
    filled.add_labels([label("https://x.test/chips", "chips"), label("https://x.test/chips", None, via="undo")])
    row = filled.get("https://x.test/chips")
    assert row is not None and (row.label, row.label_via, row.reviewed) == (None, None, False)
    assert len(filled.label_history("https://x.test/chips")) == 2


def test_labels_of_an_unknown_url_change_nothing(filled: Store) -> None:
    with pytest.raises(StoreError, match="no stored headline has the URL https://x.test/nope"):
        filled.add_labels([label("https://x.test/ev", "chips"), label("https://x.test/nope", "ev")])
    assert filled.get("https://x.test/ev").label is None  # type: ignore[union-attr]


def test_queries_know_labels_rules_and_hidden_rows(filled: Store) -> None:
    filled.add_labels([label("https://x.test/ev", "fintech"), label("https://x.test/raw", "chips", via="rule"),
                       label("https://x.test/chips", HIDDEN_LABEL)])
    assert urls(filled, Query()) == ["ev", "pay", "raw"]  # the row that is no headline is hidden
    assert urls(filled, Query(include_hidden=True)) == ["ev", "chips", "pay", "raw"]
    assert urls(filled, Query(sectors=("fintech",))) == ["ev", "pay"]  # a person's label counts over the model's
    assert urls(filled, Query(sectors=("chips",))) == ["raw"]
    assert urls(filled, Query(reviewed=True)) == ["ev"]  # a rule's label is not a person's
    assert urls(filled, Query(reviewed=False)) == ["pay", "raw"]
    assert urls(filled, Query(labeled=False)) == ["pay"]


def test_crawls_and_retagging_never_touch_a_label(filled: Store) -> None:
    filled.add_labels([label("https://x.test/ev", "chips")])
    filled.add([h("https://x.test/ev", "A new title for it", sector="other", confidence=0.9, tags=("other",))], T0)
    filled.set_tags([Tagging("https://x.test/ev", "fintech", 0.8, ("fintech",), "m2")])
    row = filled.get("https://x.test/ev")
    assert row is not None and (row.label, row.sector) == ("chips", "fintech")
