"""The SQLite store: one row per URL, title history, runs, validators, migrations, concurrent reading."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.items import Headline
from crawler.store import SCHEMA_VERSION, RunRecord, SQLiteStore, StoreError, Tagging, open_store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def h(url: str, title: str = "A headline", **kw: object) -> Headline:
    return Headline(title=title, url=url, source="src", **kw)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    s = SQLiteStore(tmp_path / "sub" / "h.sqlite3")
    yield s
    s.close()


def test_created_on_first_use_with_wal_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "h.sqlite3"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_same_url_twice_is_one_row_with_first_and_last_seen(store: SQLiteStore) -> None:
    assert store.add([h("https://x.test/1"), h("https://x.test/2")], T0) == (2, 0)
    assert store.add([h("https://x.test/1")], T0 + timedelta(hours=1)) == (0, 1)
    rows = list(store.export_rows())
    assert len(rows) == 2 and store.count() == 2
    first = store._db.execute(
        "SELECT first_seen_at, last_seen_at FROM headlines WHERE url = ?", ("https://x.test/1",)
    ).fetchone()
    assert first == ("2026-11-20T08:00:00+00:00", "2026-11-20T09:00:00+00:00")


def test_changed_title_is_history_not_a_new_row(store: SQLiteStore) -> None:
    store.add([h("https://x.test/1", "Old title")], T0)
    store.add([h("https://x.test/1", "New title")], T0 + timedelta(hours=1))
    store.add([h("https://x.test/1", "New title")], T0 + timedelta(hours=2))
    assert [r["title"] for r in store.export_rows()] == ["New title"]
    assert store.title_history("https://x.test/1") == [("Old title", "2026-11-20T09:00:00+00:00")]


def test_tags_labels_and_export_columns(store: SQLiteStore) -> None:
    store.add([h("https://x.test/1", published_at=datetime(2026, 11, 20, 18, 0, tzinfo=UTC) )], T0)
    store.set_tags([Tagging("https://x.test/1", "chips", 0.91234, ("chips", "ev"), "m1")])
    assert store.set_label("https://x.test/1", "ev")
    store.set_tags([Tagging("https://x.test/1", "other", 0.5, ("other",), "m2")])
    (row,) = store.export_rows()
    assert list(row) == ["title", "url", "source", "published_at", "first_seen_at", "sector", "confidence",
                         "tags", "label", "model_id"]
    assert (row["sector"], row["tags"], row["label"], row["model_id"]) == ("other", "other", "ev", "m2")
    assert row["published_at"] == "2026-11-20T18:00:00+00:00"


def test_naive_datetimes_are_refused(store: SQLiteStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add([h("https://x.test/1", published_at=datetime(2026, 1, 1))], T0)
    assert store.count() == 0  # the failed batch left nothing half-written


def test_runs_are_recorded(store: SQLiteStore) -> None:
    run = RunRecord(source="src", started_at=T0, crawl_id="c1")
    run_id = store.start_run(run)
    run.finished_at, run.status, run.found, run.new, run.dropped = T0, "ok", 5, 3, {"empty_title": 2}
    store.finish_run(run_id, run)
    (got,) = store.runs("c1")
    assert (got.status, got.found, got.new, got.dropped) == ("ok", 5, 3, {"empty_title": 2})
    assert store.last_runs()["src"].status == "ok"


def test_validators_round_trip(store: SQLiteStore) -> None:
    assert store.validators("https://x.test/feed") == (None, None)
    store.save_validators("https://x.test/feed", '"v1"', "Fri, 20 Nov 2026 08:00:00 GMT")
    store.save_validators("https://x.test/feed", '"v2"', None)
    assert store.validators("https://x.test/feed") == ('"v2"', None)


def test_reader_sees_committed_rows_while_a_writer_holds_a_transaction(tmp_path: Path) -> None:
    writer = SQLiteStore(tmp_path / "h.sqlite3")
    writer.add([h("https://x.test/1")], T0)
    writer._db.execute("BEGIN IMMEDIATE")
    writer._db.execute("UPDATE headlines SET title = 'uncommitted'")
    reader = SQLiteStore(tmp_path / "h.sqlite3", timeout=0.1)
    assert [r["title"] for r in reader.export_rows()] == ["A headline"]
    writer._db.execute("ROLLBACK")
    reader.close()
    writer.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this program knows"):
        SQLiteStore(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the headline database"):
        open_store(path)


def test_unsupported_backend_is_named() -> None:
    with pytest.raises(StoreError, match="'postgresql' is not supported yet"):
        open_store("postgresql://db/headlines")
