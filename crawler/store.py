"""The headline store: one SQLite file behind a small interface.

Spiders, pipelines and commands talk to `HeadlineStore`, never to SQL, so another database (PostgreSQL, for
teams that outgrow one machine) can be added as a second implementation and picked by `open_store`.
SQLite runs in WAL mode, so an export can read while a crawl writes, and each batch is one transaction, so
a crawl killed at any moment leaves a database that opens and holds every batch committed before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from crawler.items import Headline
from headlines.errors import HeadlinesError

DEFAULT_DB = Path("data/headlines.sqlite3")
EXPORT_COLUMNS = (
    "title", "url", "source", "published_at", "first_seen_at",
    "sector", "confidence", "tags", "label", "model_id",
)


class StoreError(HeadlinesError):
    """The store cannot be opened or used."""


def utc_iso(value: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 in UTC for every time the store keeps: to the second, run times to the millisecond."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec=timespec)


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass
class RunRecord:
    """What one source's crawl did, as kept in the ``runs`` table."""

    source: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    found: int = 0
    new: int = 0
    duplicates: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    crawl_id: str | None = None


@dataclass(frozen=True)
class Tagging:
    """A classifier's verdict on one stored headline."""

    url: str
    sector: str
    confidence: float
    tags: tuple[str, ...]
    model_id: str


class HeadlineStore(Protocol):
    """What the rest of the project may ask of a store."""

    def add(self, headlines: Sequence[Headline], seen_at: datetime) -> tuple[int, int]:
        """Store a batch; return (new, duplicates). One row per URL; a changed title goes to history."""

    def start_run(self, run: RunRecord) -> int: ...
    def finish_run(self, run_id: int, run: RunRecord) -> None: ...
    def runs(self, crawl_id: str) -> list[RunRecord]: ...
    def last_runs(self) -> dict[str, RunRecord]: ...
    def validators(self, url: str) -> tuple[str | None, str | None]: ...
    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...
    def export_rows(self) -> Iterator[dict[str, Any]]: ...
    def titles(self, batch_size: int = 1000) -> Iterator[list[tuple[str, str]]]: ...
    def count(self) -> int: ...
    def set_tags(self, taggings: Iterable[Tagging]) -> int: ...
    def set_label(self, url: str, label: str | None) -> bool: ...
    def title_history(self, url: str) -> list[tuple[str, str]]: ...
    def close(self) -> None: ...
    def __enter__(self) -> HeadlineStore: ...
    def __exit__(self, *exc: object) -> None: ...


