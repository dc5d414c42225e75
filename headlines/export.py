"""Exporting stored headlines as CSV or JSON Lines: the column contract, streamed row by row.

The columns and their order are a contract (DESIGN.md): scripts and spreadsheets rely on them. Rows come
from the store's query API as they are read, so a large store never sits in memory.

A headline is text from someone else's site, and a spreadsheet runs a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula (OWASP's "CSV injection"). Every CSV cell that begins
so is written with a leading apostrophe, which spreadsheets show as text and do not keep as part of the
value; JSON Lines, read by programs, carries the text unchanged.
"""

from __future__ import annotations

import csv
import json
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


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralized(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(headlines: Iterable[StoredHeadline], out: TextIO) -> int:
    """Write headlines to `out` with the columns of the export contract; return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for headline in headlines:
        writer.writerow([neutralized(cell) for cell in export_row(headline)])
        count += 1
    return count


def write_jsonl(headlines: Iterable[StoredHeadline], out: TextIO) -> int:
    """Write one JSON object per line with the export's columns (tags as a list, confidence a number)."""
    count = 0
    for h in headlines:
        record: dict[str, object] = {
            "title": h.title, "url": h.url, "source": h.source, "published_at": iso(h.published_at) or None,
            "first_seen_at": iso(h.first_seen_at), "sector": h.sector, "confidence": h.confidence,
            "tags": list(h.tags), "label": h.label, "model_id": h.model_id, "label_via": h.label_via,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


WRITERS = {"csv": write_csv, "jsonl": write_jsonl}
