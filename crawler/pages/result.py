"""What a page object returns, and the one place where a title and a link found on a page become a headline.

Every kind of page hands the (title, link) pairs it finds to `PageResult.add`, which cleans the title,
resolves and canonicalizes the link, and counts what it passes over by reason. So cleaning happens once per
headline, in one way for every kind of source, and one malformed link costs that link only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from crawler.clean import absolute_url, clean_title, is_navigation_title
from crawler.items import Headline


class PageError(Exception):
    """The document is not of the kind its source says (not a feed, not HTML, no JSON list...).

    The only error a page object raises on purpose; the spider turns it into the source's `unparsable`
    status. Anything else escaping a page object is a bug and surfaces as one.
    """


@dataclass
class PageResult:
    """Headlines extracted from one response, counts of entries skipped by reason, links to follow
    (sitemap indexes, next pages) and a note for the run report (e.g. an ill-formed feed)."""

    source: str
    headlines: list[Headline] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    follow: list[str] = field(default_factory=list)
    note: str | None = None

    def add(self, title: str | None, link: str | None, base: str, published_at: datetime | None = None,
            guid: str | None = None) -> None:
        """Keep a headline, or count why not: untitled, navigation_title, no_link or bad_url."""
        title = clean_title(title)
        if not title:
            self.skipped["untitled"] += 1
        elif is_navigation_title(title):
            self.skipped["navigation_title"] += 1
        elif not link or not link.strip():
            self.skipped["no_link"] += 1
        elif (url := absolute_url(link, base)) is None:
            self.skipped["bad_url"] += 1
        else:
            self.headlines.append(Headline(title, url, self.source, published_at, guid or None))

    def follow_link(self, link: str | None, base: str) -> None:
        """Queue a page to read next (a child sitemap, the next page of a list), if its link resolves."""
        if link and (url := absolute_url(link, base)) is not None:
            self.follow.append(url)
