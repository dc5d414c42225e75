"""Reading the headline links of a news portal's list page.

With a `links` CSS selector the page object takes exactly those links; without one it detects headline
links itself (see `crawler.pages.links`). A `next` selector names the link to the following page of a
paged list.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from urllib.parse import urljoin

from parsel import Selector

from crawler.clean import clean_title
from crawler.dates import parse_date
from crawler.items import Headline
from crawler.pages.detect import detect_links
from crawler.pages.encoding import decode_html
from crawler.pages.links import select_links
from crawler.pages.result import PageResult


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
    text, _ = decode_html(body, content_type)
    page = Selector(text=text, type="html", base_url=url)
    found = select_links(page, url, links) if links else detect_links(page, url)
    result = PageResult()
    for link in found:
        title = clean_title(link.title)
        if title:
            published = parse_date(link.date, tz) if link.date else None
            result.headlines.append(Headline(title=title, url=link.url, source=source, published_at=published))
        else:
            result.skipped["untitled"] += 1
    if next_page:
        href = page.css(next_page).xpath("(@href | .//a/@href)[1]").get()
        if href and not href.startswith(("javascript:", "#")):
            result.follow.append(urljoin(url, href.strip()))
    return result
