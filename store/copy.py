"""Moving a store from SQLite to PostgreSQL: every table, ids kept, counts checked.

Ids are kept so that export bookmarks, label events and title history still point at the same headlines.
The copy is one PostgreSQL transaction: it lands whole or not at all, and only into a database that holds
no headlines yet (so it can never mix two stores).
"""

from __future__ import annotations

from collections.abc import Callable

from store.errors import StoreError
from store.postgres import PostgresStore
from store.sqlite import SQLiteStore

TABLES = ("headlines", "title_history", "runs", "validators", "label_events", "bookmarks")
"""In an order that satisfies the foreign keys."""
_IDENTITY = ("headlines", "title_history", "runs", "label_events")


def copy_store(source: SQLiteStore, target: PostgresStore,
               progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every row of `source` into the empty `target`; returns the rows per table, as counted in both."""
    with target._reading("checking it is empty") as db:
        held = db.execute("SELECT count(*) FROM headlines").fetchone()[0]
    if held:
        raise StoreError(f"{target.location} already holds {held} headlines; copy into an empty database")
    copied: dict[str, int] = {}
    with source._reading("reading it for the copy") as src, target._writing("copying into it") as dst:
        for table in TABLES:
            columns = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            count = 0
            with dst.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[arg-type]
                for row in src.execute(f"SELECT {names} FROM {table} ORDER BY rowid"):
                    copy.write_row(row)
                    count += 1
                    if progress is not None and count % 100_000 == 0:
                        progress(table, count)
            if table in _IDENTITY:
                dst.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false)"
                            f" FROM {table}")
            there = dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if there != count:
                raise StoreError(f"{target.location}: {table} has {there} rows after copying {count}; nothing "
                                 "was copied")
            copied[table] = count
            if progress is not None:
                progress(table, count)
    return copied
