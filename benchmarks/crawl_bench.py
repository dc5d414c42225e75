"""Crawl throughput: `headlines crawl` against a bare Scrapy spider on the same generated portal pages.

Generates S paged headline lists of P pages each (H headlines per page), serves them from a separate
process on 127.0.0.1, and crawls them twice with politeness lifted:

* ours: `headlines crawl` (detection or selector -> normalize -> dedupe -> classify -> SQLite), one source
  per list;
* bare: a plain Scrapy spider that extracts the same links with the same page object and yields them,
  with no pipelines, no robots.txt and no extensions.

Each side runs in its own child process; the time is the crawl's own (Scrapy's elapsed time for the bare
spider, first start to last finish in the run records for ours), so interpreter start-up and imports do
not count. Prints pages/s and headlines/s for both and the ratio.

    python benchmarks/crawl_bench.py [--sources 8] [--pages 100] [--per-page 40] [--detect] [--no-classify]
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = ("battery chip wallet marketplace robotaxi foundry lender parcel cockpit memory payments festival "
         "lidar wafer stablecoin shopper charging export curbs subsidy factory quarterly record").split()



def write_site(root: Path, sources: int, pages: int, per_page: int) -> None:
    n = 0
    for s in range(sources):
        folder = root / f"s{s}"
        folder.mkdir(parents=True)
        for p in range(1, pages + 1):
            items = []
            for _ in range(per_page):
                n += 1
                words = [WORDS[(n * k + s) % len(WORDS)] for k in (3, 5, 7, 11, 13, 17)]
                title = f"{words[0].capitalize()} {' '.join(words[1:])} story {n}"
                items.append(f'<li class="item"><time>2026-11-20</time> '
                             f'<a class="hl" href="/articles/2026/11/{n}-{words[0]}-{words[1]}.html">{title}</a></li>')
            nxt = f'<a class="next" href="/s{s}/p{p + 1}.html">Next</a>' if p < pages else ""
            (folder / f"p{p}.html").write_text(
                '<html><head><meta charset="utf-8"></head><body><nav><a href="/">Home</a> '
                f'<a href="/tech/">Tech</a></nav><ul class="list">{"".join(items)}</ul>{nxt}'
                '<footer><a href="/about">About</a></footer></body></html>', encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_ours(base: str, args: argparse.Namespace, work: Path) -> tuple[float, int, int]:
    lines = []
    for s in range(args.sources):
        lines.append(f'[[sources]]\nname = "bench-{s}"\nkind = "portal"\nurl = "{base}/s{s}/p1.html"\n'
                     f'next = "a.next"\nmax_pages = {args.pages}\n' + ("" if args.detect else 'links = "a.hl"\n'))
    (work / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
    db = work / "ours.sqlite3"
    cmd = [sys.executable, "-m", "headlines", "--db", str(db), "--models-dir", str(args.models_dir), "crawl",
           "--sources", str(work / "sources.toml"), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "ROBOTSTXT_OBEY=False"]
    if args.no_classify:
        cmd += ["-s", "HEADLINES_CLASSIFY=False"]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    con = sqlite3.connect(db)
    start, end = con.execute("SELECT min(started_at), max(finished_at) FROM runs").fetchone()
    stored = con.execute("SELECT count(*) FROM headlines").fetchone()[0]
    seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    return seconds, args.sources * args.pages, stored


def run_bare(base: str, args: argparse.Namespace, work: Path) -> tuple[float, int, int]:
    out = work / "bare.json"
    starts = json.dumps([f"{base}/s{s}/p1.html" for s in range(args.sources)])
    selector = "" if args.detect else "a.hl"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), starts, selector, str(args.pages),
                    str(out)], cwd=ROOT, check=True, capture_output=True)
    result = json.loads(out.read_text())
    if result["pages"] != args.sources * args.pages:
        raise SystemExit(f"the bare spider read {result['pages']} pages, not {args.sources * args.pages}")
    return float(result["seconds"]), int(result["pages"]), int(result["items"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--per-page", type=int, default=40)
    parser.add_argument("--detect", action="store_true", help="detect links instead of a CSS selector")
    parser.add_argument("--no-classify", action="store_true", help="crawl without the classify pipeline")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side; the best is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_site(work / "site", args.sources, args.pages, args.per_page)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                   "--directory", str(work / "site")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            base = f"http://127.0.0.1:{port}"
            results = {"bare": [], "ours": []}
            for _ in range(args.repeat):
                results["bare"].append(run_bare(base, args, work))
                (work / "ours.sqlite3").unlink(missing_ok=True)
                results["ours"].append(run_ours(base, args, work))
        finally:
            server.terminate()
    mode = "detected links" if args.detect else "CSS selector"
    print(f"{args.sources} lists x {args.pages} pages x {args.per_page} headlines, {mode}, "
          f"classify={'off' if args.no_classify else 'on'}, best of {args.repeat}")
    rates = {}
    for side, runs in results.items():
        seconds, pages, items = min(runs)
        rates[side] = (pages / seconds, items / seconds)
        print(f"{side:<5} {seconds:7.2f} s  {pages:5d} pages  {items:6d} headlines  "
              f"{pages / seconds:8.1f} pages/s  {items / seconds:9.1f} headlines/s")
    print(f"ratio ours/bare: pages/s {rates['ours'][0] / rates['bare'][0]:.2f}, "
          f"headlines/s {rates['ours'][1] / rates['bare'][1]:.2f}")


if __name__ == "__main__":
    main()
