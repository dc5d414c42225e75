"""The sources file: valid files load; every mistake names the file, the source and the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from crawler.sources import DEFAULT_SOURCES, SourcesError, load_sources, parse_sources, select_sources

GOOD = """
[[sources]]
name = "caixin-cx-tech"
kind = "portal"
url = "https://www.caixinglobal.com/live/"
links = "div.list a"
every = "30m"
tz = "+08:00"

[[sources]]
name = "gw"
kind = "json"
url = "https://gateway.example.com/api?x=1"
items = "datas"
title = "desc"
link = "link"
date = "time"
"""


def test_valid_file_loads() -> None:
    portal, gw = parse_sources(GOOD, "s.toml")
    assert portal.links == "div.list a" and portal.every == timedelta(minutes=30)
    assert portal.tz.utcoffset(None) == timedelta(hours=8)
    assert (gw.items, gw.title, gw.link, gw.date) == ("datas", "desc", "link", "time")


def test_default_sources_file_is_valid_and_lists_caixin() -> None:
    names = {s.name for s in load_sources(DEFAULT_SOURCES)}
    assert {"caixin-cx-tech", "scmp-tech", "technode", "pandaily", "cnevpost", "krasia"} <= names


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('every = "30m"', 'every = "30 minutes"'), "s.toml: source #1 ('caixin-cx-tech'): key 'every'"),
        (('tz = "+08:00"', 'tz = "Mars/Olympus"'), "source #1 ('caixin-cx-tech'): key 'tz'"),
        (('links = "div.list a"', 'links = "div[["'), "key 'links' is not a valid CSS selector"),
        (('links = "div.list a"', 'items = "x"'), "unknown key 'items' (it belongs to kind 'json')"),
        (('kind = "portal"', 'kind = "rss"'), "key 'kind' must be one of portal, feed, sitemap, json"),
        (('url = "https://www.caixinglobal.com/live/"', 'url = "www.caixinglobal.com"'), "key 'url' must be"),
        (('title = "desc"', ""), "source #2 ('gw'): missing key 'title'"),
        (('name = "gw"', 'name = "caixin-cx-tech"'), "key 'name' repeats an earlier source"),
        (('name = "gw"', 'name = "bad name!"'), "source #2: key 'name' must be letters"),
        (('date = "time"', 'date = "time["'), "key 'date' is not a valid JMESPath expression"),
    ],
)
def test_errors_name_file_source_and_key(change: tuple[str, str], message: str) -> None:
    with pytest.raises(SourcesError) as caught:
        parse_sources(GOOD.replace(*change), "s.toml")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_broken_toml_names_the_file_and_line() -> None:
    with pytest.raises(SourcesError, match=r"s.toml: not valid TOML: .*line 3"):
        parse_sources('[[sources]]\nname = "a"\nkind = portal\n', "s.toml")


def test_missing_file_and_non_utf8_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="sources file not found"):
        load_sources(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes('name = "新闻"'.encode("gb2312"))
    with pytest.raises(SourcesError, match="bad.toml: not UTF-8"):
        load_sources(bad)


def test_select_by_name_and_unknown_name() -> None:
    sources = parse_sources(GOOD, "s.toml")
    assert [s.name for s in select_sources(sources, ["gw"])] == ["gw"]
    with pytest.raises(SourcesError, match="unknown source 'nope'"):
        select_sources(sources, ["nope"])


def test_disabled_sources_are_skipped_unless_named() -> None:
    sources = parse_sources(GOOD.replace('every = "30m"', 'every = "30m"\nenabled = false'), "s.toml")
    assert [s.name for s in select_sources(sources, [])] == ["gw"]
    assert [s.name for s in select_sources(sources, ["caixin-cx-tech"])] == ["caixin-cx-tech"]
