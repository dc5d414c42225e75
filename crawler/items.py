"""The one item every kind of source yields.

A dataclass (Scrapy supports them through itemadapter), so `scrapy crawl ... -O out.csv` exports the same
fields in the same order as the store keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Headline:
    """A headline as a page object read it (cleaned, canonical URL); pipelines tag it and store it."""

    title: str
    url: str
    source: str
    published_at: datetime | None = None
    guid: str | None = None
    sector: str | None = None
    confidence: float | None = None
    margin: float | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    model_id: str | None = None
