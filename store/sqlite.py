"""The SQLite backend: the embedded default, one file, nothing to install or run.

WAL mode lets exports and reviews read while a crawl writes; every batch is one transaction, so a process
killed at any moment leaves a database that opens and holds every batch committed before. SQLite's own
failures (a full disk, a lock held too long, a read-only file) become `StoreError`s that name the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from store.errors import StoreError, StoreFull, StoreLocked, StoreMissing, StoreReadOnly, StoreSchemaError
from store.records import AddResult, KnownHeadline, LabelEvent, NewHeadline, Query, RunRecord, StoredHeadline, Tagging
from store.sql import HEADLINE_COLUMNS, select_headlines
from store.sqlite_schema import MIGRATIONS, SCHEMA_VERSION

DEFAULT_TIMEOUT = 60.0
"""Seconds a write waits for another connection's lock before it fails as `StoreLocked`."""

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
_RUN_COLUMNS = ("id, source, started_at, finished_at, status, found, new, duplicates, dropped, error, crawl_id,"
                " host, pid")


def utc_iso(value: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 in UTC for every time the store keeps: to the second, run times to the millisecond."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; times must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec=timespec)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _tags(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(";")) if text else ()


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


class SQLiteStore:
    """`Store` on one SQLite file.

    ``create`` makes the file (and its directory) when missing; reading commands pass False and get a
    `StoreMissing` instead. ``readonly`` opens without ever writing, which works on a read-only file or
    file system too.
    """

    def __init__(self, path: Path | str, *, create: bool = True, readonly: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
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

    def known(self, urls: Iterable[str]) -> dict[str, KnownHeadline]:
        wanted = list(urls)
        found: dict[str, KnownHeadline] = {}
        with self._reading("looking up headlines") as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for url, *rest in db.execute("SELECT url, title, sector, confidence, margin, tags, model_id"
                                             f" FROM headlines WHERE url IN ({marks})", chunk):
                    found[url] = KnownHeadline(rest[0], rest[1], rest[2], rest[3], _tags(rest[4]), rest[5])
        return found

    def query(self, query: Query | None = None) -> Iterator[StoredHeadline]:
        sql, args = select_headlines(query or Query(), HEADLINE_COLUMNS, bind_time=utc_iso)
        with self._reading("reading headlines") as db:
            for row in db.execute(sql, args):
                yield _headline(row)

    def count(self, query: Query | None = None) -> int:
        sql, args = select_headlines(query or Query(), "count(*)", ordered=False, bind_time=utc_iso)
        with self._reading("counting headlines") as db:
            return int(db.execute(sql, args).fetchone()[0])

    def get(self, url: str) -> StoredHeadline | None:
        with self._reading("reading a headline") as db:
            row = db.execute(f"SELECT {HEADLINE_COLUMNS} FROM headlines WHERE url = ?", (url,)).fetchone()
        return _headline(row) if row else None

    def set_tags(self, taggings: Iterable[Tagging]) -> int:
        with self._writing("saving tags") as db:
            cur = db.executemany(
                "UPDATE headlines SET sector = ?, confidence = ?, margin = ?, tags = ?, model_id = ? WHERE url = ?",
                ((t.sector, t.confidence, t.margin, ";".join(t.tags), t.model_id, t.url) for t in taggings),
            )
        return cur.rowcount

    def title_history(self, url: str) -> list[tuple[str, datetime]]:
        with self._reading("reading title history") as db:
            rows = db.execute(
                "SELECT t.title, t.replaced_at FROM title_history t JOIN headlines h ON h.id = t.headline_id"
                " WHERE h.url = ? ORDER BY t.id",
                (url,),
            ).fetchall()
        return [(title, datetime.fromisoformat(at)) for title, at in rows]

    # -- labels ---------------------------------------------------------------------------------------

    def add_labels(self, events: Sequence[LabelEvent]) -> int:
        now = utc_iso(datetime.now(UTC))
        with self._writing("saving labels") as db:
            done = 0
            for e in events:
                row = db.execute("SELECT id FROM headlines WHERE url = ?", (e.url,)).fetchone()
                if row is None:
                    raise StoreError(f"{self.location}: no stored headline has the URL {e.url}")
                db.execute(
                    "INSERT INTO label_events (headline_id, label, via, reviewer, created_at, model_sector,"
                    " model_confidence, model_id) VALUES (?,?,?,?,?,?,?,?)",
                    (row[0], e.label, e.via, e.reviewer, utc_iso(e.at) if e.at else now, e.model_sector,
                     e.model_confidence, e.model_id),
                )
                via = None if e.label is None else (e.via if e.via != "undo" else self._undone_via(db, row[0]))
                db.execute("UPDATE headlines SET label = ?, label_via = ?, labeled_at = ? WHERE id = ?",
                           (e.label, via, utc_iso(e.at) if e.at else now, row[0]))
                done += 1
        return done

    @staticmethod
    def _undone_via(db: sqlite3.Connection, headline_id: int) -> str | None:
        """How the label an undo brings back had come: the latest earlier event that set that label."""
        rows = db.execute("SELECT label, via FROM label_events WHERE headline_id = ? ORDER BY id DESC",
                          (headline_id,)).fetchall()
        restored = rows[0][0]
        for label, via in rows[1:]:
            if label == restored and via != "undo":
                return str(via)
        return "review"

    def label_history(self, url: str) -> list[LabelEvent]:
        with self._reading("reading label history") as db:
            rows = db.execute(
                "SELECT e.label, e.via, e.reviewer, e.created_at, e.model_sector, e.model_confidence, e.model_id"
                " FROM label_events e JOIN headlines h ON h.id = e.headline_id WHERE h.url = ? ORDER BY e.id",
                (url,),
            ).fetchall()
        return [LabelEvent(url, r[0], r[1], r[2], datetime.fromisoformat(r[3]), r[4], r[5], r[6]) for r in rows]

    # -- runs -----------------------------------------------------------------------------------------

    def start_run(self, run: RunRecord) -> int:
        with self._writing("recording a run") as db:
            cur = db.execute(
                "INSERT INTO runs (crawl_id, source, started_at, status, host, pid) VALUES (?,?,?,?,?,?)",
                (run.crawl_id, run.source, utc_iso(run.started_at, "milliseconds"), run.status, run.host, run.pid),
            )
        assert cur.lastrowid is not None
        run.id = cur.lastrowid
        return cur.lastrowid

    def finish_run(self, run: RunRecord) -> None:
        values = (utc_iso(run.finished_at, "milliseconds"), run.status, run.found, run.new, run.duplicates,
                  json.dumps(run.dropped, sort_keys=True), run.error)
        with self._writing("recording a run") as db:
            if run.id is None:
                cur = db.execute(
                    "INSERT INTO runs (finished_at, status, found, new, duplicates, dropped, error, crawl_id,"
                    " source, started_at, host, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, run.crawl_id, run.source, utc_iso(run.started_at, "milliseconds"), run.host, run.pid),
                )
                run.id = cur.lastrowid
            else:
                db.execute(
                    "UPDATE runs SET finished_at = ?, status = ?, found = ?, new = ?, duplicates = ?,"
                    " dropped = ?, error = ? WHERE id = ?",
                    (*values, run.id),
                )

    def _run_records(self, where: str, args: tuple[Any, ...]) -> list[RunRecord]:
        with self._reading("reading runs") as db:
            rows = db.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE {where} ORDER BY id", args).fetchall()
        return [
            RunRecord(
                id=r[0], source=r[1], started_at=datetime.fromisoformat(r[2]), finished_at=_time(r[3]), status=r[4],
                found=r[5], new=r[6], duplicates=r[7], dropped=json.loads(r[8]), error=r[9], crawl_id=r[10],
                host=r[11], pid=r[12],
            )
            for r in rows
        ]

    def runs(self, crawl_id: str) -> list[RunRecord]:
        return self._run_records("crawl_id = ?", (crawl_id,))

    def last_runs(self) -> dict[str, RunRecord]:
        records = self._run_records("id IN (SELECT max(id) FROM runs GROUP BY source)", ())
        return {r.source: r for r in records}

    def running(self) -> list[RunRecord]:
        return self._run_records("status = 'running'", ())

    def recent_runs(self, per_source: int = 10) -> dict[str, list[RunRecord]]:
        records = self._run_records(
            "id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY source ORDER BY id DESC) AS n"
            " FROM runs) WHERE n <= ?)", (per_source,))
        found: dict[str, list[RunRecord]] = {}
        for run in records:
            found.setdefault(run.source, []).append(run)
        return found

    # -- export bookmarks -----------------------------------------------------------------------------

    def max_id(self) -> int:
        with self._reading("reading headlines") as db:
            return int(db.execute("SELECT coalesce(max(id), 0) FROM headlines").fetchone()[0])

    def bookmark(self, name: str) -> int | None:
        with self._reading("reading a bookmark") as db:
            row = db.execute("SELECT last_id FROM bookmarks WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else None

    def set_bookmark(self, name: str, last_id: int) -> None:
        with self._writing("saving a bookmark") as db:
            db.execute("INSERT INTO bookmarks (name, last_id, updated_at) VALUES (?,?,?) ON CONFLICT (name)"
                       " DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at",
                       (name, last_id, utc_iso(datetime.now(UTC))))

    # -- conditional requests -------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self._reading("reading validators") as db:
            row = db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self._writing("saving validators") as db:
            db.execute(
                "INSERT INTO validators (url, etag, last_modified, updated_at) VALUES (?,?,?,?)"
                " ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated_at = excluded.updated_at",
                (url, etag, last_modified, utc_iso(datetime.now(UTC))),
            )

    # -- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _headline(row: Sequence[Any]) -> StoredHeadline:
    return StoredHeadline(
        id=row[0], url=row[1], title=row[2], source=row[3], published_at=_time(row[4]),
        first_seen_at=datetime.fromisoformat(row[5]), last_seen_at=datetime.fromisoformat(row[6]),
        sector=row[7], confidence=row[8], margin=row[9], tags=_tags(row[10]), model_id=row[11], label=row[12],
        label_via=row[13],
    )


def _writable(path: Path) -> bool:
    """Whether SQLite can write the file and create its -wal and -shm files beside it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
