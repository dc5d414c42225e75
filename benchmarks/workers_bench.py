"""Sources per minute with 1, 2 and 4 `headlines worker`s on one Redis queue and one store, against the same
sources crawled by one `headlines crawl`.

Serves S portal sources of P pages each from 8 loopback "sites" (HTTP servers on 127.0.0.1 ... 127.0.0.8,
so per-site politeness spreads the work as it would across real sites), with politeness lifted. For each
worker count it starts the workers on an empty store, enqueues every source with `crawl --due --redis`,
and times until every source's run has finished. Workers and their crawls share this machine's cores:
on a 2-core machine more workers cannot mean more CPU, only more overlap of waiting.

    python benchmarks/workers_bench.py --postgres URL --redis URL [--models-dir models] [--sources 64]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import open_store  # noqa: E402

SITES = 8
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
        "-s", "HEADLINES_CONTACT_URL=mailto:bench@example.test"]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def write_site(root: Path, sources: int, pages: int) -> None:
    n = 0
    for s in range(sources):
        folder = root / f"s{s}"
        folder.mkdir(parents=True)
        for p in range(1, pages + 1):
            items = []
            for _ in range(40):
                n += 1
                items.append(f'<li><a class="hl" href="/a/{n}.html">Battery maker story {n} of source {s}</a></li>')
            nxt = f'<a class="next" href="/s{s}/p{p + 1}.html">Next</a>' if p < pages else ""
            (folder / f"p{p}.html").write_text(f'<html><body><ul>{"".join(items)}</ul>{nxt}</body></html>')


def serve(root: Path) -> tuple[list[ThreadingHTTPServer], int]:
    first = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((f"127.0.0.{k}", port), partial(Quiet, directory=str(root)))
                         for k in range(2, SITES + 1)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers, port


def finished(db: str, count: int) -> bool:
    with open_store(db, "read") as store:
        last = store.last_runs()
    return len(last) == count and all(run.status != "running" for run in last.values())


def schema_url(base: str) -> str:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", required=True, metavar="URL")
    parser.add_argument("--redis", required=True, metavar="URL")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--sources", type=int, default=64)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4])
    args = parser.parse_args()
    import redis

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_site(work / "site", args.sources, args.pages)
        servers, port = serve(work / "site")
        sources = work / "sources.toml"
        sources.write_text("".join(
            f'[[sources]]\nname = "b{s}"\nkind = "portal"\nurl = "http://127.0.0.{s % SITES + 1}:{port}/s{s}/p1.html"\n'
            f'links = "a.hl"\nnext = "a.next"\nmax_pages = {args.pages}\n\n' for s in range(args.sources)))
        base = [sys.executable, "-m", "headlines", "--models-dir", str(args.models_dir)]
        print(f"{args.sources} sources x {args.pages} pages x 40 headlines on {SITES} loopback sites")
        db = schema_url(args.postgres)
        started = time.perf_counter()
        subprocess.run([*base, "--db", db, "crawl", "--sources", str(sources), *FAST], cwd=ROOT, check=True,
                       capture_output=True)
        seconds = time.perf_counter() - started
        print(f"{'one headlines crawl':<22} {seconds:7.1f} s  {60 * args.sources / seconds:7.1f} sources/min")
        for count in args.workers:
            redis.Redis.from_url(args.redis).flushdb()
            db = schema_url(args.postgres)
            workers = [subprocess.Popen([*base, "--db", db, "worker", "--redis", args.redis, *FAST], cwd=ROOT,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]
            time.sleep(3)  # let them start (their start-up is paid once per worker, not per source)
            started = time.perf_counter()
            subprocess.run([*base, "--db", db, "crawl", "--due", "--sources", str(sources), "--redis", args.redis],
                           cwd=ROOT, check=True, capture_output=True)
            while not finished(db, args.sources):
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(60)
            label = f"{count} worker{'s' if count > 1 else ''}"
            print(f"{label:<22} {seconds:7.1f} s  {60 * args.sources / seconds:7.1f} sources/min", flush=True)
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
