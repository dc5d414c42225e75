"""The `db` commands: moving a store between backends."""

from __future__ import annotations

import click

from headlines.cli.context import AppContext


@click.group()
def db() -> None:
    """Manage the store itself: copy a SQLite store to PostgreSQL."""


@db.command("copy")
@click.argument("source", metavar="SQLITE_PATH")
@click.argument("target", metavar="POSTGRESQL_URL")
@click.pass_obj
def copy(app: AppContext, source: str, target: str) -> None:
    """Copy every headline, label, run, validator and bookmark from the SQLite store at SQLITE_PATH into
    the empty PostgreSQL database at POSTGRESQL_URL, ids kept, and check the row counts.

    \b
    Example:
      headlines db copy data/headlines.sqlite3 postgresql://headlines@db.example/headlines
      export HEADLINES_DB=postgresql://headlines@db.example/headlines   # then use it everywhere

    The copy is one transaction: it lands whole or not at all. The SQLite file is only read.
    """
    from headlines.errors import InputError
    from store import open_store
    from store.copy import copy_store
    from store.postgres import PostgresStore, is_postgres
    from store.sqlite import SQLiteStore

    if is_postgres(source):
        raise InputError(f"{source}: the source must be a SQLite file path")
    if not is_postgres(target):
        raise InputError(f"{target}: the target must be a postgresql:// URL")
    with open_store(source, "read") as src, open_store(target, "write") as dst:
        assert isinstance(src, SQLiteStore) and isinstance(dst, PostgresStore)
        counts = copy_store(src, dst, lambda table, n: click.echo(f"  {table}: {n:,} rows", err=True))
    click.echo(f"Copied {source} to {dst.location}: " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
