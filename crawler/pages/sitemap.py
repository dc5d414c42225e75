"""Reading Google News sitemaps (and following sitemap indexes) into headlines.

Scrapy's own sitemap parser keeps only the direct children of <url>, so the nested <news:title> and
<news:publication_date> are lost; we read them here with lxml. A plain sitemap has URLs but no titles:
that is reported as such, so the source does not look silently empty.
"""

from __future__ import annotations

import gzip
import io
from datetime import UTC, tzinfo

from lxml import etree

from crawler.dates import parse_date
from crawler.pages.result import PageError, PageResult

MAX_UNZIPPED = 50 * 1024 * 1024  # the sitemap protocol's own limit
NEWS_NAMESPACE = "google.com/schemas/sitemap-news/"  # http(s)://www.google.com/schemas/sitemap-news/0.9


class NotASitemap(PageError):
    """The body is not a sitemap or sitemap index."""


def _local(tag: object) -> str:
    """An element's name without its namespace (comments and processing instructions have none)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _is_news(tag: object) -> bool:
    """An element of the news sitemap namespace (or written with an undeclared ``news:`` prefix)."""
    if not isinstance(tag, str):
        return False
    if tag.startswith("{"):
        return NEWS_NAMESPACE in tag[1:tag.index("}")]
    return tag.startswith("news:")


def _text(element: etree._Element | None) -> str | None:
    if element is None or not element.text or not element.text.strip():
        return None
    return str(element.text).strip()


def _child(element: etree._Element, name: str, news: bool = False) -> etree._Element | None:
    """The first direct child called `name` (in the news namespace when `news`)."""
    for child in element:
        if _local(child.tag).removeprefix("news:") == name and (not news or _is_news(child.tag)):
            return child
    return None


def _unzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
        data = stream.read(MAX_UNZIPPED + 1)
    if len(data) > MAX_UNZIPPED:
        raise NotASitemap("gzipped sitemap unpacks to more than 50 MB")
    return data


def parse_sitemap(body: bytes, url: str, source: str, tz: tzinfo = UTC) -> PageResult:
    """Extract headlines from a news sitemap, or the child sitemaps of a sitemap index (in `follow`)."""
    try:
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(_unzip(body), parser=parser)
    except (etree.XMLSyntaxError, OSError, EOFError) as exc:
        raise NotASitemap(f"not a readable sitemap ({exc})") from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        found = _local(root.tag) if root is not None else "nothing"
        raise NotASitemap(f"not a sitemap: the document's root is <{found}>, not <urlset> or <sitemapindex>")
    result = PageResult(source)
    if _local(root.tag) == "sitemapindex":
        for entry in root:
            if _local(entry.tag) == "sitemap":
                result.follow_link(_text(_child(entry, "loc")), url)
        return result
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        news = _child(entry, "news", news=True)
        fields = news if news is not None else entry  # a few sitemaps put the news fields right in <url>
        title = _text(_child(fields, "title", news=True))
        published = _text(_child(fields, "publication_date", news=True))
        result.add(title, _text(_child(entry, "loc")), url, parse_date(published, tz))
    if not result.headlines and result.skipped["untitled"]:
        result.note = (
            f"plain sitemap: {result.skipped['untitled']} URLs but no <news:title>; "
            "use a Google News sitemap or the site's feed"
        )
    return result
