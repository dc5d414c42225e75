"""The commands on a real PostgreSQL server: the same results as SQLite, several writers at once, and the
copy of a SQLite store. Needs HEADLINES_TEST_POSTGRES (see tests/store/conftest.py)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from store import open_store
from tests.conftest import FAST, ROOT, Server, run_headlines
from tests.integration.test_crawl import TITLES, list_page, rss, source

WORDS = ["Battery", "Payment", "Foundry", "Marketplace", "Robotaxi", "Memory", "Handset", "Wallet", "Wafer",
         "Courier", "Charging", "Lender"]


def pages(server: Server, count: int, per_page: int = 25) -> list[str]:
    """Portal pages whose headlines overlap: page i lists stories i*10 ... i*10+per_page-1."""
    urls = []
    for page in range(count):
        numbers = range(page * 10, page * 10 + per_page)
        body = "".join(f'<li><a href="/news/{n:04d}.html">{WORDS[n % len(WORDS)]} story number {n} on the wire</a></li>'
                       for n in numbers)
        urls.append(server.add(f"/p{page}/", f'<html><body><ul class="list">{body}</ul></body></html>'))
    return urls


def export_rows(db: str, tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    done = run_headlines("--db", db, "export", "-o", "-", *extra, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return list(csv.DictReader(io.StringIO(done.stdout)))


def crawl_into(db: str, sources: str, tmp_path: Path, name: str = "s.toml") -> subprocess.CompletedProcess[str]:
    path = tmp_path / name
    path.write_text(sources, encoding="utf-8")
    return run_headlines("--db", db, "--models-dir", str(tmp_path / "models"), "crawl", "--sources", str(path),
                         *FAST, cwd=tmp_path)


def test_a_crawl_into_postgres_gives_what_sqlite_gives(server: Server, postgres_url: str, tmp_path: Path) -> None:
    sources = (source("portal", "portal", server.add("/live/", list_page(TITLES)))
               + source("feed", "feed", server.add("/feed.xml", rss(TITLES[:4], server.base),
                                                   content_type="application/rss+xml")))
    for db in (str(tmp_path / "h.sqlite3"), postgres_url):
        done = crawl_into(db, sources, tmp_path)
        assert done.returncode == 0, done.stderr[-3000:]
    keep = ("url", "title", "source", "published_at", "sector", "label")
    sqlite_rows, pg_rows = (export_rows(db, tmp_path) for db in (str(tmp_path / "h.sqlite3"), postgres_url))
    assert len(pg_rows) == len(TITLES) + 4
    def same(rows: list[dict[str, str]]) -> list[dict[str, str]]:  # the order two crawls find them in may differ
        return sorted(({k: r[k] for k in keep} for r in rows), key=lambda r: r["url"])

    assert same(pg_rows) == same(sqlite_rows)
    status = run_headlines("--db", postgres_url, "status", "--check", cwd=tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "portal" in status.stdout and "feed" in status.stdout


def test_the_socket_url_form_never_creates_a_sqlite_file(tmp_path: Path) -> None:
    done = run_headlines("--db", "postgresql:///no_such_headlines_db", "status", cwd=tmp_path,
                         env={"PGHOST": "127.0.0.1", "PGPORT": "1"})
    assert done.returncode != 0
    assert "cannot connect to PostgreSQL" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_several_writers_at_once_lose_nothing_and_make_no_duplicates(server: Server, postgres_url: str,
                                                                     small_models: Path, tmp_path: Path) -> None:
    urls = pages(server, 6)
    seed = crawl_into(postgres_url, source("seed", "portal", urls[0]), tmp_path, "seed.toml")
    assert seed.returncode == 0, seed.stderr[-3000:]
    with open_store(postgres_url, "read") as store:
        seeded = list(store.query())
    labels = tmp_path / "labels.csv"
    labels.write_text("url,label\n" + "".join(f"{h.url},chips\n" for h in seeded), encoding="utf-8")

    writers = []
    for n in range(4):  # four crawls, each of pages that overlap the others' (and the seed's)
        path = tmp_path / f"w{n}.toml"
        path.write_text("".join(source(f"w{n}p{k}", "portal", urls[(n + k) % len(urls)]) for k in range(3)))
        writers.append(subprocess.Popen(
            [sys.executable, "-m", "headlines", "--db", postgres_url, "crawl", "--sources", str(path), *FAST],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for args in (["--models-dir", str(small_models), "retag"], ["labels", "import", str(labels)],
                 ["export", "-o", str(tmp_path / "during.csv")]):  # a reader among the writers
        writers.append(subprocess.Popen([sys.executable, "-m", "headlines", "--db", postgres_url, *args], cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for process in writers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, f"{process.args}: {err[-3000:]}"

    expected = {f"{server.base}/news/{n:04d}.html" for page in range(6) for n in range(page * 10, page * 10 + 25)}
    with open_store(postgres_url, "read") as store:
        stored = list(store.query())
        runs = [run for runs in store.recent_runs(50).values() for run in runs]
    assert sorted(h.url for h in stored) == sorted(expected)  # every story once
    assert sum(run.new for run in runs) == len(expected)  # and counted new exactly once
    assert all(run.status == "ok" for run in runs)
    labeled = {h.url: h.label for h in stored if h.label is not None}
    assert labeled == {h.url: "chips" for h in seeded}
    with (tmp_path / "during.csv").open(encoding="utf-8") as f:  # it read a consistent snapshot meanwhile
        during = [row["url"] for row in csv.DictReader(f)]
    assert {h.url for h in seeded} <= set(during) <= expected and len(during) == len(set(during))


def test_db_copy_moves_a_sqlite_store_with_its_labels_and_bookmarks(server: Server, postgres_url: str,
                                                                    tmp_path: Path) -> None:
    sqlite = str(tmp_path / "h.sqlite3")
    sources = source("portal", "portal", server.add("/live/", list_page(TITLES)))
    assert crawl_into(sqlite, sources, tmp_path).returncode == 0
    first = export_rows(sqlite, tmp_path)[0]["url"]
    (tmp_path / "l.csv").write_text(f"url,label\n{first},ev\n", encoding="utf-8")
    assert run_headlines("--db", sqlite, "labels", "import", str(tmp_path / "l.csv"), cwd=tmp_path).returncode == 0
    assert len(export_rows(sqlite, tmp_path, "--new", "desk")) == len(TITLES)  # sets a bookmark

    done = run_headlines("db", "copy", sqlite, postgres_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{len(TITLES)} headlines" in done.stdout
    assert export_rows(postgres_url, tmp_path) == export_rows(sqlite, tmp_path)
    with open_store(sqlite, "read") as old, open_store(postgres_url, "read") as new:
        assert new.label_history(first) == old.label_history(first)
        assert new.bookmark("desk") == old.bookmark("desk") == len(TITLES)
        assert new.last_runs() == old.last_runs()
    assert export_rows(postgres_url, tmp_path, "--new", "desk") == []  # the bookmark came along

    again = run_headlines("db", "copy", sqlite, postgres_url, cwd=tmp_path)
    assert again.returncode != 0 and "already holds" in again.stderr

    # and the copy goes on working as a store: a new crawl adds after the copied ids
    server.add("/live/", list_page([*TITLES, "Wafer maker adds a second line"]))
    assert crawl_into(postgres_url, sources, tmp_path).returncode == 0
    added = export_rows(postgres_url, tmp_path, "--new", "desk")
    assert [r["title"] for r in added] == ["Wafer maker adds a second line"]
