"""Automatic headline-link detection on real portal pages, against their hand-written selectors.

For every `html-list` page in ../shared/fixtures, detection must find at least 90% of the unique URLs the
selector from MANIFEST.tsv picks, and over all pages return at most twice as many links as the selectors
pick. The per-page table is printed (run pytest with -s to see it, or `python benchmarks/portal_detection.py`).
"""

from __future__ import annotations

import pytest

from tests.realworld._detection import FIXTURES, Measure, measure_all, table, totals

# A plausible address for each saved page: relative links resolve against it, and "same site" means it.
BASE_URLS = {
    "cnn-international-homepage-2014.html": "https://edition.cnn.com/",
    "wired-homepage-2024.html": "https://www.wired.com/",
    "yahoo-uk-homepage-2014.html": "https://uk.yahoo.com/",
    "spiegel-online-homepage-2019.html": "https://www.spiegel.de/",
    "derstandard-at-homepage-2019.html": "https://www.derstandard.at/",
    "hackernews-frontpage-2019.html": "https://news.ycombinator.com/",
    "netease-163-news-list-2020.html": "https://news.163.com/",
    "nature-news-listing-2019.html": "https://www.nature.com/news",
    "topchinacar-news-list.html": "https://topchinacar.com/news",
    "topchinacar-china-ev-news.html": "https://topchinacar.com/china-ev-news",
}

MIN_RECALL = 0.90
MAX_SUMMED_RATIO = 2.0


@pytest.fixture(scope="module")
def measures() -> list[Measure]:
    if not (FIXTURES / "MANIFEST.tsv").is_file():
        pytest.skip(f"real-world fixtures not found at {FIXTURES} (they live next to the repository)")
    found = measure_all(BASE_URLS)
    if not found:
        pytest.skip(f"no html-list pages in {FIXTURES / 'MANIFEST.tsv'}")
    return found


def test_prints_the_per_page_table(measures: list[Measure], capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print("\n" + table(measures))
    assert all(m.selected > 0 for m in measures), "a manifest selector picks nothing: stale selector or page"


def test_detection_finds_most_selector_links_on_every_page(measures: list[Measure]) -> None:
    low = {m.page: round(m.recall, 3) for m in measures if m.recall < MIN_RECALL}
    assert not low, f"recall below {MIN_RECALL}: {low}"


def test_detection_returns_at_most_twice_the_selector_links_overall(measures: list[Measure]) -> None:
    total = totals(measures)
    assert total.ratio <= MAX_SUMMED_RATIO, f"{total.detected} links detected for {total.selected} selector links"
