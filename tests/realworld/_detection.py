"""Measuring automatic headline-link detection against the hand-written selectors of real portal pages.

Shared by tests/realworld/test_portal_detection.py (which asserts on the figures) and
benchmarks/portal_detection.py (which prints them): for each `html-list` page of ../shared/fixtures, the
selector from MANIFEST.tsv's notes is the reference, and detection is scored by recall (share of the
selector's unique URLs it finds) and ratio (links it returns per unique selector URL).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.pages.detect import detect_links
from crawler.pages.links import select_links

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


@dataclass(frozen=True)
class PortalPage:
    """One html-list row of the manifest."""

    file: str
    css: str


@dataclass(frozen=True)
class Measure:
    """Detection measured on one page."""

    page: str
    selected: int  # unique URLs the hand-written selector picks
    detected: int  # links detect_links returns
    found: int  # selector URLs among them
    seconds: float

    @property
    def recall(self) -> float:
        return self.found / self.selected if self.selected else 1.0

    @property
    def ratio(self) -> float:
        return self.detected / self.selected if self.selected else float("inf")


def manifest_rows(fixtures: Path = FIXTURES) -> list[dict[str, str]]:
    """The rows of the fixtures' MANIFEST.tsv (file, kind, source, license, notes)."""
    with (fixtures / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def portal_pages(fixtures: Path = FIXTURES) -> list[PortalPage]:
    """The html-list pages of MANIFEST.tsv with their selector (the first `...` span of the notes)."""
    pages = []
    for row in manifest_rows(fixtures):
        if row["kind"] == "html-list":
            notes = row["notes"]
            if notes.count("`") < 2:
                raise ValueError(f"MANIFEST.tsv: no `selector` in the notes of {row['file']}")
            pages.append(PortalPage(row["file"], notes.split("`")[1]))
    return pages


def load(path: Path, base_url: str) -> Selector:
    """Decode a saved page as a browser would (BOM, <meta charset>, else a guess) and parse it."""
    _, text = html_to_unicode(None, path.read_bytes())
    return Selector(text=text, type="html", base_url=base_url)


def measure(page: PortalPage, base_url: str, fixtures: Path = FIXTURES) -> Measure:
    sel = load(fixtures / page.file, base_url)
    wanted = {link.url for link in select_links(sel, base_url, page.css)}
    start = time.perf_counter()
    detected = detect_links(sel, base_url)
    seconds = time.perf_counter() - start
    found = len(wanted & {link.url for link in detected})
    return Measure(page.file, len(wanted), len(detected), found, seconds)


def measure_all(base_urls: Mapping[str, str], fixtures: Path = FIXTURES) -> list[Measure]:
    pages = portal_pages(fixtures)
    missing = [p.file for p in pages if p.file not in base_urls]
    if missing:
        raise KeyError(f"no base URL for fixture pages {missing}; add them to BASE_URLS")
    return [measure(p, base_urls[p.file], fixtures) for p in pages]


def totals(measures: list[Measure]) -> Measure:
    """All pages summed: the summed ratio is total detected links over total unique selector URLs."""
    return Measure(
        "total",
        sum(m.selected for m in measures),
        sum(m.detected for m in measures),
        sum(m.found for m in measures),
        sum(m.seconds for m in measures),
    )


def table(measures: list[Measure]) -> str:
    """The per-page figures and the totals, as a fixed-width text table."""
    head = f"{'page':<40} {'selector':>8} {'detected':>8} {'found':>6} {'recall':>7} {'ratio':>6}"
    rule = "-" * len(head)

    def row(m: Measure) -> str:
        return f"{m.page:<40} {m.selected:>8} {m.detected:>8} {m.found:>6} {m.recall:>7.2f} {m.ratio:>6.2f}"

    return "\n".join([head, rule, *(row(m) for m in measures), rule, row(totals(measures))])
