"""Crawl throughput: `headlines crawl` against a bare Scrapy spider on the same generated portal pages.

Generates S paged headline lists of P pages each (H headlines per page), serves them from a separate
process on 127.0.0.1, and crawls them with politeness lifted and the same number of requests in flight:

* ours: `headlines crawl` (detection or selector, cleaning, dedupe, classify, SQLite), one source per list,
  in two scenarios: a first crawl into an empty database (every headline new) and a re-crawl of the same
  pages (every headline a duplicate, as most of a scheduled crawl is; conditional requests are off so the
  pages are read again);
* bare: the spider a Scrapy user writes (`callback=self.parse`), extracting the same links with the same
  page object and yielding them, with no pipelines, no robots.txt and no extensions;
* bare+fixes: the same with the four process-level fixes `headlines` uses (one bound callback for every
  request, no log record built per scraped item, `gc.freeze()` when the spider opens, CONCURRENT_ITEMS = 8),
  so that they are not mistaken for our own speed.

Each run is its own child process, timed by Scrapy's own `elapsed_time_seconds` (engine start to close), so
interpreter start-up and imports do not count; that fixed cost is reported apart, as our process's wall
time minus its crawl time. Best of `--repeat`. `headlines crawl` tags in a child process of its own, on the
other core, so the CPU time of each side (every process it ran, start-up included) is printed too: the
pace is the user's, the CPU is what it costs.

    python benchmarks/crawl_bench.py [--sources 8] [--pages 100] [--per-page 40] [--detect] [--no-classify]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
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


def write_sources(base: str, args: argparse.Namespace, work: Path) -> Path:
    lines = []
    for s in range(args.sources):
        lines.append(f'[[sources]]\nname = "bench-{s}"\nkind = "portal"\nurl = "{base}/s{s}/p1.html"\n'
                     f'next = "a.next"\nmax_pages = {args.pages}\n' + ("" if args.detect else 'links = "a.hl"\n'))
    path = work / "sources.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


_ELAPSED = re.compile(r"'elapsed_time_seconds': ([0-9.]+)")
_SCRAPED = re.compile(r"'response_received_count': (\d+)")


def children_cpu() -> float:
    """CPU seconds of every child process waited for so far (and of theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(sources: Path, db: Path, args: argparse.Namespace,
             extra: tuple[str, ...] = ()) -> tuple[float, int, float, float]:
    """(crawl seconds, pages, process wall seconds, CPU seconds) of one `headlines crawl`."""
    cmd = [sys.executable, "-m", "headlines", "-v", "--db", str(db), "--models-dir", str(args.models_dir), "crawl",
           "--sources", str(sources), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "ROBOTSTXT_OBEY=False", "-s", "HEADLINES_CONDITIONAL=False",
           "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={2 * args.sources}", "-s", "HEADLINES_CONTACT_URL=mailto:x@x.test"]
    if args.no_classify:
        cmd += ["-s", "HEADLINES_CLASSIFY=False"]
    cmd += list(extra)
    started, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    elapsed, pages = _ELAPSED.search(done.stderr), _SCRAPED.search(done.stderr)
    if done.returncode != 0 or elapsed is None or pages is None:
        raise SystemExit(f"headlines crawl failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return float(elapsed.group(1)), int(pages.group(1)), wall, cpu


def run_bare(base: str, args: argparse.Namespace, work: Path, fixed: bool) -> tuple[float, int, int, float]:
    out = work / "bare.json"
    starts = json.dumps([f"{base}/s{s}/p1.html" for s in range(args.sources)])
    selector = "" if args.detect else "a.hl"
    cpu = children_cpu()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bare_spider.py"), starts, selector, str(args.pages),
                    str(out), "fixed" if fixed else "plain"], cwd=ROOT, check=True, capture_output=True)
    result = json.loads(out.read_text())
    if result["pages"] != args.sources * args.pages:
        raise SystemExit(f"the bare spider read {result['pages']} pages, not {args.sources * args.pages}")
    return float(result["seconds"]), int(result["pages"]), int(result["items"]), children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=8)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--per-page", type=int, default=40)
    parser.add_argument("--detect", action="store_true", help="detect links instead of a CSS selector")
    parser.add_argument("--no-classify", action="store_true", help="crawl without the classify pipeline")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best is reported")
    parser.add_argument("--breakdown", action="store_true",
                        help="also crawl with classification off, and with no item pipelines, to tell what each "
                             "stage costs per headline (first crawl)")
    args = parser.parse_args()
    headlines = args.sources * args.pages * args.per_page
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
            sources = write_sources(base, args, work)
            times: dict[str, list[float]] = {"bare": [], "bare+fixes": [], "first crawl": [], "re-crawl": []}
            variants = {"no classify": ("-s", "HEADLINES_CLASSIFY=False"),
                        "skeleton": ("-s", "HEADLINES_CLASSIFY=False", "-s", "ITEM_PIPELINES={}"),
                        "in-thread": ("-s", "HEADLINES_CLASSIFY_PROCESS=False")}
            if args.breakdown:
                times.update({name: [] for name in variants})
            cpu: dict[str, list[float]] = {side: [] for side in times}
            walls = []
            for n in range(args.repeat):
                for side, fixed in (("bare", False), ("bare+fixes", True)):
                    seconds, _, _, used = run_bare(base, args, work, fixed=fixed)
                    times[side].append(seconds)
                    cpu[side].append(used)
                db = work / f"ours-{n}.sqlite3"
                first, pages, wall, used = run_ours(sources, db, args)
                times["first crawl"].append(first)
                cpu["first crawl"].append(used)
                walls.append(wall - first)
                again, pages_again, _, used = run_ours(sources, db, args)
                times["re-crawl"].append(again)
                cpu["re-crawl"].append(used)
                if pages != pages_again or pages != args.sources * args.pages:
                    raise SystemExit(f"ours read {pages} and {pages_again} pages, not {args.sources * args.pages}")
                for name, extra in variants.items() if args.breakdown else ():
                    seconds, _, _, used = run_ours(sources, work / f"{name}-{n}.sqlite3".replace(" ", "-"), args,
                                                   extra)
                    times[name].append(seconds)
                    cpu[name].append(used)
        finally:
            server.terminate()
    mode = "detected links" if args.detect else "CSS selector"
    print(f"{args.sources} lists x {args.pages} pages x {args.per_page} headlines, {mode}, "
          f"classify={'off' if args.no_classify else 'on'}, best of {args.repeat}")
    best = {side: min(runs) for side, runs in times.items()}
    for side, seconds in best.items():
        spread = f"(all runs {min(times[side]):.2f}-{max(times[side]):.2f} s)"
        print(f"{side:<12} {seconds:7.2f} s  {headlines / seconds:9.1f} headlines/s  "
              f"{args.sources * args.pages / seconds:7.1f} pages/s  CPU {min(cpu[side]):5.2f} s  {spread}")
    for scenario in ("first crawl", "re-crawl"):
        print(f"ratio {scenario:<11}: {best['bare'] / best[scenario]:.2f} of the bare spider, "
              f"{best['bare+fixes'] / best[scenario]:.2f} of the bare spider with the same fixes")
    print(f"fixed start-up of `headlines crawl` (process wall time minus crawl time): {min(walls):.2f} s")
    print("CPU: the least of the runs, in seconds, of every process a side ran (start-up included)")
    if args.breakdown:
        per = 1e6 / headlines
        print("what each stage costs the pace per headline, first crawl (differences of the best times):")
        rows = [("Scrapy itself (bare spider with the fixes)", best["bare+fixes"]),
                ("our crawl skeleton (cleaning, stats, checks)", best["skeleton"] - best["bare+fixes"]),
                ("dedupe and store pipelines", best["no classify"] - best["skeleton"]),
                ("classification, in a child process", best["first crawl"] - best["no classify"]),
                ("classification, in the crawl's thread", best["in-thread"] - best["no classify"]),
                ("a re-crawl's difference from a first crawl", best["re-crawl"] - best["first crawl"])]
        for label, seconds in rows:
            print(f"  {label:<46} {seconds * per:6.1f} µs")


if __name__ == "__main__":
    main()
