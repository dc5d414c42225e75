"""The crawl summary, its exit codes and --due selection, on run records written for the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.sources import parse_sources
from headlines.crawl import CrawlReport, format_report
from headlines.errors import ExitCode
from headlines.schedule import due_sources
from store import RunRecord

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def run(source: str, status: str, found: int = 0, new: int = 0, error: str | None = None) -> RunRecord:
    return RunRecord(source=source, started_at=T0, finished_at=T0 + timedelta(seconds=1.5), status=status,
                     found=found, new=new, error=error)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [(["ok", "not_modified"], ExitCode.OK), (["ok", "empty"], ExitCode.SOURCE_EMPTY),
     (["ok", "empty", "timeout"], ExitCode.SOURCE_FAILED), (["robots"], ExitCode.SOURCE_FAILED),
     (["interrupted"], ExitCode.SOURCE_FAILED), (["store_error", "ok"], ExitCode.SOURCE_FAILED)],
)
def test_exit_code_follows_the_worst_status(statuses: list[str], code: ExitCode) -> None:
    assert CrawlReport("c", [run(f"s{i}", s) for i, s in enumerate(statuses)]).exit_code == code


def test_untagged_headlines_make_the_model_exit_code_and_are_said() -> None:
    report = CrawlReport("c", [run("a", "ok", 3, 3), run("b", "timeout")], model_error="no model in models/")
    assert report.exit_code == ExitCode.MODEL
    assert format_report(report).splitlines()[-1].startswith("headlines were stored untagged: no model in models/")


def test_summary_table_lists_each_source_and_the_totals() -> None:
    text = format_report(CrawlReport("c", [run("technode", "ok", 20, 18),
                                           run("pandaily", "http_error", error="HTTP 503 for https://p/")]))
    lines = text.splitlines()
    assert lines[0].split() == ["source", "status", "found", "new", "dup", "dropped", "time", "detail"]
    assert lines[1].split()[:4] == ["technode", "ok", "20", "18"] and "1.50s" in lines[1]
    assert lines[2].endswith("HTTP 503 for https://p/")
    assert lines[-1] == "1/2 sources ok; 20 headlines found, 18 new"


def test_due_sources_respect_every_and_last_run() -> None:
    sources = parse_sources(
        '[[sources]]\nname = "a"\nkind = "feed"\nurl = "https://a.test/f"\nevery = "30m"\n'
        '[[sources]]\nname = "b"\nkind = "feed"\nurl = "https://b.test/f"\nevery = "2h"\n'
        '[[sources]]\nname = "c"\nkind = "feed"\nurl = "https://c.test/f"\n'
        '[[sources]]\nname = "d"\nkind = "feed"\nurl = "https://d.test/f"\nevery = "1h"\n'
    )
    last = {"a": [run("a", "ok")], "b": [run("b", "ok")], "c": [run("c", "ok")]}
    due = due_sources(sources, last, T0 + timedelta(hours=1))
    assert [s.name for s in due] == ["a", "c", "d"]  # b ran an hour ago; d never ran
