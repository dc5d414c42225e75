"""Faults an unattended crawl meets, produced for real: a full disk, a held lock, a kill, a broken server,
bad options and unusable databases. Each ends with its documented status or exit code and a clear line,
and loses nothing that was stored or that a later crawl could still fetch."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from store import NewHeadline, open_store
from tests.conftest import FAST, ROOT, Server, SmallFs, run_headlines
from tests.integration.test_crawl import TITLES, last_runs, list_page, rows, source, statuses

Crawl = Callable[..., subprocess.CompletedProcess[str]]


def big_feed(base: str, entries: int) -> str:
    items = "".join(f"<item><title>Story {i} about a company that did something notable today</title>"
                    f"<link>{base}/story/{i:06d}.html</link></item>" for i in range(entries))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>{items}</channel></rss>'


def crawl_into(db: Path, sources_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_headlines("--db", str(db), "crawl", "--sources", str(sources_file), *FAST, *extra)


def test_a_full_disk_fails_the_source_saves_no_validators_and_the_next_crawl_stores_the_rest(
        server: Server, small_fs: Callable[[str], SmallFs], tmp_path: Path) -> None:
    fs = small_fs("1m")
    db = fs.path / "h.sqlite3"
    url = server.add("/big.xml", big_feed(server.base, 20_000), content_type="application/rss+xml", ETag='"v1"')
    sources = tmp_path / "s.toml"
    sources.write_text(source("big", "feed", url))
    full = crawl_into(db, sources)
    assert full.returncode == 3, full.stdout + full.stderr[-2000:]
    assert "store_error" in full.stdout and "disk is full" in full.stdout
    assert "Traceback" not in full.stderr
    fs.remount("size=128m")
    with open_store(db, "read") as store:
        committed = store.count()
        recorded = store.last_runs().get("big")
    assert committed < 20_000
    if recorded is not None:  # the run could be recorded: then its counts are what was committed
        assert recorded.status == "store_error" and recorded.new == committed
    again = crawl_into(db, sources)
    assert again.returncode == 0, again.stdout + again.stderr[-2000:]
    assert [h.get("If-None-Match") for h in server.requests_to("/big.xml")] == [None, None]
    with open_store(db, "read") as store:
        assert store.count() == 20_000
        run = store.last_runs()["big"]
        assert (run.status, run.new) == ("ok", 20_000 - committed)


def hold_write_lock(db: Path, seconds: float) -> threading.Thread:
    """Another connection takes the database's write lock and keeps it for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        holder.execute("ROLLBACK")
        holder.close()

    thread = threading.Thread(target=hold)
    thread.start()
    taken.wait()
    return thread


