"""Reading Google News sitemaps (and following sitemap indexes) into headlines.

Scrapy's own sitemap parser keeps only the direct children of <url>, so the nested <news:title> and
<news:publication_date> are lost; we read them here with lxml. A plain sitemap has URLs but no titles:
that is reported as such, so the source does not look silently empty.
"""

from __future__ import annotations

import gzip
import io
from datetime import UTC, tzinfo
from urllib.parse import urljoin

from lxml import etree

from crawler.clean import clean_title
from crawler.dates import parse_date
from crawler.items import Headline
from crawler.pages.result import PageResult

MAX_UNZIPPED = 50 * 1024 * 1024  # the sitemap protocol's own limit


class NotASitemap(ValueError):
    """The body is not a sitemap or sitemap index."""


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return str(child.text).strip()
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
    result = PageResult()
    if _local(root.tag) == "sitemapindex":
        for entry in root:
            loc = _child_text(entry, "loc") if _local(entry.tag) == "sitemap" else None
            if loc:
                result.follow.append(urljoin(url, loc))
        return result
    for entry in root:
        if _local(entry.tag) != "url":
            continue
        loc = None
        for child in entry:
            if _local(child.tag) == "loc" and child.text:
                loc = child.text.strip()
        if not loc:
            result.skipped["no_link"] += 1
            continue
        title = clean_title(_child_text(entry, "title"))
        if not title:
            result.skipped["untitled"] += 1
            continue
        published = parse_date(_child_text(entry, "publication_date"), tz)
        result.headlines.append(
            Headline(title=title, url=urljoin(url, loc), source=source, published_at=published)
        )
    if not result.headlines and result.skipped["untitled"]:
        result.note = (
            f"plain sitemap: {result.skipped['untitled']} URLs but no <news:title>; "
            "use a Google News sitemap or the site's feed"
        )
    return result
