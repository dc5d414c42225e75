"""What the SQL backends share: every part of the `Store` interface whose SQL reads the same in SQLite and
PostgreSQL, written once.

A backend supplies its transactions (`_writing`, `_reading`, each yielding an object with sqlite3's
``execute``/``executemany`` shape and ``?`` placeholders), how it binds and reads times, and what is truly
its own: adding headlines (upsert and counting what was new), streaming queries, opening and migrating.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from store.errors import StoreError
from store.records import KnownHeadline, LabelEvent, Query, RunRecord, StoredHeadline, Tagging
from store.sql import HEADLINE_COLUMNS, select_headlines

RUN_COLUMNS = "id, source, started_at, finished_at, status, found, new, duplicates, dropped, error, crawl_id, host, pid"
KNOWN_CHUNK = 500  # URLs per lookup query: well under SQLite's limit of bound parameters


class Connection(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


def tags_of(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(";")) if text else ()


class RelationalStore:
    """The shared half of a SQL backend; see the module docstring for what a subclass supplies."""

    location: str

    # -- what a backend supplies ----------------------------------------------------------------------

    def _writing(self, doing: str) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _reading(self, doing: str) -> contextlib.AbstractContextManager[Connection]:
        raise NotImplementedError

    def _bind(self, value: datetime | None, timespec: str = "seconds") -> Any:
        """A time as the backend keeps it (to the second; run times to the millisecond)."""
        raise NotImplementedError

    def _time(self, value: Any) -> datetime | None:
        """A time read back, timezone-aware in UTC."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # -- headlines ------------------------------------------------------------------------------------

    def _headline(self, row: Sequence[Any]) -> StoredHeadline:
        first_seen, last_seen = self._time(row[5]), self._time(row[6])
        assert first_seen is not None and last_seen is not None
        return StoredHeadline(
            id=row[0], url=row[1], title=row[2], source=row[3], published_at=self._time(row[4]),
            first_seen_at=first_seen, last_seen_at=last_seen, sector=row[7], confidence=row[8], margin=row[9],
            tags=tags_of(row[10]), model_id=row[11], label=row[12], label_via=row[13],
        )

    def known(self, urls: Iterable[str]) -> dict[str, KnownHeadline]:
        wanted = list(urls)
        found: dict[str, KnownHeadline] = {}
        with self._reading("looking up headlines") as db:
            for start in range(0, len(wanted), KNOWN_CHUNK):
                chunk = wanted[start:start + KNOWN_CHUNK]
                marks = ",".join("?" * len(chunk))
                for url, *rest in db.execute("SELECT url, title, sector, confidence, margin, tags, model_id"
                                             f" FROM headlines WHERE url IN ({marks})", chunk):
                    found[url] = KnownHeadline(rest[0], rest[1], rest[2], rest[3], tags_of(rest[4]), rest[5])
        return found

    def count(self, query: Query | None = None) -> int:
        sql, args = select_headlines(query or Query(), "count(*)", ordered=False, bind_time=self._bind)
        with self._reading("counting headlines") as db:
            return int(db.execute(sql, args).fetchone()[0])

    def get(self, url: str) -> StoredHeadline | None:
        with self._reading("reading a headline") as db:
            row = db.execute(f"SELECT {HEADLINE_COLUMNS} FROM headlines WHERE url = ?", (url,)).fetchone()
        return self._headline(row) if row else None

    def set_tags(self, taggings: Iterable[Tagging]) -> int:
        with self._writing("saving tags") as db:
            cur = db.executemany(
                "UPDATE headlines SET sector = ?, confidence = ?, margin = ?, tags = ?, model_id = ? WHERE url = ?",
                [(t.sector, t.confidence, t.margin, ";".join(t.tags), t.model_id, t.url)
                 for t in sorted(taggings, key=lambda t: t.url)],  # one lock order for every writer
            )
        return int(cur.rowcount)

    def title_history(self, url: str) -> list[tuple[str, datetime]]:
        with self._reading("reading title history") as db:
            rows = db.execute(
                "SELECT t.title, t.replaced_at FROM title_history t JOIN headlines h ON h.id = t.headline_id"
                " WHERE h.url = ? ORDER BY t.id",
                (url,),
            ).fetchall()
        return [(title, self._when(at)) for title, at in rows]

    def _when(self, value: Any) -> datetime:
        when = self._time(value)
        assert when is not None
        return when

    # -- labels ---------------------------------------------------------------------------------------

    def add_labels(self, events: Sequence[LabelEvent]) -> int:
        now = self._bind(datetime.now().astimezone())
        with self._writing("saving labels") as db:
            done = 0
            for e in events:
                row = db.execute("SELECT id FROM headlines WHERE url = ?", (e.url,)).fetchone()
                if row is None:
                    raise StoreError(f"{self.location}: no stored headline has the URL {e.url}")
                at = self._bind(e.at) if e.at else now
                db.execute(
                    "INSERT INTO label_events (headline_id, label, via, reviewer, created_at, model_sector,"
                    " model_confidence, model_id) VALUES (?,?,?,?,?,?,?,?)",
                    (row[0], e.label, e.via, e.reviewer, at, e.model_sector, e.model_confidence, e.model_id),
                )
                via = None if e.label is None else (e.via if e.via != "undo" else self._undone_via(db, row[0]))
                db.execute("UPDATE headlines SET label = ?, label_via = ?, labeled_at = ? WHERE id = ?",
                           (e.label, via, at, row[0]))
                done += 1
        return done

    @staticmethod
    def _undone_via(db: Connection, headline_id: int) -> str | None:
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
        return [LabelEvent(url, r[0], r[1], r[2], self._time(r[3]), r[4], r[5], r[6]) for r in rows]

    # -- runs -----------------------------------------------------------------------------------------

    def start_run(self, run: RunRecord) -> int:
        with self._writing("recording a run") as db:
            (run_id,) = db.execute(
                "INSERT INTO runs (crawl_id, source, started_at, status, host, pid) VALUES (?,?,?,?,?,?) RETURNING id",
                (run.crawl_id, run.source, self._bind(run.started_at, "milliseconds"), run.status, run.host, run.pid),
            ).fetchone()
        run.id = int(run_id)
        return run.id

    def finish_run(self, run: RunRecord) -> None:
        values = (self._bind(run.finished_at, "milliseconds"), run.status, run.found, run.new, run.duplicates,
                  json.dumps(run.dropped, sort_keys=True), run.error)
        with self._writing("recording a run") as db:
            if run.id is None:
                (run_id,) = db.execute(
                    "INSERT INTO runs (finished_at, status, found, new, duplicates, dropped, error, crawl_id,"
                    " source, started_at, host, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                    (*values, run.crawl_id, run.source, self._bind(run.started_at, "milliseconds"), run.host,
                     run.pid),
                ).fetchone()
                run.id = int(run_id)
            else:
                db.execute(
                    "UPDATE runs SET finished_at = ?, status = ?, found = ?, new = ?, duplicates = ?,"
                    " dropped = ?, error = ? WHERE id = ?",
                    (*values, run.id),
                )

    def _run_records(self, where: str, args: tuple[Any, ...]) -> list[RunRecord]:
        with self._reading("reading runs") as db:
            rows = db.execute(f"SELECT {RUN_COLUMNS} FROM runs WHERE {where} ORDER BY id", args).fetchall()
        return [
            RunRecord(
                id=r[0], source=r[1], started_at=self._when(r[2]), finished_at=self._time(r[3]), status=r[4],
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
            " FROM runs) AS ranked WHERE n <= ?)", (per_source,))
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
                       (name, last_id, self._bind(datetime.now().astimezone())))

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
                (url, etag, last_modified, self._bind(datetime.now().astimezone())),
            )

    # -- lifetime -------------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
