"""Labels in a spreadsheet, and rules: export, import (validated whole, all or nothing, idempotent, Excel's
files too), and rules whose preview is exactly what apply does."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from headlines.cli import main
from store import LabelEvent, open_store
from tests.conftest import tagged_store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
ROWS = [
    ("https://x.test/1", "Battery maker lines up sodium-ion packs", "ev", 0.91, 0.8),
    ("https://x.test/2", "Payment app caps fees for street vendors", "fintech", 0.55, 0.1),
    ("https://x.test/3", "Parcel lockers spread across rural towns", "other", 0.62, 0.3),
    ("https://x.test/4", "比亚迪十月销量创新高", "ev", 0.97, 0.9),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tagged_store(tmp_path / "h.sqlite3", ROWS, T0)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def labels_of(db: Path) -> dict[str, tuple[str | None, str | None]]:
    with open_store(db, "read") as store:
        return {h.url: (h.label, h.label_via) for h in store.query(_all())}


def _all():  # type: ignore[no-untyped-def]
    from store import Query

    return Query(include_hidden=True, order="id")


def test_export_lists_what_to_review_least_certain_first(db: Path) -> None:
    with open_store(db) as store:
        store.add_labels([LabelEvent("https://x.test/1", "chips", "review", "ana")])
    result = run(db, "labels", "export", "--unreviewed")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["url", "title", "source", "published_at", "sector", "confidence", "label"]
    assert [r["url"] for r in rows] == ["https://x.test/2", "https://x.test/3", "https://x.test/4"]
    assert all(r["label"] == "" for r in rows)
    everything = list(csv.DictReader(io.StringIO(run(db, "labels", "export").stdout)))
    assert {r["url"]: r["label"] for r in everything}["https://x.test/1"] == "chips"


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def test_an_import_with_bad_rows_applies_nothing_and_names_every_row(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "l.csv", "url,title,label\n"
                 "https://x.test/1,Battery maker lines up sodium-ion packs,ev\n"      # 2 fine
                 "https://x.test/2,Payment app caps fees for street vendors,wallets\n"  # 3 unknown sector
                 "https://x.test/9,Some headline,chips\n"                              # 4 unknown URL
                 "https://x.test/1,Battery maker lines up sodium-ion packs,ev\n"      # 5 duplicate row
                 "https://x.test/3,Parcel lockers spread across all towns,ecommerce\n"  # 6 title changed
                 "https://x.test/4,,\n")                                                  # 7 blank: fine
    before = labels_of(db)
    result = CliRunner().invoke(main, ["--db", str(db), "labels", "import", str(path)])
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if ": row " in line]
    assert [p.split(": row ")[1].split(":")[0] for p in problems] == ["3", "4", "5", "6"]
    assert "unknown sector 'wallets'" in problems[0] and "https://x.test/9" in problems[1]
    assert "also on row 2" in problems[2] and "title changed" in problems[3]
    assert "nothing was imported" in result.stderr
    assert labels_of(db) == before


def test_skip_invalid_applies_the_valid_rows_once(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "l.csv", "url,label\nhttps://x.test/1,chips\nhttps://x.test/2,bogus\n"
                 "https://x.test/3,not_headline\n")
    first = run(db, "labels", "import", "--skip-invalid", "--reviewer", "bo", str(path))
    assert "2 labels set, 0 already so" in first.stdout and "1 rows skipped" in first.stdout
    assert labels_of(db)["https://x.test/1"] == ("chips", "import")
    assert labels_of(db)["https://x.test/3"] == ("not_headline", "import")
    again = run(db, "labels", "import", "--skip-invalid", str(path))
    assert "0 labels set, 2 already so" in again.stdout
    with open_store(db, "read") as store:
        history = store.label_history("https://x.test/1")
    assert [(e.label, e.via, e.reviewer, e.model_sector, e.model_id) for e in history] == [
        ("chips", "import", "bo", "ev", "m1")]


def test_a_file_saved_by_excel_imports(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", "\ufeffurl;title;label\nhttps://x.test/4;比亚迪十月销量创新高;ev\n"
                 "https://x.test/2;Payment app caps fees for street vendors;fintech\n", "utf-8", "\r\n")
    result = run(db, "labels", "import", str(path))
    assert "2 labels set" in result.stdout
    assert labels_of(db)["https://x.test/4"] == ("ev", "import")


def test_rules_preview_is_exactly_what_apply_does_and_people_win(db: Path, tmp_path: Path) -> None:
    with open_store(db) as store:
        store.add_labels([LabelEvent("https://x.test/2", "other", "review", "ana")])
    rules = write(tmp_path / "rules.toml", '[[rules]]\nname = "lockers"\npattern = "parcel lockers"\n'
                  'sector = "ecommerce"\n\n[[rules]]\npattern = "payment"\nsector = "fintech"\n\n'
                  '[[rules]]\npattern = "销量"\nsector = "ev"\n')
    preview = run(db, "rules", "preview", "--rules", str(rules))
    assert "lockers -> ecommerce: 1 headlines, 1 of them change sector" in preview.stdout
    assert "payment -> fintech: 0 headlines" in preview.stdout  # a person labeled the only match
    assert "销量 -> ev: 1 headlines, 0 of them change sector" in preview.stdout
    applied = run(db, "rules", "apply", "--rules", str(rules))
    assert "2 headlines labeled by rules" in applied.stdout
    labels = labels_of(db)
    assert labels["https://x.test/3"] == ("ecommerce", "rule") and labels["https://x.test/4"] == ("ev", "rule")
    assert labels["https://x.test/2"] == ("other", "review")
    assert "0 headlines would be labeled" in run(db, "rules", "preview", "--rules", str(rules)).stdout


@pytest.mark.parametrize(("text", "message"), [
    ('[[rules]]\npattern = "x"\nsector = "robots"\n', "rule #1: key 'sector' must be one of"),
    ('[[rules]]\npattern = "(x"\nmatch = "regex"\nsector = "ev"\n', "rule #1: key 'pattern' is not a valid"),
    ('[[rules]]\npatern = "x"\nsector = "ev"\n', "rule #1: unknown key 'patern'"),
])
def test_a_bad_rules_file_is_one_line(db: Path, tmp_path: Path, text: str, message: str) -> None:
    rules = write(tmp_path / "rules.toml", text)
    result = CliRunner().invoke(main, ["--db", str(db), "rules", "preview", "--rules", str(rules)])
    assert result.exit_code == 1 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
