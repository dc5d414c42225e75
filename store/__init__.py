"""The headline store: one interface (`Store`) over SQLite, the embedded default, and other backends.

It keeps one row per canonical URL with its title history and tags, the runs of every source's crawls and
the validators of conditional requests, and answers queries for export, review and status. It knows
neither Scrapy nor the command line: the crawler writes plain `NewHeadline` records, the application reads
`StoredHeadline` rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from store.base import Store
from store.errors import StoreError, StoreFull, StoreLocked, StoreMissing, StoreReadOnly, StoreSchemaError
from store.records import (
    HIDDEN_LABEL,
    PERSON,
    AddResult,
    KnownHeadline,
    LabelEvent,
    NewHeadline,
    Query,
    RunRecord,
    StoredHeadline,
    Tagging,
)

DEFAULT_TIMEOUT = 60.0
"""Seconds a write waits for another connection's lock before it fails as `StoreLocked`."""
DEFAULT_DB = "data/headlines.sqlite3"
"""Where the store lives unless --db or HEADLINES_DB says otherwise (relative to the working directory)."""

__all__ = [
    "DEFAULT_DB", "HIDDEN_LABEL", "PERSON", "AddResult", "KnownHeadline", "LabelEvent", "NewHeadline", "Query",
    "RunRecord", "Store", "StoreError", "StoreFull", "StoreLocked", "StoreMissing", "StoreReadOnly",
    "StoreSchemaError", "StoredHeadline", "Tagging", "open_store",
]


def open_store(location: Path | str, mode: Literal["write", "read"] = "write", timeout: float | None = None) -> Store:
    """Open the store at `location`: a SQLite file path (created on first write), or a PostgreSQL URL
    (``postgresql://user@host/db``, ``postgresql:///db``; tables created on first write).

    ``mode="read"`` never creates or changes anything: a missing database is `StoreMissing`, and a
    read-only file or file system still reads. `timeout` is how long a write waits for another process's
    lock before it fails as `StoreLocked` (default: 60 seconds).
    """
    text = str(location)
    wait = DEFAULT_TIMEOUT if timeout is None else timeout
    if text.startswith(("postgresql:", "postgres:")):
        try:
            from store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(f"a PostgreSQL store needs psycopg ({exc}): pip install 'headlines[postgresql]'") from None
        return PostgresStore(text, create=mode == "write", readonly=mode == "read", timeout=wait)
    if "://" in text:
        scheme = text.split(":", 1)[0]
        raise StoreError(f"{text}: database scheme '{scheme}' is not supported; give a SQLite file path or a "
                         "postgresql:// URL")
    from store.sqlite import SQLiteStore

    return SQLiteStore(location, create=mode == "write", readonly=mode == "read", timeout=wait)
