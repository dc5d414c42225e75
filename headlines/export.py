"""Exporting stored headlines as CSV, streamed row by row so a large store never sits in memory."""

from __future__ import annotations

import csv
from typing import TextIO

from crawler.store import EXPORT_COLUMNS, HeadlineStore


def write_csv(store: HeadlineStore, out: TextIO) -> int:
    """Write every stored headline to `out` with the columns of the export contract; return the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in store.export_rows():
        confidence = row["confidence"]
        row["confidence"] = f"{confidence:.4f}" if confidence is not None else ""
        writer.writerow(["" if row[c] is None else row[c] for c in EXPORT_COLUMNS])
        count += 1
    return count
