"""The PostgreSQL backend: one store for several crawl machines, reviewers and exports at once.

Chosen by a libpq URL (``postgresql://user@host/db``, ``postgresql:///db`` for the local socket). It keeps
the same tables as SQLite (`store.postgres_schema`), so every command works the same on either.

Concurrency, which SQLite settles with one writer at a time, is settled here like this:
- Adding headlines is an ``INSERT ... ON CONFLICT (url) DO UPDATE``: two crawls that find the same URL make
  one row. Batches take a transaction-level advisory lock, so they commit one after another: headline ids
  then become visible in increasing order (an ``export --new`` bookmark never skips a row committed late),
  and "new" is counted exactly, against the rows as they were when the batch began.
- Statements that update several headlines lock them in URL order, so two of them never deadlock.
- Waiting for another writer's lock is bounded by ``lock_timeout`` (the store's timeout), after which the
  write fails as `StoreLocked`, like SQLite's busy timeout.
- Queries stream through a server-side cursor on a connection of their own, so an export of millions of
  rows keeps memory flat and never holds up the writes made while it runs.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from store.errors import StoreError, StoreFull, StoreLocked, StoreMissing, StoreReadOnly, StoreSchemaError
from store.postgres_schema import MIGRATIONS, SCHEMA_VERSION
from store.records import AddResult, NewHeadline, Query, StoredHeadline
from store.relational import RelationalStore
from store.sql import HEADLINE_COLUMNS, select_headlines

ADD_LOCK = 0x68656164  # advisory lock key that orders headline batches
MIGRATE_LOCK = 0x68656165  # advisory lock key held while the schema is migrated
_UPSERT = """
INSERT INTO headlines AS h (url, title, source, guid, published_at, first_seen_at, last_seen_at,
                       sector, confidence, margin, tags, model_id)
VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)
ON CONFLICT (url) DO UPDATE SET
    last_seen_at = greatest(h.last_seen_at, excluded.last_seen_at),
    published_at = coalesce(h.published_at, excluded.published_at),
    guid = coalesce(h.guid, excluded.guid),
    sector = CASE WHEN {retag} THEN excluded.sector ELSE h.sector END,
    confidence = CASE WHEN {retag} THEN excluded.confidence ELSE h.confidence END,
    margin = CASE WHEN {retag} THEN excluded.margin ELSE h.margin END,
    tags = CASE WHEN {retag} THEN excluded.tags ELSE h.tags END,
    model_id = CASE WHEN {retag} THEN excluded.model_id ELSE h.model_id END,
    title = excluded.title
""".format(
    retag="(h.title IS DISTINCT FROM excluded.title OR (h.sector IS NULL AND excluded.sector IS NOT NULL))")
_names = itertools.count()


def is_postgres(location: str) -> bool:
    return location.startswith(("postgresql:", "postgres:"))


def redact(url: str) -> str:
    """The URL as messages show it: without its password."""
    return re.sub(r"^(\w+://[^/@:]*):[^/@]*@", r"\1:***@", url)


@lru_cache(maxsize=512)
def _marks(sql: str) -> str:
    """The shared SQL's ``?`` placeholders in psycopg's style."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Marks:
    """A psycopg connection seen through sqlite3's ``execute``/``executemany`` with ``?`` placeholders."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.conn.execute(_marks(sql), args)  # type: ignore[arg-type]  # the SQL is ours, not user input

    def executemany(self, sql: str, rows: Any) -> psycopg.Cursor[Any]:
        cur = self.conn.cursor()
        cur.executemany(_marks(sql), rows)  # type: ignore[arg-type]
        return cur


def translate(exc: psycopg.Error, location: str, doing: str) -> StoreError:
    """The `StoreError` that says in one line what PostgreSQL's error means for this database."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, pg.DiskFull | pg.OutOfMemory | pg.ProgramLimitExceeded):
        return StoreFull(f"{location}: the server ran out of space ({text}) while {doing}; free space and "
                         "crawl again: what was not committed will be fetched again")
    if isinstance(exc, pg.LockNotAvailable | pg.QueryCanceled | pg.DeadlockDetected):
        return StoreLocked(f"{location}: another connection held a lock too long while {doing} ({text})")
    if isinstance(exc, pg.ReadOnlySqlTransaction | pg.InsufficientPrivilege):
        return StoreReadOnly(f"{location}: cannot write ({text})")
    if isinstance(exc, pg.UndefinedTable | pg.UndefinedColumn):
        return StoreSchemaError(f"{location}: not a headline database ({text})")
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"{location}: lost the connection to PostgreSQL while {doing} ({text})")
    return StoreError(f"{location}: {text} while {doing}")


