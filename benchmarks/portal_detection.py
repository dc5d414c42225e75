"""Automatic headline-link detection on the real portal pages of ../shared/fixtures, page by page.

Prints, for each `html-list` page of MANIFEST.tsv, how many unique URLs the hand-written selector picks,
how many links `detect_links` returns, how many of the selector's URLs are among them (recall) and the
ratio of detected links to selector URLs, then the totals and the time detection took.

    python benchmarks/portal_detection.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    sys.path.insert(0, str(ROOT))  # run as a script from anywhere: the project is not necessarily installed
    from tests.realworld._detection import FIXTURES, measure_all, table, totals
    from tests.realworld.test_portal_detection import BASE_URLS

    if not (FIXTURES / "MANIFEST.tsv").is_file():
        print(f"real-world fixtures not found at {FIXTURES}", file=sys.stderr)
        return 2
    measures = measure_all(BASE_URLS)
    print(table(measures))
    total = totals(measures)
    print(f"\ndetection time: {total.seconds * 1000:.0f} ms for {len(measures)} pages "
          f"({total.seconds * 1000 / max(len(measures), 1):.1f} ms per page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
