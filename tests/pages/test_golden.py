"""Page objects on small inputs written for the tests, against the expected output saved next to them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.pages.feed import parse_feed
from crawler.pages.jsonlist import JsonFields, parse_json_list
from crawler.pages.result import PageResult
from crawler.pages.sitemap import parse_sitemap

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CHINA = timezone(timedelta(hours=8))
BASE = "https://news.example.com/feeds/x"

CASES: dict[str, Callable[[bytes], PageResult]] = {
    "feed-rss.xml": lambda body: parse_feed(body, BASE, "test", {"Content-Type": "application/rss+xml"}, CHINA),
    "sitemap-news.xml": lambda body: parse_sitemap(body, BASE, "test", CHINA),
    "sitemap-index.xml": lambda body: parse_sitemap(body, BASE, "test", CHINA),
    "list.json": lambda body: parse_json_list(
        body, "https://gateway.example.com/api", "test",
        JsonFields(items="datas", title="desc", link="link", date="time", base="https://www.example.com/"),
        CHINA,
    ),
}


def as_plain(result: PageResult) -> dict[str, Any]:
    return {
        "headlines": [
            {"title": h.title, "url": h.url, "guid": h.guid,
             "published_at": h.published_at.isoformat() if h.published_at else None}
            for h in result.headlines
        ],
        "skipped": dict(result.skipped),
        "follow": result.follow,
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_object_matches_expected_output(name: str) -> None:
    expected = json.loads((PAGES / name).with_suffix(".expected.json").read_text(encoding="utf-8"))
    got = as_plain(CASES[name]((PAGES / name).read_bytes()))
    assert got == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_headline_names_its_source_and_no_extra_fields(name: str) -> None:
    result = CASES[name]((PAGES / name).read_bytes())
    for headline in result.headlines:
        assert headline.source == "test"
        assert headline.sector is None and headline.model_id is None
