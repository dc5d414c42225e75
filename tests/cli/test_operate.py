"""Exports people can open (filters, JSON Lines, the formula guard, the BOM, bookmarks), source health and
the digest, on stores written for the tests."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from headlines.cli import main
from store import LabelEvent, NewHeadline, RunRecord, open_store

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
RECENT = max(NOW - timedelta(hours=2), NOW.replace(hour=0, minute=0, second=0))  # today, whatever the hour


def h(n: int, title: str, sector: str, confidence: float, source: str = "a") -> NewHeadline:
    return NewHeadline(title, f"https://x.test/{n}", source, sector=sector, confidence=confidence,
                       margin=confidence / 2, tags=(sector,), model_id="m1")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    with open_store(path) as store:
        store.add([h(1, "Old chip story", "chips", 0.9), h(2, "Old wallet story", "fintech", 0.6, "b")], NOW - 10 * DAY)
        store.add([h(3, "=HYPERLINK(\"http://evil\") battery deal", "ev", 0.95),
                   h(4, "比亚迪发布新车", "ev", 0.7, "b"), h(5, "Storm closes schools", "other", 0.99),
                   h(6, "@mention of a marketplace", "ecommerce", 0.4)], RECENT)
        store.add_labels([LabelEvent("https://x.test/5", "chips", "review", "ana"),
                          LabelEvent("https://x.test/6", "not_headline", "review", "ana")])
    return path


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def exported(db: Path, *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(run(db, "export", *args).stdout)))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), [1, 2, 3, 4, 5]),  # 6 is not a headline
        (("--sector", "chips"), [1, 5]),  # 5 by a person's label
        (("--sector", "ev", "--sector", "fintech"), [2, 3, 4]),
        (("--source", "b"), [2, 4]),
        (("--since", "3d"), [3, 4, 5]),
        (("--until", "3d"), [1, 2]),
        (("--since", (NOW - 11 * DAY).date().isoformat(), "--until", "9d"), [1, 2]),
        (("--min-confidence", "0.8"), [1, 3, 5]),
        (("--reviewed",), [5]),
        (("--unreviewed",), [1, 2, 3, 4]),
    ],
)
def test_export_filters(db: Path, args: tuple[str, ...], expected: list[int]) -> None:
    assert [int(r["url"].rsplit("/", 1)[1]) for r in exported(db, *args)] == expected


def test_no_cell_runs_as_a_formula_and_excel_gets_a_bom(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    run(db, "export", "--excel", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    titles = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\") battery deal" in titles and "比亚迪发布新车" in titles
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_json_lines_carry_the_text_unchanged(db: Path) -> None:
    lines = [json.loads(line) for line in run(db, "export", "--format", "jsonl", "--sector", "ev").stdout.splitlines()]
    assert [r["title"] for r in lines] == ['=HYPERLINK("http://evil") battery deal', "比亚迪发布新车"]
    assert lines[0]["tags"] == ["ev"] and lines[0]["confidence"] == 0.95 and lines[0]["label"] is None


def test_new_exports_only_what_came_since_the_bookmark(db: Path) -> None:
    assert len(exported(db, "--new", "desk")) == 5
    assert exported(db, "--new", "desk") == []
    with open_store(db) as store:
        store.add([h(7, "A new chip fab opens", "chips", 0.9)], NOW)
    assert [r["title"] for r in exported(db, "--new", "desk")] == ["A new chip fab opens"]
    assert len(exported(db, "--new", "other-desk")) == 6  # each bookmark is its own


def test_a_failed_export_leaves_no_half_file_and_does_not_move_the_bookmark(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir-is-a-file"
    target.write_text("in the way")
    result = CliRunner().invoke(main, ["--db", str(db), "export", "--new", "desk", "-o", str(target / "x.csv")])
    assert result.exit_code == 1 and "cannot write" in result.stderr
    assert len(exported(db, "--new", "desk")) == 5


def test_export_reads_while_another_process_writes(db: Path) -> None:
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE headlines SET title = 'uncommitted'")
    try:
        assert len(exported(db)) == 5 and "uncommitted" not in run(db, "export").stdout
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def runs_of(store_path: Path, source: str, found: list[int], last_status: str = "ok") -> None:
    with open_store(store_path) as store:
        for i, n in enumerate(found):
            started = NOW - timedelta(hours=len(found) - i)
            status = last_status if i == len(found) - 1 else "ok"
            store.finish_run(RunRecord(source, started, started + timedelta(seconds=3), status, found=n, new=1))


def test_status_flags_a_source_whose_page_stopped_matching(db: Path, tmp_path: Path) -> None:
    runs_of(db, "steady", [40, 38, 41, 40])
    runs_of(db, "dropped", [40, 38, 41, 4])
    runs_of(db, "emptied", [40, 38, 41, 0], "empty")
    runs_of(db, "broken", [40, 0], "http_error")
    sources = tmp_path / "s.toml"
    sources.write_text("".join(f'[[sources]]\nname = "{n}"\nkind = "feed"\nurl = "https://{n}.test/f"\nevery = "1h"\n'
                               for n in ("steady", "dropped", "emptied", "broken", "fresh")))
    result = run(db, "status", "--sources", str(sources))
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line}
    assert "far fewer than its usual 40" in lines["dropped"] and "found nothing" in lines["emptied"]
    assert "failed: http_error" in lines["broken"] and lines["steady"].rstrip().endswith("now")
    assert "never" in lines["fresh"]
    assert "3 sources need a look: dropped, emptied, broken" in result.stdout
    sector_lines = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line[:3] in
                    ("ev ", "chi")}
    assert sector_lines["ev"] == ["2", "2"] and sector_lines["chips"] == ["1", "1"]  # 5 counts by its label
    check = CliRunner().invoke(main, ["--db", str(db), "status", "--sources", str(sources), "--check",
                                      "--format", "json"])
    assert check.exit_code == 3
    report = json.loads(check.stdout)
    assert report["flagged"] == ["dropped", "emptied", "broken"]
    assert report["sectors"]["chips"]["last_7_days"] == 1 and report["sources"][0]["last_run"]["found"] == 40


def test_the_digest_groups_counts_and_lists_each_story_once(db: Path) -> None:
    with open_store(db) as store:
        store.add([h(8, "=HYPERLINK(\"http://evil\") battery deal", "ev", 0.95, "c")], RECENT)
    md = run(db, "digest", "--since", "1d").stdout
    assert "| ev | 3 | 0 | new |" in md and "| fintech | 0 | 0 |" not in md
    ev = md[md.index("## ev"):md.index("## chips")]
    assert ev.index("battery deal") < ev.index("比亚迪发布新车")  # most confident first
    assert ev.count("battery deal") == 1 and "+1 more sources" in ev
    assert "Storm closes schools" in md[md.index("## chips"):]  # filed under its person's label
    html = run(db, "digest", "--since", "1d", "--format", "html").stdout
    assert html.startswith("<!doctype html>") and "<script" not in html and "<link" not in html
    assert "=HYPERLINK(&quot;http://evil&quot;) battery deal" in html
