"""People's labels in a spreadsheet: export the headlines to review, import the labels given to them.

An import is checked whole before anything is written: every row's problem is reported with its row number
(an unknown sector or URL, a URL twice, a title that changed since the export), and nothing is applied
unless the file is valid, or `skip_invalid` applies the valid rows and lists the rest. The valid rows are
written in one transaction; a row whose label is already the headline's changes nothing, so importing a
file twice changes nothing the second time. Files saved by Excel (a BOM, `;` as separator in some locales,
CRLF line ends) read as well.
"""

from __future__ import annotations

import csv
import getpass
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from classifier import LABELS
from headlines.errors import InputError
from headlines.export import iso
from store import HIDDEN_LABEL, LabelEvent, Store, StoredHeadline

REVIEW_COLUMNS = ("url", "title", "source", "published_at", "sector", "confidence", "label")
VALID_LABELS = (*LABELS, HIDDEN_LABEL)


def reviewer_name(given: str | None = None) -> str:
    """Who is labeling: the --reviewer option, else the login name."""
    if given:
        return given
    try:
        return os.environ.get("USER") or getpass.getuser()
    except OSError:
        return "unknown"


def write_review_csv(headlines: Iterable[StoredHeadline], out: TextIO) -> int:
    """Headlines to label, one per row; `label` is empty where no person has labeled yet."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    count = 0
    for h in headlines:
        label = h.label if h.reviewed else ""
        writer.writerow([h.url, h.title, h.source, iso(h.published_at), h.sector or "",
                         f"{h.confidence:.4f}" if h.confidence is not None else "", label or ""])
        count += 1
    return count


@dataclass(frozen=True)
class Problem:
    row: int  # the file's row number, header = 1
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass
class ImportReport:
    """What an import found and did."""

    changed: list[LabelEvent] = field(default_factory=list)  # applied (or, with problems, would be)
    unchanged: int = 0  # rows whose label the headline already had
    blank: int = 0  # rows left without a label
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False


def read_label_file(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a labels CSV as (row number, {column: value}), whichever of `,` `;` or tab separates them."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start}); "
                         "save it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    for needed in ("url", "label"):
        if needed not in header:
            raise InputError(f"{path}: row 1: no '{needed}' column (found: {', '.join(header) or 'nothing'})")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append((reader.line_num, dict(zip(header, (v.strip() for v in values), strict=False))))
    return rows


def check_import(store: Store, rows: list[tuple[int, dict[str, str]]], reviewer: str) -> ImportReport:
    """Every problem of every row, and the label events the valid rows make."""
    report = ImportReport()
    seen: dict[str, int] = {}
    for number, row in rows:
        url, label = row.get("url", ""), row.get("label", "").lower()
        if url in seen:
            report.problems.append(Problem(number, f"the URL {url} is also on row {seen[url]}"))
            continue
        seen[url] = number
        if not label:
            report.blank += 1
            continue
        if label not in VALID_LABELS:
            report.problems.append(Problem(number, f"unknown sector {label!r} (use one of {', '.join(VALID_LABELS)})"))
            continue
        stored = store.get(url) if url else None
        if stored is None:
            report.problems.append(Problem(number, f"no stored headline has the URL {url or '(empty)'}"))
            continue
        title = row.get("title")
        if title and " ".join(title.split()) != " ".join(stored.title.split()):
            report.problems.append(Problem(number, f"the headline's title changed since the export: now "
                                                   f"{stored.title!r}"))
            continue
        if stored.reviewed and stored.label == label:
            report.unchanged += 1
            continue
        report.changed.append(LabelEvent(url, label, "import", reviewer, model_sector=stored.sector,
                                         model_confidence=stored.confidence, model_id=stored.model_id))
    return report


def import_labels(store: Store, path: Path, reviewer: str, skip_invalid: bool = False) -> ImportReport:
    """Check a labels file and apply it: all of it, or with `skip_invalid` its valid rows."""
    report = check_import(store, read_label_file(path), reviewer)
    if report.problems and not skip_invalid:
        return report
    if report.changed:
        store.add_labels(report.changed)
    report.applied = True
    return report
