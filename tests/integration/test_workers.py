"""Several `headlines worker`s on one Redis queue and one PostgreSQL store, as real processes.

Needs HEADLINES_TEST_POSTGRES and HEADLINES_TEST_REDIS (see tests/store/conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from store import RunRecord, open_store
from tests.conftest import FAST, ROOT, Server, process_ended, run_headlines, wait_for
from tests.integration.test_crawl import list_page, source

Start = Callable[..., subprocess.Popen[str]]


def titles(prefix: str) -> list[str]:
    return [f"{prefix} maker reports quarter number {n}" for n in range(1, 6)]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Start `headlines` in the background; every process still running at the end is stopped."""
    started: list[subprocess.Popen[str]] = []

    def _start(*args: str) -> subprocess.Popen[str]:
        log = (tmp_path / f"p{len(started)}.log").open("w")
        process = subprocess.Popen([sys.executable, "-m", "headlines", *args], cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, text=True)
        started.append(process)
        return process

    yield _start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def runs_of(db: str) -> dict[str, list[RunRecord]]:
    with open_store(db, "read") as store:
        return store.recent_runs(50)


def test_three_workers_crawl_each_due_source_once(server: Server, postgres_url: str, redis_url: str,
                                                 tmp_path: Path, start: Start) -> None:
    # two sites: the same server under two host names
    other = server.base.replace("127.0.0.1", "localhost")
    text = ""
    for n in range(6):
        base = server.base if n % 2 else other
        text += source(f"s{n}", "portal", base + server.add(f"/s{n}/", list_page(titles(f"S{n}"), f"/n{n}/"))
                       .removeprefix(server.base), every="1h")
    sources = tmp_path / "sources.toml"
    sources.write_text(text, encoding="utf-8")
    workers = [start("--db", postgres_url, "worker", "--redis", redis_url, "--lease", "5s", *FAST) for _ in range(3)]
    # two enqueuers at once, twice over, and a scheduler: each due source must still go in once
    enqueue = ["--db", postgres_url, "crawl", "--due", "--sources", str(sources), "--redis", redis_url]
    for _ in range(2):
        both = [start(*enqueue), start(*enqueue)]
        assert [p.wait(60) for p in both] == [0, 0]
    scheduler = start("--db", postgres_url, "schedule", "--sources", str(sources), "--redis", redis_url)

    def all_done() -> bool:
        runs = runs_of(postgres_url)
        return len(runs) == 6 and all(r.status != "running" for rs in runs.values() for r in rs)

    wait_for(all_done, 90, "every source to be crawled")
    time.sleep(3)  # time for a second crawl of anything, if something were wrong
    for process in [scheduler, *workers]:
        process.send_signal(signal.SIGTERM)
    assert [p.wait(60) for p in [scheduler, *workers]] == [0, 0, 0, 0]

    runs = runs_of(postgres_url)
    assert {name: len(rs) for name, rs in runs.items()} == {f"s{n}": 1 for n in range(6)}
    assert all(rs[0].status == "ok" for rs in runs.values())
    # a site's sources never crawled by two workers at the same time
    for site in (0, 1):
        spans = sorted((rs[0].started_at, rs[0].finished_at, rs[0].pid) for name, rs in runs.items()
                       if int(name[1:]) % 2 == site)
        for (_, end, pid), (begin, _, other_pid) in zip(spans, spans[1:], strict=False):
            assert pid == other_pid or end <= begin, f"site {site} crawled by two workers at once"

    # the same headlines as one machine crawling the same sources
    single = tmp_path / "single.sqlite3"
    assert run_headlines("--db", str(single), "crawl", "--sources", str(sources), *FAST).returncode == 0
    with open_store(single, "read") as one, open_store(postgres_url, "read") as shared:
        assert sorted((h.url, h.title, h.source) for h in shared.query()) == sorted(
            (h.url, h.title, h.source) for h in one.query())

    assert run_headlines("--db", postgres_url, "status", "--check", "--redis", redis_url).returncode == 0


def test_a_killed_workers_source_is_crawled_by_another(server: Server, postgres_url: str, redis_url: str,
                                                       tmp_path: Path, start: Start) -> None:
    url = server.add("/slow/", list_page(titles("Slow")))
    server.routes["/slow/"].delay = 30
    sources = tmp_path / "sources.toml"
    sources.write_text(source("slow", "portal", url, every="1h"), encoding="utf-8")
    worker = ["--db", postgres_url, "worker", "--redis", redis_url, "--lease", "3s", *FAST]
    first = start(*worker)
    assert run_headlines("--db", postgres_url, "crawl", "--due", "--sources", str(sources), "--redis",
                         redis_url).returncode == 0
    wait_for(lambda: bool(server.requests_to("/slow/")), 60, "the first worker to start crawling")
    from headlines.queue import CrawlQueue

    (info,) = CrawlQueue(redis_url).workers()
    assert info.crawling == ["slow"] and info.child_pid
    second = start(*worker)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    server.routes["/slow/"].delay = 0
    # its crawl died with it: nobody is still on the source when another worker takes it up
    wait_for(lambda: process_ended(info.child_pid), 5, "the killed worker's crawl to end")

    wait_for(lambda: [r.status for r in runs_of(postgres_url).get("slow", [])] == ["interrupted", "ok"], 60,
             "the second worker to crawl the source again")
    (interrupted, done) = runs_of(postgres_url)["slow"]
    assert interrupted.pid == info.child_pid and done.pid != info.child_pid
    with open_store(postgres_url, "read") as store:
        assert store.count() == 5

    status = run_headlines("--db", postgres_url, "status", "--check", "--redis", redis_url)
    assert status.returncode == 3
    assert "GONE" in status.stdout and info.id in status.stdout
    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0
