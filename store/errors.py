"""The store's errors: each names the database and says what to do, in one line."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be opened or used."""


class StoreMissing(StoreError):
    """A reading command found no database where it was told to look."""


class StoreReadOnly(StoreError):
    """The database or its directory cannot be written."""


class StoreFull(StoreError):
    """The disk holding the database is full, or the database hit its size limit."""


class StoreLocked(StoreError):
    """Another connection held the write lock for longer than the busy timeout."""


class StoreSchemaError(StoreError):
    """The database was written by a newer version of this program, or is not a headline database."""