# Each entry moves the schema one version forward; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE headlines (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        source TEXT NOT NULL,
        guid TEXT,
        published_at TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        sector TEXT,
        confidence REAL,
        tags TEXT,
        model_id TEXT,
        label TEXT,
        labeled_at TEXT
    );
    CREATE INDEX headlines_first_seen ON headlines (first_seen_at);
    CREATE INDEX headlines_source ON headlines (source);
    CREATE TABLE title_history (
        id INTEGER PRIMARY KEY,
        headline_id INTEGER NOT NULL REFERENCES headlines (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        replaced_at TEXT NOT NULL
    );
    CREATE TRIGGER keep_old_title AFTER UPDATE OF title ON headlines
    WHEN old.title IS NOT new.title
    BEGIN
        INSERT INTO title_history (headline_id, title, replaced_at)
        VALUES (old.id, old.title, new.last_seen_at);
    END;
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        crawl_id TEXT,
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        found INTEGER NOT NULL DEFAULT 0,
        new INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        dropped TEXT NOT NULL DEFAULT '{}',
        error TEXT
    );
    CREATE INDEX runs_crawl ON runs (crawl_id);
    CREATE INDEX runs_source ON runs (source, started_at);
    CREATE TABLE validators (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        updated_at TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SQLiteStore:
    """`HeadlineStore` on one SQLite file, created and migrated on first use."""

    def __init__(self, path: Path | str, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the headline database: {exc}") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: database schema version {version} is newer than this program knows "
                f"({SCHEMA_VERSION}); upgrade headlines"
            )
        for number in range(version, SCHEMA_VERSION):
            self._db.executescript(
                f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    # -- headlines ------------------------------------------------------------------------------------

    def add(self, headlines: Sequence[Headline], seen_at: datetime) -> tuple[int, int]:
        seen = utc_iso(seen_at)
        new = 0
        with self._transaction():
            for h in headlines:
                tags = ";".join(h.tags) if h.tags else None
                cur = self._db.execute(
                    "INSERT INTO headlines (url, title, source, guid, published_at, first_seen_at, last_seen_at,"
                    " sector, confidence, tags, model_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (url) DO NOTHING",
                    (h.url, h.title, h.source, h.guid, utc_iso(h.published_at), seen, seen,
                     h.sector, h.confidence, tags, h.model_id),
                )
                if cur.rowcount:
                    new += 1
                    continue
                known = {"url": h.url, "seen": seen, "published": utc_iso(h.published_at), "guid": h.guid,
                         "title": h.title, "sector": h.sector, "confidence": h.confidence, "tags": tags,
                         "model_id": h.model_id}
                self._db.execute(
                    "UPDATE headlines SET last_seen_at = max(last_seen_at, :seen),"
                    " published_at = coalesce(published_at, :published), guid = coalesce(guid, :guid)"
                    " WHERE url = :url",
                    known,
                )
                # A changed title replaces the shown one (the trigger keeps the old one) and takes new tags.
                self._db.execute(
                    "UPDATE headlines SET title = :title, sector = coalesce(:sector, sector),"
                    " confidence = coalesce(:confidence, confidence), tags = coalesce(:tags, tags),"
                    " model_id = coalesce(:model_id, model_id) WHERE url = :url AND title IS NOT :title",
                    known,
                )
        return new, len(headlines) - new

    def export_rows(self) -> Iterator[dict[str, Any]]:
        cur = self._db.execute(
            f"SELECT {', '.join(EXPORT_COLUMNS)} FROM headlines ORDER BY first_seen_at, id"
        )
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def titles(self, batch_size: int = 1000) -> Iterator[list[tuple[str, str]]]:
        last = 0
        while True:
            rows = self._db.execute(
                "SELECT id, url, title FROM headlines WHERE id > ? ORDER BY id LIMIT ?", (last, batch_size)
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [(url, title) for _, url, title in rows]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM headlines").fetchone()[0])

    def set_tags(self, taggings: Iterable[Tagging]) -> int:
        with self._transaction():
            cur = self._db.executemany(
                "UPDATE headlines SET sector = ?, confidence = ?, tags = ?, model_id = ? WHERE url = ?",
                ((t.sector, t.confidence, ";".join(t.tags), t.model_id, t.url) for t in taggings),
            )
        return cur.rowcount

    def set_label(self, url: str, label: str | None) -> bool:
        with self._transaction():
            cur = self._db.execute(
                "UPDATE headlines SET label = ?, labeled_at = ? WHERE url = ?",
                (label, utc_iso(now_utc()) if label else None, url),
            )
        return cur.rowcount == 1

    def title_history(self, url: str) -> list[tuple[str, str]]:
        return self._db.execute(
            "SELECT t.title, t.replaced_at FROM title_history t JOIN headlines h ON h.id = t.headline_id"
            " WHERE h.url = ? ORDER BY t.id",
            (url,),
        ).fetchall()

    # -- runs -----------------------------------------------------------------------------------------

    def start_run(self, run: RunRecord) -> int:
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO runs (crawl_id, source, started_at, status) VALUES (?,?,?,?)",
                (run.crawl_id, run.source, utc_iso(run.started_at, "milliseconds"), run.status),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def finish_run(self, run_id: int, run: RunRecord) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, found = ?, new = ?, duplicates = ?,"
                " dropped = ?, error = ? WHERE id = ?",
                (utc_iso(run.finished_at, "milliseconds"), run.status, run.found, run.new, run.duplicates,
                 json.dumps(run.dropped, sort_keys=True), run.error, run_id),
            )

    def _run_records(self, where: str, args: tuple[Any, ...]) -> list[RunRecord]:
        rows = self._db.execute(
            "SELECT source, started_at, finished_at, status, found, new, duplicates, dropped, error, crawl_id"
            f" FROM runs WHERE {where} ORDER BY id",
            args,
        ).fetchall()
        return [
            RunRecord(
                source=r[0], started_at=datetime.fromisoformat(r[1]),
                finished_at=datetime.fromisoformat(r[2]) if r[2] else None, status=r[3], found=r[4],
                new=r[5], duplicates=r[6], dropped=json.loads(r[7]), error=r[8], crawl_id=r[9],
            )
            for r in rows
        ]

    def runs(self, crawl_id: str) -> list[RunRecord]:
        return self._run_records("crawl_id = ?", (crawl_id,))

    def last_runs(self) -> dict[str, RunRecord]:
        records = self._run_records("id IN (SELECT max(id) FROM runs GROUP BY source)", ())
        return {r.source: r for r in records}

    # -- conditional requests -------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self._db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO validators (url, etag, last_modified, updated_at) VALUES (?,?,?,?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
                (url, etag, last_modified, utc_iso(now_utc())),
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error, for a connection in autocommit mode."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
            self._own = True
        else:
            self._own = False
        return self._db

    def __exit__(self, exc_type: object, *_: object) -> None:
        if not self._own:
            return
        if exc_type is None:
            self._db.execute("COMMIT")
        elif self._db.in_transaction:
            self._db.execute("ROLLBACK")


def open_store(location: Path | str) -> HeadlineStore:
    """Open the store at `location`: a file path for SQLite (the only backend so far)."""
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise StoreError(f"{text}: database scheme '{scheme}' is not supported yet; give a SQLite file path")
    return SQLiteStore(location)
