"""The classifier inside the crawl: headlines are stored tagged; retag replaces tags but never labels."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from classifier import LABELS
from store import StoredHeadline, open_store
from tests.conftest import FAST, ROOT, Server, process_ended, run_headlines, train_small, wait_for
from tests.integration.test_crawl import TITLES, list_page, source

Crawl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def models(tmp_path: Path, small_models: Path) -> Path:
    return Path(shutil.copytree(small_models, tmp_path / "models"))


def stored(tmp_path: Path) -> list[StoredHeadline]:
    if not (tmp_path / "h.sqlite3").exists():
        return []
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        return list(store.query())


def test_crawl_stores_tags_from_the_current_model(server: Server, crawl: Crawl, tmp_path: Path,
                                                  models: Path) -> None:
    done = crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))), classify=True)
    assert done.returncode == 0, done.stderr[-3000:]
    current = (models / "CURRENT").read_text().strip()
    rows = stored(tmp_path)
    assert len(rows) == len(TITLES)
    for row in rows:
        assert row.sector in LABELS and row.confidence is not None and 0.0 <= row.confidence <= 1.0, row.title
        assert row.tags[0] == row.sector and set(row.tags) <= set(LABELS)
        assert row.model_id == current


def test_retag_tags_what_a_crawl_stored_untagged(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))))  # stored untagged
    assert all(row.sector is None for row in stored(tmp_path))
    model_id = train_small(tmp_path / "models")
    done = run_headlines("--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(tmp_path / "models"), "retag")
    assert done.returncode == 0, done.stderr
    assert f"{len(TITLES)} headlines re-tagged" in done.stderr
    assert all(row.sector in LABELS and row.model_id == model_id for row in stored(tmp_path))


def test_a_crawl_with_a_tampered_model_stores_untagged_and_exits_5(server: Server, crawl: Crawl, tmp_path: Path,
                                                                 models: Path) -> None:
    current = (models / "CURRENT").read_text().strip()
    with (models / current / "model.joblib").open("ab") as f:
        f.write(b"tampered")
    done = crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))), classify=True)
    assert done.returncode == 5, done.stderr[-3000:]
    assert "headlines were stored untagged" in done.stdout and "SHA-256" in done.stdout
    assert "Traceback" not in done.stderr
    rows = stored(tmp_path)
    assert len(rows) == len(TITLES) and all(row.sector is None for row in rows)


def tagging_children(pid: int) -> list[int]:
    """The pids of the tagging processes (`python -m classifier.offload`) whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and b"classifier.offload" in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_tags_from_the_tagging_process_are_those_of_the_crawls_own_thread(server: Server, tmp_path: Path,
                                                                        models: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    tags = {}
    for mode in ("True", "False"):
        db = tmp_path / f"{mode}.sqlite3"
        done = run_headlines("--db", str(db), "--models-dir", str(models), "crawl", "--sources", str(sources),
                             *FAST[:-2], "-s", f"HEADLINES_CLASSIFY_PROCESS={mode}")
        assert done.returncode == 0, done.stderr[-3000:]
        with open_store(db, "read") as store:
            tags[mode] = sorted((r.url, r.sector, r.confidence, r.margin, r.tags, r.model_id) for r in store.query())
    assert len(tags["True"]) == len(TITLES) and all(row[1] in LABELS for row in tags["True"])
    assert tags["True"] == tags["False"]


def fast_and_slow_crawl(server: Server, tmp_path: Path, models: Path,
                        **popen: Any) -> tuple[subprocess.Popen[str], list[str]]:
    """Start a tagging crawl of two lists, TITLES at once and five others after 3 s, each headline committed
    as it comes; and the other titles."""
    others = [f"Second list story {i} about parcel lockers" for i in range(5)]
    server.add("/slow/", list_page(others, prefix="/other/2026/11/"))
    server.routes["/slow/"].delay = 3
    sources = tmp_path / "s.toml"
    sources.write_text(source("fast", "portal", server.add("/live/", list_page(TITLES)))
                       + source("slow", "portal", server.base + "/slow/"))
    crawl = subprocess.Popen([sys.executable, "-m", "headlines", "--db", str(tmp_path / "h.sqlite3"),
                              "--models-dir", str(models), "crawl", "--sources", str(sources), *FAST[:-2],
                              "-s", "HEADLINES_STORE_BATCH=1"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    return crawl, others


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the tagging process through /proc")
def test_a_tagging_process_that_dies_leaves_the_rest_untagged_and_the_crawl_says_so(
        server: Server, tmp_path: Path, models: Path) -> None:
    crawl, others = fast_and_slow_crawl(server, tmp_path, models)
    try:
        wait_for(lambda: len(stored(tmp_path)) == len(TITLES))  # the fast list, tagged
        (child,) = tagging_children(crawl.pid)
        os.kill(child, signal.SIGSTOP)  # the slow list's batch will wait for it ...
        wait_for(lambda: server.requests_to("/slow/"))
        time.sleep(server.routes["/slow/"].delay + 1.5)
        os.kill(child, signal.SIGKILL)  # ... when it dies
        out, err = crawl.communicate(timeout=60)
    finally:
        crawl.kill()
    assert crawl.returncode == 5, out + err[-3000:]
    assert "headlines were stored untagged" in out and "the tagging process ended with exit code -9" in out
    assert "Traceback" not in err
    rows = {row.title: row for row in stored(tmp_path)}
    assert set(rows) == set(TITLES) | set(others)  # nothing lost
    assert all(rows[t].sector in LABELS for t in TITLES)
    assert all(rows[t].sector is None for t in others)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the tagging process through /proc")
def test_a_killed_crawl_leaves_no_tagging_process_behind(server: Server, tmp_path: Path, models: Path) -> None:
    server.add("/slow/", list_page(TITLES))
    server.routes["/slow/"].delay = 30
    sources = tmp_path / "s.toml"
    sources.write_text(source("slow", "portal", server.base + "/slow/"))
    crawl = subprocess.Popen([sys.executable, "-m", "headlines", "--db", str(tmp_path / "h.sqlite3"),
                              "--models-dir", str(models), "crawl", "--sources", str(sources), *FAST[:-2]],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: server.requests_to("/slow/"))  # the model is loaded before the first request
        (child,) = tagging_children(crawl.pid)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        wait_for(lambda: process_ended(child), 10, "the tagging process to end")
    finally:
        crawl.kill()


def test_scrapy_crawl_exports_tags_from_the_tagging_process(server: Server, tmp_path: Path, models: Path) -> None:
    url = server.add("/live/", list_page(TITLES))
    env = {**os.environ, "HEADLINES_DB": str(tmp_path / "h.sqlite3"), "HEADLINES_MODELS": str(models)}
    out = tmp_path / "out.csv"
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={url}", "-O", str(out),
                    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
                   cwd=ROOT, capture_output=True, text=True, env=env, check=True, timeout=120)
    exported = {r["title"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    stored_tags = {row.title: (row.sector, row.model_id) for row in stored(tmp_path)}
    assert set(exported) == set(TITLES)
    assert all(exported[t]["sector"] in LABELS for t in TITLES)
    assert {t: (r["sector"], r["model_id"]) for t, r in exported.items()} == stored_tags


def test_ctrl_c_stops_the_crawl_gracefully_and_what_it_finishes_is_still_tagged(
        server: Server, tmp_path: Path, models: Path) -> None:
    crawl, others = fast_and_slow_crawl(server, tmp_path, models,
                                        start_new_session=True)  # a terminal of its own: Ctrl-C reaches the group
    try:
        wait_for(lambda: len(stored(tmp_path)) == len(TITLES) and server.requests_to("/slow/"))
        os.killpg(crawl.pid, signal.SIGINT)  # what Ctrl-C does: the crawl and its tagging process get it
        out, err = crawl.communicate(timeout=60)
    finally:
        crawl.kill()
    assert crawl.returncode == 3 and "untagged" not in out, out + err[-3000:]  # stopped, not a model fault
    assert "the crawl stopped before this source finished" in out
    rows = stored(tmp_path)
    assert {row.title for row in rows} == set(TITLES) | set(others)  # the slow page was finished, not dropped
    assert all(row.sector in LABELS for row in rows)