def test_a_held_lock_is_waited_for_and_the_run_record_matches_what_was_stored(server: Server,
                                                                               tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    open_store(db).close()
    sources = tmp_path / "s.toml"
    sources.write_text(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    holder = hold_write_lock(db, 4)
    done = crawl_into(db, sources, "-s", "HEADLINES_DB_TIMEOUT=30")
    holder.join()
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    run = last_runs(tmp_path)["portal"]
    assert (run.status, run.new) == ("ok", len(TITLES)) and len(rows(tmp_path)) == len(TITLES)


def test_a_lock_held_past_the_timeout_is_a_store_error_and_is_still_recorded(server: Server,
                                                                              tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    open_store(db).close()
    sources = tmp_path / "s.toml"
    sources.write_text(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    holder = hold_write_lock(db, 15)
    done = crawl_into(db, sources, "-s", "HEADLINES_DB_TIMEOUT=1")
    holder.join()
    assert done.returncode == 3, done.stdout + done.stderr[-2000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("portal")]
    assert line.split()[1:4] == ["store_error", str(len(TITLES)), "0"]  # found 8, new 0: nothing was committed
    assert "stayed locked by another process" in line and "run not recorded" in line
    assert rows(tmp_path) == [] and last_runs(tmp_path) == {}  # no row claims what did not happen


def test_a_killed_crawl_is_marked_interrupted_and_its_source_is_due_again(server: Server, tmp_path: Path) -> None:
    server.add("/slow/", list_page(TITLES))
    server.routes["/slow/"].delay = 30
    db = tmp_path / "h.sqlite3"
    sources = tmp_path / "s.toml"
    sources.write_text(source("slow", "portal", server.base + "/slow/", every="1h"))
    child = subprocess.Popen([sys.executable, "-m", "headlines", "--db", str(db), "crawl", "--sources",
                              str(sources), *FAST], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=dict(os.environ))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.requests_to("/slow/"):
        time.sleep(0.1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert statuses(tmp_path) == {"slow": "running"}
    server.routes["/slow/"].delay = 0
    done = run_headlines("--db", str(db), "crawl", "--sources", str(sources), "--due", *FAST)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    with open_store(db, "read") as store:
        runs = store.runs(store.last_runs()["slow"].crawl_id or "")
    assert [r.status for r in runs] == ["ok"]
    assert "marked interrupted" in done.stderr
    assert len(rows(tmp_path)) == len(TITLES)


def test_redirect_loops_and_selectors_that_match_nothing_say_so(server: Server, crawl: Crawl) -> None:
    server.add("/loop-a", "", status=302, Location=server.base + "/loop-b")
    server.add("/loop-b", "", status=302, Location=server.base + "/loop-a")
    page = server.add("/live/", list_page(TITLES))
    done = crawl(source("loop", "portal", server.base + "/loop-a") + source("picky", "portal", page,
                                                                             links="div.gone a"))
    assert done.returncode == 3
    lines = {line.split()[0]: line for line in done.stdout.splitlines()[1:-1]}
    assert "http_error" in lines["loop"] and f"redirect loop at {server.base}/loop-a" in lines["loop"]
    assert "empty" in lines["picky"] and "selector 'div.gone a' matched no links" in lines["picky"]


def statuses_line(summary: str, name: str) -> list[str]:
    (line,) = [line for line in summary.splitlines() if line.startswith(name + " ")]
    return line.split()


@pytest.mark.parametrize("fault", ["drop", "truncate"])
def test_a_connection_closed_early_is_a_connection_error_in_plain_words(server: Server, crawl: Crawl,
                                                                        fault: str) -> None:
    url = server.add("/feed.xml", "<rss>" + "<item><title>x</title></item>" * 100, content_type="application/xml")
    server.routes["/feed.xml"].fault = fault
    done = crawl(source("flaky", "feed", url))
    assert done.returncode == 3
    netloc = server.base.removeprefix("http://")
    assert statuses_line(done.stdout, "flaky")[1] == "connection_error"
    assert f"connection closed by {netloc} before the response ended" in done.stdout
    assert "Failure" not in done.stdout and "<" not in done.stdout


def test_bad_settings_and_spider_arguments_are_one_line(tmp_path: Path, server: Server) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    done = run_headlines("--db", str(tmp_path / "h.sqlite3"), "crawl", "--sources", str(sources),
                         "-s", "DOWNLOAD_DELAY=abc")
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: -s DOWNLOAD_DELAY=abc: DOWNLOAD_DELAY must be a number (it is 1.0 by default)"
    assert not (tmp_path / "h.sqlite3").exists()
    scrapy = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal"], cwd=ROOT, capture_output=True,
                            text=True, check=False, env={**os.environ, "HEADLINES_DB": str(tmp_path / "x.db")})
    assert scrapy.returncode == 2
    assert "error: spider 'portal': give the page to crawl with -a url=URL" in scrapy.stderr
    assert "Traceback" not in scrapy.stderr


@pytest.mark.parametrize("command", [["crawl"], ["status"], ["export"], ["retag"]])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "h.sqlite3"
    db.write_bytes(b"not a database at all " * 200)
    done = run_headlines("--db", str(db), *command, env={"HEADLINES_MODELS": str(tmp_path / "m")})
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"Error: {db}: cannot open the headline database: "
                                                "file is not a database"]


@pytest.mark.parametrize("command", [["status"], ["export"]])
def test_reading_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "tpyo" / "h.sqlite3"
    done = run_headlines("--db", str(db), *command)
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: no database at {db} (run `headlines crawl` first, or give --db)"
    assert not db.parent.exists()


def test_a_database_directory_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("x", "feed", "https://example.invalid/feed"))
    done = run_headlines("--db", "/proc/nope/x.db", "crawl", "--sources", str(sources))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Error: cannot create the database directory /proc/nope")


def test_a_read_only_file_system_refuses_writes_and_serves_reads(
        small_fs: Callable[[str], SmallFs], tmp_path: Path, small_models: Path) -> None:
    fs = small_fs("8m")
    db = fs.path / "h.sqlite3"
    with open_store(db) as store:
        from datetime import UTC, datetime

        store.add([NewHeadline("Chipmaker opens a fab", "https://x.test/1", "src")], datetime.now(UTC))
    fs.remount("ro")
    sources = tmp_path / "s.toml"
    sources.write_text(source("x", "feed", "https://example.invalid/feed"))
    for command in (["crawl", "--sources", str(sources)], ["retag"]):
        done = run_headlines("--db", str(db), "--models-dir", str(small_models), *command)
        assert done.returncode == 1, done.stderr
        assert done.stderr.strip().splitlines()[-1] == f"Error: database is read-only: {db}"
    status = run_headlines("--db", str(db), "status")
    assert status.returncode == 0 and "1 headlines stored" in status.stdout
    export = run_headlines("--db", str(db), "export")
    assert export.returncode == 0 and "Chipmaker opens a fab" in export.stdout
    out = run_headlines("--db", str(db), "export", "-o", str(fs.path / "out.csv"))
    assert out.returncode == 1
    assert out.stderr.strip() == f"Error: cannot write {fs.path / 'out.csv'}: Read-only file system"


def test_bad_report_targets_and_corpora_are_one_line(tmp_path: Path, small_models: Path,
                                                     small_fs: Callable[[str], SmallFs]) -> None:
    fs = small_fs("1m")
    fs.remount("ro")
    models = ["--models-dir", str(small_models)]
    html = run_headlines(*models, "evaluate", "--html", str(fs.path / "r.html"))
    assert "Traceback" not in html.stderr
    assert html.returncode == 1 and html.stderr.strip().endswith(f"Error: cannot write {fs.path / 'r.html'}: "
                                                                 "Read-only file system")
    header_only = tmp_path / "empty.csv"
    header_only.write_text("headline,sector\n")
    one_each = tmp_path / "one.csv"
    one_each.write_text("headline,sector\nBYD sells cars,ev\nAlipay wallet,fintech\nSMIC fab,chips\n"
                        "Temu sales,ecommerce\nA storm hits,other\n")
    for args in (["train", "--data", str(header_only)], ["train", "--data", str(one_each)],
                 ["evaluate", "--data", str(header_only)]):
        done = run_headlines(*models, *args)
        last = done.stderr.strip().splitlines()[-1]
        assert done.returncode == 1 and last.startswith("Error: "), (args, done.stderr)
        assert "Traceback" not in done.stderr
