"""SQL for the query API, shared by the backends: one `Query` becomes one SELECT with bound parameters.

Only the placeholder style and how times are bound differ between SQLite and PostgreSQL, so both are
parameters here and every filter is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from store.records import HIDDEN_LABEL, PERSON, Query

HEADLINE_COLUMNS = ("id, url, title, source, published_at, first_seen_at, last_seen_at, sector, confidence, margin,"
                    " tags, model_id, label, label_via")
_ORDER = {
    "first_seen": "first_seen_at, id",
    "newest": "first_seen_at DESC, id DESC",
    "uncertainty": "margin IS NOT NULL, margin, id",  # untagged first: they carry the least evidence
    "id": "id",
    "random": "random()",
}


def select_headlines(query: Query, columns: str, *, mark: str = "?", ordered: bool = True,
                     bind_time: Callable[[datetime], Any] = lambda t: t) -> tuple[str, list[Any]]:
    """SELECT `columns` FROM headlines for `query`; returns the SQL and its parameters."""
    where: list[str] = []
    args: list[Any] = []

    def among(column: str, values: tuple[str, ...]) -> None:
        where.append(f"{column} IN ({', '.join([mark] * len(values))})")
        args.extend(values)

    if not query.include_hidden:
        where.append(f"(label IS NULL OR label <> {mark})")
        args.append(HIDDEN_LABEL)
    if query.sectors:
        among("coalesce(label, sector)", query.sectors)
    if query.sources:
        among("source", query.sources)
    if query.since is not None:
        where.append(f"first_seen_at >= {mark}")
        args.append(bind_time(query.since))
    if query.until is not None:
        where.append(f"first_seen_at < {mark}")
        args.append(bind_time(query.until))
    if query.min_confidence is not None:
        where.append(f"confidence >= {mark}")
        args.append(query.min_confidence)
    if query.reviewed is not None:
        person = "label IS NOT NULL AND label_via IN (" + ", ".join(f"'{via}'" for via in PERSON) + ")"
        where.append(person if query.reviewed else f"NOT ({person})")
    if query.labeled is not None:
        where.append("label IS NOT NULL" if query.labeled else "label IS NULL")
    if query.tagged is not None:
        where.append("sector IS NOT NULL" if query.tagged else "sector IS NULL")
    if query.after_id is not None:
        where.append(f"id > {mark}")
        args.append(query.after_id)
    if query.upto_id is not None:
        where.append(f"id <= {mark}")
        args.append(query.upto_id)
    sql = f"SELECT {columns} FROM headlines"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if ordered:
        sql += f" ORDER BY {_ORDER[query.order]}"
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
    return sql, args
