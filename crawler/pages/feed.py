"""Reading RSS and Atom feeds from bytes already downloaded by Scrapy.

feedparser gets the body together with the response headers (so it sees the declared charset and the
feed's own URL), and its lenient parser still yields the entries of an ill-formed feed; we keep them and
note the problem rather than dropping the source.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser

from crawler.dates import from_struct, parse_date
from crawler.pages.encoding import utf8_if_undeclared
from crawler.pages.result import PageError, PageResult


class NotAFeed(PageError):
    """The body is not a feed feedparser can read anything from."""


def _published(entry: Mapping[str, Any], tz: tzinfo) -> datetime | None:
    """The entry's date. The raw string is read with the project's own parser where it can be, since
    feedparser misreads some common forms (``2020/1/10 14:33:00`` becomes 2020-12-01); feedparser's
    parse is the fallback for forms only it knows."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if raw:
            moment = parse_date(raw, tz)
            if moment is not None:
                return moment
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return from_struct(parsed, raw, tz)
    return None


def _link(entry: Mapping[str, Any]) -> str | None:
    link = entry.get("link")
    if not link:
        guid = entry.get("id")
        if isinstance(guid, str) and guid.startswith(("http://", "https://")) and entry.get("guidislink", True):
            link = guid
    return link if isinstance(link, str) else None


def parse_feed(
    body: bytes, url: str, source: str, headers: Mapping[str, str] | None = None, tz: tzinfo = UTC
) -> PageResult:
    """Extract headlines from an RSS/Atom/RDF feed body.

    Raises NotAFeed when feedparser finds neither a feed nor any entry (an HTML page, an empty or
    truncated document); an ill-formed feed that still yields entries is returned with a `note`.
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    body = utf8_if_undeclared(body, response_headers.get("content-type"))
    parsed = feedparser.parse(body, response_headers=response_headers, sanitize_html=False)
    problem = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else None
    if not parsed.entries and (not parsed.get("version") or problem):
        reason = problem or "no RSS/Atom document found"
        raise NotAFeed(f"not a readable feed ({reason})")
    result = PageResult(source, note=f"ill-formed feed, read leniently: {problem}" if problem else None)
    for entry in parsed.entries:
        guid = entry.get("id")
        result.add(entry.get("title"), _link(entry), url, _published(entry, tz),
                   guid if isinstance(guid, str) else None)
    return result
