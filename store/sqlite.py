"""The SQLite backend: the embedded default, one file, nothing to install or run.

WAL mode lets exports and reviews read while a crawl writes; every batch is one transaction, so a process
killed at any moment leaves a database that opens and holds every batch committed before. SQLite's own
failures (a full disk, a lock held too long, a read-only file) become `StoreError`s that name the file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from store.errors import StoreError, StoreFull, StoreLocked, StoreMissing, StoreReadOnly, StoreSchemaError
from store.records import AddResult, NewHeadline, Query, StoredHeadline
from store.relational import RelationalStore
from store.sql import HEADLINE_COLUMNS, select_headlines
from store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION

WRITER_CACHE_KIB = 64 * 1024
"""Page cache of a writing connection, such as a crawl's, which looks up every page's URLs before storing
them. SQLite's default of 2 MB holds little of a large store's URL index: at 3M headlines a page of 40
lookups cost 8.6 µs per URL with it and 3.6 µs with this (on a fresh connection), and the lookup cost grew
from 9 to 65 µs per URL between 1M and 10M headlines (benchmarks/store_bench.py). Reading commands
(export, status) keep the default: they scan, and their memory stays small."""

_UPSERT = """
INSERT INTO headlines (url, title, source, guid, published_at, first_seen_at, last_seen_at,
                       sector, confidence, margin, tags, model_id)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (url) DO UPDATE SET
    last_seen_at = max(last_seen_at, excluded.last_seen_at),
    published_at = coalesce(published_at, excluded.published_at),
    guid = coalesce(guid, excluded.guid),
    sector = CASE WHEN {retag} THEN excluded.sector ELSE sector END,
    confidence = CASE WHEN {retag} THEN excluded.confidence ELSE confidence END,
    margin = CASE WHEN {retag} THEN excluded.margin ELSE margin END,
    tags = CASE WHEN {retag} THEN excluded.tags ELSE tags END,
    model_id = CASE WHEN {retag} THEN excluded.model_id ELSE model_id END,
    title = excluded.title
""".format(retag="(title IS NOT excluded.title OR (sector IS NULL AND excluded.sector IS NOT NULL))")
# In an UPDATE every expression sees the row as it was, so `title` above is the old title wherever it stands.


def utc_iso(value: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 in UTC for every time the store keeps: to the second, run times to the millisecond."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec=timespec)


def translate(exc: sqlite3.Error, location: str, doing: str) -> StoreError:
    """The `StoreError` that says in one line what SQLite's error means for this database."""
    text = str(exc)
    low = text.lower()
    if "database or disk is full" in low or "disk i/o error" in low:
        return StoreFull(f"{location}: the disk is full or failing ({text}) while {doing}; free space and "
                         "crawl again: what was not committed will be fetched again")
    if "locked" in low or "busy" in low:
        return StoreLocked(f"{location}: the database stayed locked by another process while {doing} ({text})")
    if "readonly" in low or "read-only" in low:
        return StoreReadOnly(f"database is read-only: {location}")
    if "not a database" in low or "malformed" in low:
        return StoreSchemaError(f"{location}: not a headline database ({text})")
    return StoreError(f"{location}: {text} while {doing}")


class SQLiteStore(RelationalStore):
    """`Store` on one SQLite file.

    ``create`` makes the file (and its directory) when missing; reading commands pass False and get a
    `StoreMissing` instead. ``readonly`` opens without ever writing, which works on a read-only file or
    file system too.
    """

    def __init__(self, path: Path | str, *, create: bool = True, readonly: bool = False,
                 timeout: float = 60.0) -> None:
        self.path = Path(path)
        self.location = str(path)
        self.readonly = readonly
        memory = self.location == ":memory:"
        if not memory and not self.path.exists():
            if readonly or not create:
                raise StoreMissing(f"no database at {self.location} (run `headlines crawl` first, or give --db)")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the database directory {self.path.parent}: "
                                 f"{exc.strerror or exc}") from None
        if not memory and not readonly and self.path.exists() and not _writable(self.path):
            raise StoreReadOnly(f"database is read-only: {self.location}")
        try:
            self._db = self._connect(timeout)
            if not readonly:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            error = translate(exc, self.location, "opening it")
            if type(error) is StoreError or isinstance(error, StoreSchemaError):
                raise StoreSchemaError(f"{self.location}: cannot open the headline database: {exc}") from None
            raise error from None

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if not self.readonly:
            return sqlite3.connect(self.location, timeout=timeout, isolation_level=None)
        uri = self.path.resolve().as_uri()
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout, isolation_level=None)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL database on a read-only file system cannot get its shared-memory file; nothing can
            # write there either, so reading it as immutable is safe.
            db.close()
            db = sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=timeout, isolation_level=None)
        return db

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreSchemaError(
                f"{self.location}: database schema version {version} is newer than this program knows "
                f"({SCHEMA_VERSION}); upgrade headlines"
            )
        if version < SCHEMA_VERSION and self.readonly:
            raise StoreSchemaError(f"{self.location}: database schema version {version} is older than this "
                                   f"program's ({SCHEMA_VERSION}); run a writing command such as "
                                   "`headlines crawl` once to upgrade it")
        for number in range(version, SCHEMA_VERSION):
            self._db.executescript(
                f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
            )

    @contextlib.contextmanager
    def _writing(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT), rolled back on any error; SQLite's errors
        become `StoreError`s."""
        if self.readonly:
            raise StoreReadOnly(f"database is read-only: {self.location} (opened for reading)")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise translate(exc, self.location, doing) from None

    @contextlib.contextmanager
    def _reading(self, doing: str) -> Iterator[sqlite3.Connection]:
        try:
            yield self._db
        except sqlite3.Error as exc:
            raise translate(exc, self.location, doing) from None

    def _bind(self, value: datetime | None, timespec: str = "seconds") -> str | None:
        return utc_iso(value, timespec)

    def _time(self, value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    # -- headlines ------------------------------------------------------------------------------------

    def add(self, headlines: Sequence[NewHeadline], seen_at: datetime) -> AddResult:
        seen = utc_iso(seen_at)
        rows = [
            (h.url, h.title, h.source, h.guid, utc_iso(h.published_at), seen, seen, h.sector, h.confidence,
             h.margin, ";".join(h.tags) if h.tags else None, h.model_id)
            for h in headlines
        ]
        with self._writing("storing headlines") as db:
            last_id = db.execute("SELECT coalesce(max(id), 0) FROM headlines").fetchone()[0]
            last_history = db.execute("SELECT coalesce(max(id), 0) FROM title_history").fetchone()[0]
            db.executemany(_UPSERT, rows)
            new = frozenset(url for (url,) in db.execute("SELECT url FROM headlines WHERE id > ?", (last_id,)))
            retitled = db.execute("SELECT count(*) FROM title_history WHERE id > ?", (last_history,)).fetchone()[0]
        return AddResult(len(new), len(rows) - len(new), retitled, new)

    def query(self, query: Query | None = None) -> Iterator[StoredHeadline]:
        sql, args = select_headlines(query or Query(), HEADLINE_COLUMNS, bind_time=utc_iso)
        with self._reading("reading headlines") as db:
            for row in db.execute(sql, args):
                yield self._headline(row)

    # -- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()


def _writable(path: Path) -> bool:
    """Whether SQLite can write the file and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
