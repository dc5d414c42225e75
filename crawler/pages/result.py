"""What a page object returns: the headlines it read and why it passed over the rest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from crawler.items import Headline


@dataclass
class PageResult:
    """Headlines extracted from one response, plus counts of entries skipped by reason, links to follow
    (sitemap indexes, next pages) and a note for the run report (e.g. an ill-formed feed)."""

    headlines: list[Headline] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    follow: list[str] = field(default_factory=list)
    note: str | None = None
