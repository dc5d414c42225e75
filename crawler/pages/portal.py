"""Reading the headline links of a news portal's list page.

With a `links` CSS selector the page object takes exactly those links; without one it detects headline
links itself (see `crawler.pages.links`). A `next` selector names the link to the following page of a
paged list.
"""

from __future__ import annotations

from datetime import UTC, tzinfo

from parsel import Selector

from crawler.dates import parse_date
from crawler.pages.detect import detect_links
from crawler.pages.encoding import decode_html
from crawler.pages.links import select_links
from crawler.pages.result import PageError, PageResult


class NotHtml(PageError):
    """The response is not an HTML page."""


def parse_portal(
    body: bytes,
    url: str,
    source: str,
    content_type: str | None = None,
    links: str | None = None,
    next_page: str | None = None,
    tz: tzinfo = UTC,
) -> PageResult:
    """Extract headline links from an HTML list page; dates printed with the links take `tz` if zone-less."""
    if content_type and "html" not in content_type.lower():
        raise NotHtml(f"not an HTML page (Content-Type: {content_type})")
    text, _ = decode_html(body, content_type)
    page = Selector(text=text, type="html", base_url=url)
    result = PageResult(source)
    found = select_links(page, url, links) if links else detect_links(page, url)
    for link in found:
        result.add(link.title, link.url, url, parse_date(link.date, tz) if link.date else None)
    if not found:
        total = len(page.xpath("//a[@href]"))
        result.note = (f"selector {links!r} matched no links" if links
                       else f"no headline list detected among the page's {total} links")
    if next_page:
        href = page.css(next_page).xpath("(@href | .//a/@href)[1]").get()
        if href and not href.strip().lower().startswith(("javascript:", "#")):
            result.follow_link(href, url)
    return result
