"""Exporting stored headlines as CSV: the column contract, streamed row by row.

The columns and their order are a contract (DESIGN.md): scripts and spreadsheets rely on them. Rows come
from the store's query API as they are read, so a large store never sits in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from store import StoredHeadline

EXPORT_COLUMNS = (
    "title", "url", "source", "published_at", "first_seen_at", "sector", "confidence", "tags", "label", "model_id",
    "label_via",
)
"""The contract's ten columns in their order (DESIGN.md), then how the label came: review, import or rule."""


def iso(moment: datetime | None) -> str:
    """ISO 8601 in UTC, to the second, as every exported time is written."""
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else ""


def export_row(h: StoredHeadline) -> list[str]:
    """One headline as the export's cells, in EXPORT_COLUMNS order."""
    return [
        h.title, h.url, h.source, iso(h.published_at), iso(h.first_seen_at), h.sector or "",
        f"{h.confidence:.4f}" if h.confidence is not None else "", ";".join(h.tags), h.label or "", h.model_id or "",
        h.label_via or "",
    ]


def write_csv(headlines: Iterable[StoredHeadline], out: TextIO) -> int:
    """Write headlines to `out` with the columns of the export contract; return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for headline in headlines:
        writer.writerow(export_row(headline))
        count += 1
    return count
