"""Real-world feeds and news sitemaps from ../shared/fixtures, served on 127.0.0.1 and crawled for real.

Every entry that feedparser finds with a title and a link must end up stored, every <news:title> of a news
sitemap likewise; the ill-formed and empty documents must fail or come back empty with a status, without
stopping the other sources. Expected links are worked out here with the standard library alone, and compared
by scheme, host and path, so that the project's own cleaning is not used to check itself.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from lxml import etree

from crawler.pages.encoding import utf8_if_undeclared
from store import open_store
from tests.conftest import SHARED_FIXTURES, Server, shared_fixture
from tests.realworld._detection import manifest_rows

Crawl = Callable[..., subprocess.CompletedProcess[str]]


def manifest() -> list[dict[str, str]]:
    return manifest_rows(shared_fixture("MANIFEST.tsv").parent)


Key = tuple[str, str, str]


def key(url: str) -> Key:
    """What any cleaning keeps of a link: scheme, host (case-folded) and path."""
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.path or "/"


def has_text(title: str | None) -> bool:
    return bool(title and re.sub(r"<[^>]*>", "", title).strip())


def expected_feed_urls(body: bytes, url: str) -> set[Key]:
    parsed = feedparser.parse(body, response_headers={"content-location": url, "content-type": "application/xml"})
    keys = set()
    for entry in parsed.entries:
        link = entry.get("link")
        if has_text(entry.get("title")) and link:
            try:
                keys.add(key(urljoin(url, link.strip())))
            except ValueError:
                continue
    return keys


def expected_sitemap_urls(body: bytes) -> set[Key]:
    root = etree.fromstring(body)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    return {
        key(u.findtext("s:loc", namespaces=ns).strip())
        for u in root.findall("s:url", ns)
        if has_text(u.findtext("n:news/n:title", namespaces=ns))
    }


def test_every_titled_entry_of_real_feeds_and_sitemaps_is_stored(
    server: Server, crawl: Crawl, tmp_path: Path
) -> None:
    rows = [r for r in manifest() if r["kind"] in ("rss", "atom", "rdf", "sitemap")]
    expected: dict[str, set[Key]] = {}
    sources = []
    for row in rows:
        body = (SHARED_FIXTURES / row["file"]).read_bytes()
        name = row["file"].rsplit(".", 1)[0][:60].rstrip("-")
        url = server.add(f"/f/{row['file']}", body, content_type="application/xml")
        kind = "sitemap" if row["kind"] == "sitemap" else "feed"
        expected[name] = expected_sitemap_urls(body) if kind == "sitemap" else expected_feed_urls(body, url)
        sources.append(f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nurl = "{url}"\n')
    done = crawl("\n".join(sources))
    assert done.returncode in (0, 3, 4), done.stderr[-2000:]
    stored: dict[str, set[Key]] = {}
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        for headline in store.query():
            stored.setdefault(headline.source, set()).add(key(headline.url))
        runs = store.last_runs()
    all_stored = set().union(*stored.values())
    status = {name: run.status for name, run in runs.items()}
    found = {name: run.found for name, run in runs.items()}
    print(f"\n{'source':<50} {'status':<12} {'expected':>8} {'stored':>6}")
    for name, urls in expected.items():
        print(f"{name:<50} {status[name]:<12} {len(urls):>8} {len(stored.get(name, ())):>6}")
    missing = {name: sorted(urls - all_stored)[:3] for name, urls in expected.items() if urls - all_stored}
    assert not missing
    for name, urls in expected.items():
        if urls:
            assert status[name] == "ok", name
        assert (status[name] == "ok") == (found[name] > 0), name  # (rows may belong to an earlier source)
    assert sum(len(u) for u in expected.values()) > 700  # the fixtures were really read


@pytest.mark.parametrize(
    "name", ["feedparser-chardet-gb2312-undeclared.xml", "feedparser-chardet-big5-atom-undeclared.xml"]
)
def test_undeclared_chinese_encodings_are_read_as_chinese(name: str) -> None:
    body = utf8_if_undeclared(shared_fixture(name).read_bytes(), "application/xml")
    parsed = feedparser.parse(body)
    title = (parsed.entries[0] if parsed.entries else parsed.feed).get("title", "")
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in title) >= 4, title
