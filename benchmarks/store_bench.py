"""The store at scale: insert rate, duplicate lookups and re-crawl writes as it grows, SQLite and PostgreSQL.

Fills a fresh store through `Store.add` (the crawl's own path, batches of 500 like the store pipeline) with
headlines whose URLs are random slugs on 50 sites, and at every checkpoint measures, on the store as it
is then:

* insert: rows per second of the last stretch of new headlines;
* lookup: µs per URL of `Store.known` for pages of 40 URLs, half known, half not (what the classify
  middleware asks for every page);
* re-crawl: rows per second of `Store.add` for batches of 500 known, unchanged headlines.

Then it exports the whole store with `headlines export` in a child process and reports its time and peak
memory (RSS, from the kernel's accounting of the child).

    python benchmarks/store_bench.py [--rows 1000000] [--every 1000000] [--postgres URL] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rss import run_measured  # noqa: E402
from store import NewHeadline, Store, open_store  # noqa: E402

BATCH = 500
WORDS = ("battery chip wallet marketplace robotaxi foundry lender parcel cockpit memory payments festival "
         "lidar wafer stablecoin shopper charging export curbs subsidy factory quarterly record").split()


def url(rng: random.Random) -> str:
    slug = "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
    return f"https://site{rng.randrange(50)}.example/news/2026/11/{rng.choice(WORDS)}-{slug}.html"


def headline(link: str, rng: random.Random) -> NewHeadline:
    title = " ".join(rng.choices(WORDS, k=8)).capitalize()
    return NewHeadline(title=title, url=link, source=link.split("/")[2], sector="other", confidence=0.9,
                       margin=0.8, tags=("other",), model_id="bench")


def measure(store: Store, known: list[str], rng: random.Random) -> tuple[float, float]:
    """(µs per URL looked up, duplicate rows written per second)."""
    pages = [[*rng.sample(known, 20), *(url(rng) for _ in range(20))] for _ in range(100)]
    started = time.perf_counter()
    for page in pages:
        store.known(page)
    lookup = (time.perf_counter() - started) / (100 * 40) * 1e6
    again = rng.sample(known, 5 * BATCH)
    rows = [headline(link, random.Random(link)) for link in again]  # the same title the row was stored with
    started = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        store.add(rows[i:i + BATCH], datetime.now(UTC))
    return lookup, len(rows) / (time.perf_counter() - started)


def fill(location: str, total: int, every: int) -> None:
    rng = random.Random(7)
    sample: list[str] = []
    print(f"{'rows':>11} {'insert rows/s':>14} {'lookup µs/URL':>14} {'re-crawl rows/s':>16}")
    with open_store(location) as store:
        done = 0
        while done < total:
            spent = 0.0  # in Store.add only: making up the headlines is not the store's cost
            stretch = min(every, total - done)
            for _ in range(0, stretch, BATCH):
                links = [url(rng) for _ in range(BATCH)]
                rows = [headline(link, random.Random(link)) for link in links]
                started = time.perf_counter()
                store.add(rows, datetime.now(UTC))
                spent += time.perf_counter() - started
                if len(sample) < 200_000:
                    sample.extend(links[:5])
                else:
                    sample[rng.randrange(len(sample))] = links[0]
            rate = stretch / spent
            done += stretch
            lookup, recrawl = measure(store, sample, rng)
            print(f"{done:>11,} {rate:>14,.0f} {lookup:>14.1f} {recrawl:>16,.0f}", flush=True)


def export(location: str) -> None:
    seconds, peak = run_measured([sys.executable, "-m", "headlines", "--db", location, "export", "-o", "/dev/null"],
                                 ROOT)
    print(f"export of the whole store: {seconds:.1f} s, peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=1_000_000, help="rows between measurements")
    parser.add_argument("--postgres", metavar="URL", help="also measure a PostgreSQL store at this (empty) URL")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("SQLite", str(Path(tmp) / "bench.sqlite3"))]
        if args.postgres and not args.sqlite_only:
            targets.append(("PostgreSQL", args.postgres))
        for name, location in targets:
            print(f"== {name}: {args.rows:,} headlines in batches of {BATCH}")
            fill(location, args.rows, args.every)
            export(location)


if __name__ == "__main__":
    main()