class PostgresStore(RelationalStore):
    """`Store` on a PostgreSQL database.

    ``create`` makes the tables when the database has none; reading commands pass False and get a
    `StoreMissing` instead. ``readonly`` opens a session that never writes. `timeout` bounds every wait
    for a lock (seconds).
    """

    def __init__(self, url: str, *, create: bool = True, readonly: bool = False, timeout: float = 60.0) -> None:
        self.url = url
        self.location = redact(url)
        self.readonly = readonly
        self.timeout = timeout
        self._db = self._connect()
        self._reader: psycopg.Connection[Any] | None = None
        try:
            self._migrate(create)
        except BaseException:
            self.close()
            raise

    def _connect(self, *, reader: bool = False) -> psycopg.Connection[Any]:
        """A connection in UTC, with the store's lock timeout; `reader`: for streaming queries."""
        settings = "-c timezone=UTC"
        if reader or self.readonly:
            settings += " -c default_transaction_read_only=on"
        else:
            settings += f" -c lock_timeout={int(self.timeout * 1000)}"
        try:
            params = conninfo_to_dict(self.url)
            params["options"] = f"{params.get('options') or ''} {settings}".strip()  # keep the URL's own
            return psycopg.connect(make_conninfo("", **params), autocommit=not reader, connect_timeout=10,
                                   application_name="headlines")
        except psycopg.Error as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            raise StoreError(f"{self.location}: cannot connect to PostgreSQL: {reason}") from None

    def _migrate(self, create: bool) -> None:
        with self._reading("opening it") as db:
            exists = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
            version = 0
            if exists:
                version = db.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreSchemaError(f"{self.location}: database schema version {version} is newer than this "
                                   f"program knows ({SCHEMA_VERSION}); upgrade headlines")
        if version == SCHEMA_VERSION:
            return
        if not exists and (self.readonly or not create):
            raise StoreMissing(f"no headline database at {self.location} (run `headlines crawl` first, or give --db)")
        if self.readonly:
            raise StoreSchemaError(f"{self.location}: database schema version {version} is older than this "
                                   f"program's ({SCHEMA_VERSION}); run a writing command such as "
                                   "`headlines crawl` once to upgrade it")
        with self._writing("creating its tables") as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATE_LOCK,))  # one process migrates at a time
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                       " applied_at timestamptz NOT NULL DEFAULT now())")
            version = db.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
            for number in range(version, SCHEMA_VERSION):
                self._db.execute(MIGRATIONS[number])  # type: ignore[arg-type]  # several statements, no parameters
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (number + 1,))

    @contextlib.contextmanager
    def _writing(self, doing: str) -> Iterator[_Marks]:
        """One transaction, rolled back on any error; PostgreSQL's errors become `StoreError`s."""
        if self.readonly:
            raise StoreReadOnly(f"database is read-only: {self.location} (opened for reading)")
        try:
            with self._db.transaction():
                yield _Marks(self._db)
        except psycopg.Error as exc:
            raise translate(exc, self.location, doing) from None

    @contextlib.contextmanager
    def _reading(self, doing: str) -> Iterator[_Marks]:
        try:
            yield _Marks(self._db)
        except psycopg.Error as exc:
            raise translate(exc, self.location, doing) from None

    def _bind(self, value: datetime | None, timespec: str = "seconds") -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be timezone-aware")
        value = value.astimezone(UTC)
        keep = 0 if timespec == "seconds" else value.microsecond // 1000 * 1000
        return value.replace(microsecond=keep)

    def _time(self, value: datetime | None) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    # -- headlines ------------------------------------------------------------------------------------

    def add(self, headlines: Sequence[NewHeadline], seen_at: datetime) -> AddResult:
        seen = self._bind(seen_at)
        latest = {h.url: h for h in headlines}  # one row per URL: ON CONFLICT cannot touch a row twice
        rows = [
            (h.url, h.title, h.source, h.guid, self._bind(h.published_at), seen, seen, h.sector, h.confidence,
             h.margin, ";".join(h.tags) if h.tags else None, h.model_id)
            for h in latest.values()
        ]
        with self._writing("storing headlines") as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (ADD_LOCK,))
            # lock the known rows in URL order, the order every multi-row update takes
            before = dict(db.execute("SELECT url, title FROM headlines WHERE url = ANY(?) ORDER BY url FOR UPDATE",
                                     (list(latest),)).fetchall())
            if rows:
                with self._db.cursor() as cur:
                    cur.executemany(_UPSERT, rows)  # type: ignore[arg-type]
        new = frozenset(url for url in latest if url not in before)
        retitled = sum(1 for url, h in latest.items() if url in before and before[url] != h.title)
        return AddResult(len(new), len(headlines) - len(new), retitled, new)

    def query(self, query: Query | None = None) -> Iterator[StoredHeadline]:
        sql, args = select_headlines(query or Query(), HEADLINE_COLUMNS, mark="%s", bind_time=self._bind)
        with self._reading("reading headlines"):
            if self._reader is None or self._reader.closed:
                self._reader = self._connect(reader=True)
            reader = self._reader
            with reader.transaction(), reader.cursor(name=f"headlines_{next(_names)}") as cur:
                cur.itersize = 2000
                cur.execute(sql, args)  # type: ignore[arg-type]
                for row in cur:
                    yield self._headline(row)

    # -- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        for conn in (self._db, self._reader):
            if conn is not None:
                with contextlib.suppress(psycopg.Error):
                    conn.close()
