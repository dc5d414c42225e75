"""What is particular to the SQLite backend: the file, its schema version, locks and read-only access."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store import NewHeadline, StoreError, StoreMissing, StoreReadOnly, StoreSchemaError, open_store
from store.sqlite import SQLiteStore
from store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import SmallFs

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_created_on_first_write_with_wal_and_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "h.sqlite3"
    open_store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_1_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(MIGRATIONS[0] + "PRAGMA user_version = 1;")
    db.execute("INSERT INTO headlines (url, title, source, first_seen_at, last_seen_at, sector) VALUES "
               "('https://x.test/1', 'Kept', 'src', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00', 'ev')")
    db.close()
    with open_store(path) as store:
        row = store.get("https://x.test/1")
        assert row is not None and (row.title, row.sector, row.margin) == ("Kept", "ev", None)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_reading_never_creates_a_database(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "h.sqlite3"
    with pytest.raises(StoreMissing, match=r"no database at .*typo/h.sqlite3 \(run `headlines crawl` first"):
        open_store(path, "read")
    assert not path.parent.exists()


def test_a_directory_that_cannot_be_made_is_one_error() -> None:
    with pytest.raises(StoreError, match="cannot create the database directory /proc/nope"):
        open_store("/proc/nope/x.db")


def test_a_reader_sees_committed_rows_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_store(path) as store:
        store.add([NewHeadline("A headline", "https://x.test/1", "src")], T0)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE headlines SET title = 'uncommitted'")
    with open_store(path, "read") as reader:
        assert [r.title for r in reader.query()] == ["A headline"]
    holder.execute("ROLLBACK")
    holder.close()


def test_a_write_lock_held_too_long_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    open_store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with SQLiteStore(path, timeout=0.2) as store, pytest.raises(StoreError, match="locked"):
            store.add([NewHeadline("A headline", "https://x.test/1", "src")], T0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files; the read-only file system test covers it")
def test_a_read_only_file_reads_but_refuses_to_be_written(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with open_store(path) as store:
        store.add([NewHeadline("A headline", "https://x.test/1", "src")], T0)
    path.chmod(0o444)
    try:
        with open_store(path, "read") as reader:
            assert reader.count() == 1
        with pytest.raises(StoreReadOnly, match=f"database is read-only: {path}"):
            open_store(path)
    finally:
        path.chmod(0o644)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreSchemaError, match="newer than this program knows"):
        open_store(path)


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreSchemaError, match="cannot open the headline database"):
        open_store(path)


def test_unsupported_backend_is_named() -> None:
    with pytest.raises(StoreError, match="'mysql' is not supported"):
        open_store("mysql://db/headlines")


def test_a_read_only_file_system_reads_but_refuses_writes(small_fs: Callable[[str], SmallFs]) -> None:
    fs = small_fs("8m")
    path = fs.path / "h.sqlite3"
    with open_store(path) as store:
        store.add([NewHeadline("A headline", "https://x.test/1", "src")], T0)
    fs.remount("ro")
    with open_store(path, "read") as reader:
        assert [r.title for r in reader.query()] == ["A headline"]
    with pytest.raises(StoreReadOnly, match=f"database is read-only: {path}"):
        open_store(path)
