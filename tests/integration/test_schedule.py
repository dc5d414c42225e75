"""The scheduler for real: `headlines schedule` in a child process, its crawls in theirs, against a local
HTTP server, with second-scale schedules: on time, never overlapping, backing off, resuming, stopping."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from headlines.schedule import SourceLocks, lock_dir
from store import RunRecord, open_store
from tests.conftest import FAST, ROOT, Server, run_headlines
from tests.integration.test_crawl import TITLES, list_page, source


def start_scheduler(db: Path, sources: Path, *extra: str) -> subprocess.Popen[str]:
    settings = [arg for value in FAST[1::2] for arg in ("-s", value)]
    return subprocess.Popen([sys.executable, "-m", "headlines", "--db", str(db), "schedule", "--sources",
                             str(sources), *settings, *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def stop(process: subprocess.Popen[str], timeout: float = 60) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=timeout)
    return err


def runs(db: Path) -> dict[str, list[RunRecord]]:
    if not db.exists():
        return {}
    with open_store(db, "read") as store:
        return store.recent_runs(100)


def test_crawls_run_on_time_never_overlap_and_a_failing_source_backs_off(server: Server, tmp_path: Path) -> None:
    good = server.add("/live/", list_page(TITLES))
    sources = tmp_path / "s.toml"
    sources.write_text(source("steady", "portal", good, every="3s")
                       + source("broken", "feed", server.base + "/gone", every="2s"))
    db = tmp_path / "h.sqlite3"
    scheduler = start_scheduler(db, sources, "--parallel", "2")
    time.sleep(30)
    log = stop(scheduler)
    assert scheduler.returncode == 0, log
    steady, broken = runs(db)["steady"], runs(db)["broken"]
    assert len(steady) >= 3, log
    for before, after in zip(steady, steady[1:], strict=False):
        assert before.finished_at is not None and after.started_at >= before.finished_at  # no overlap
        assert (after.started_at - before.started_at).total_seconds() >= 3 - 0.05  # not before it was due
    gaps = [(b.started_at - a.started_at).total_seconds() for a, b in zip(broken, broken[1:], strict=False)]
    assert len(gaps) >= 2 and all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False)), gaps
    assert gaps[-1] >= 2 * 2 ** 2 - 0.05  # 2s doubled per failure in a row
    assert f"steady: ok, {len(TITLES)} found" in log and "broken: http_error" in log


def test_a_restart_resumes_without_crawling_everything_again(server: Server, tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("hourly", "portal", server.add("/live/", list_page(TITLES)), every="1h"))
    db = tmp_path / "h.sqlite3"
    first = start_scheduler(db, sources)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not any(r.status == "ok" for r in runs(db).get("hourly", [])):
        time.sleep(0.5)
    stop(first)
    again = start_scheduler(db, sources)
    time.sleep(6)
    stop(again)
    assert [r.status for r in runs(db)["hourly"]] == ["ok"]


def test_sigterm_stops_a_crawl_midway_and_leaves_a_consistent_store(server: Server, tmp_path: Path) -> None:
    server.add("/slow/", list_page(TITLES))
    server.routes["/slow/"].delay = 25
    sources = tmp_path / "s.toml"
    sources.write_text(source("slow", "portal", server.base + "/slow/", every="1h"))
    db = tmp_path / "h.sqlite3"
    scheduler = start_scheduler(db, sources, "-s", "DOWNLOAD_TIMEOUT=60")
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not server.requests_to("/slow/"):
        time.sleep(0.2)
    assert server.requests_to("/slow/"), "the crawl never started"
    started = time.monotonic()
    log = stop(scheduler, timeout=45)
    assert scheduler.returncode == 0 and time.monotonic() - started < 40, log
    (run,) = runs(db)["slow"]
    assert run.status == "interrupted" and "stopping" in log


def test_a_source_being_crawled_elsewhere_is_left_alone_and_a_dead_holders_lock_is_gone(server: Server,
                                                                                         tmp_path: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("shared", "portal", server.add("/live/", list_page(TITLES))))
    db = tmp_path / "h.sqlite3"
    locks = SourceLocks(lock_dir(str(db)))
    assert locks.acquire(["shared"]) == (["shared"], [])
    try:
        crawl = run_headlines("--db", str(db), "crawl", "--sources", str(sources), *FAST)
        assert crawl.returncode == 0 and "Skipped, being crawled by another process: shared" in crawl.stderr
        scheduler = start_scheduler(db, sources)
        time.sleep(5)
        stop(scheduler)
        assert "shared" not in runs(db)
    finally:
        locks.release_all()
    hold = ("import sys, time; from pathlib import Path; from headlines.schedule import SourceLocks; "
            "locks = SourceLocks(Path(sys.argv[1])); locks.acquire(['shared']); print('held', flush=True); "
            "time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(lock_dir(str(db)))],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert "Skipped" in run_headlines("--db", str(db), "crawl", "--sources", str(sources), *FAST).stderr
    holder.kill()
    holder.wait()
    crawl = run_headlines("--db", str(db), "crawl", "--sources", str(sources), *FAST)
    assert crawl.returncode == 0 and "Skipped" not in crawl.stderr
    assert [r.status for r in runs(db)["shared"]] == ["ok"]
