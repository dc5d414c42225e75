"""Page objects on small inputs written for the tests, against the expected output saved next to them."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from crawler.items import Headline
from crawler.pages.feed import parse_feed
from crawler.pages.jsonlist import JsonFields, parse_json_list
from crawler.pages.portal import parse_portal
from crawler.pages.result import PageResult
from crawler.pages.sitemap import parse_sitemap

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CHINA = timezone(timedelta(hours=8))
BASE = "https://news.example.com/feeds/x"

CASES: dict[str, Callable[[bytes], PageResult]] = {
    "portal-list.html": lambda body: parse_portal(body, "https://www.example.com/live/", "test", "text/html",
                                                  tz=CHINA),
    "portal-list.html#selector": lambda body: parse_portal(body, "https://www.example.com/live/", "test",
                                                           "text/html", links="ul.news a", tz=CHINA),
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
    path = PAGES / name.split("#")[0]
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    got = as_plain(CASES[name](path.read_bytes()))
    assert got == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_headline_names_its_source_and_no_extra_fields(name: str) -> None:
    """Page objects fill what a page says (title, url, date, guid) and their source; every other field of the
    item keeps its default until a pipeline sets it."""
    read = {"title", "url", "published_at", "guid", "source"}
    defaults = Headline("t", "u", "s")
    result = CASES[name]((PAGES / name.split("#")[0]).read_bytes())
    assert result.headlines or result.follow
    for headline in result.headlines:
        assert headline.source == "test"
        for field in dataclasses.fields(Headline):
            if field.name not in read:
                assert getattr(headline, field.name) == getattr(defaults, field.name), field.name
    assert {f.name for f in dataclasses.fields(Headline)} - read == {"sector", "confidence", "margin", "tags",
                                                                   "model_id"}
