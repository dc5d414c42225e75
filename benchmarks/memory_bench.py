"""Peak memory of the commands that stream: classify (1M and 10M lines), export and retag (1M rows).

Each command runs in a child process; its peak RSS comes from the kernel (`benchmarks/rss.py`). Memory that
stays flat as the input grows tenfold is what "streams" means here; the floor is the interpreter, the
imports and (for classify and retag) the model.

    python benchmarks/memory_bench.py --models-dir models [--lines 1000000 10000000] [--rows 1000000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.rss import run_measured  # noqa: E402
from store import NewHeadline, open_store  # noqa: E402

WORDS = ("battery chip wallet marketplace robotaxi foundry lender parcel cockpit memory payments festival "
         "lidar wafer stablecoin shopper charging export curbs subsidy factory quarterly record Shenzhen "
         "regulator quarter launches cuts raises opens").split()


def write_lines(path: Path, count: int) -> None:
    rng = random.Random(3)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            out.write(" ".join(rng.choices(WORDS, k=rng.randrange(6, 12))).capitalize() + f" {n}\n")


def fill(location: Path, rows: int) -> None:
    rng = random.Random(5)
    with open_store(location) as store:
        for start in range(0, rows, 500):
            store.add([NewHeadline(" ".join(rng.choices(WORDS, k=9)).capitalize(), f"https://x.example/{n}", "bench")
                       for n in range(start, min(start + 500, rows))], datetime.now(UTC))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--lines", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    headlines = [sys.executable, "-m", "headlines", "--models-dir", str(args.models_dir)]
    print(f"{'command':<44} {'size':>12} {'seconds':>8} {'peak RSS':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for count in args.lines:
            lines = work / f"lines-{count}.txt"
            write_lines(lines, count)
            seconds, peak = run_measured([*headlines, "classify", str(lines), "-o", str(work / "tags.csv")], ROOT)
            label = "headlines classify FILE -o tags.csv"
            print(f"{label:<44} {count:>12,} {seconds:>8.1f} {peak:>6.0f} MB", flush=True)
            lines.unlink()
        db = work / "bench.sqlite3"
        fill(db, args.rows)
        for label, command in (("headlines export -o out.csv", ["export", "-o", str(work / "out.csv")]),
                               ("headlines retag", ["retag"])):
            seconds, peak = run_measured([*headlines, "--db", str(db), *command], ROOT)
            print(f"{label:<44} {args.rows:>12,} {seconds:>8.1f} {peak:>6.0f} MB", flush=True)


if __name__ == "__main__":
    main()
