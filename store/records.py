"""The plain records that go into the store and come out of it.

The store knows neither Scrapy nor the command line: the crawler hands it `NewHeadline` records, the
application asks it for `StoredHeadline` rows through a `Query`, and both keep `RunRecord` rows of what
each source's crawl did. All times are timezone-aware; the store keeps them in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Order = Literal["first_seen", "newest", "uncertainty", "id", "random"]
PERSON = ("review", "import")
"""The ways a label comes from a person; a label that came by a rule is not a person's."""
HIDDEN_LABEL = "not_headline"
"""The label a person gives a row that is no headline at all (navigation, an ad): exports leave it out."""


@dataclass(frozen=True, slots=True)
class NewHeadline:
    """A headline as a crawl found it, cleaned, possibly tagged."""

    title: str
    url: str  # canonical: the store keeps one row per URL
    source: str
    published_at: datetime | None = None
    guid: str | None = None
    sector: str | None = None
    confidence: float | None = None
    margin: float | None = None  # top probability minus the second one: small means uncertain
    tags: tuple[str, ...] = ()
    model_id: str | None = None


@dataclass(frozen=True, slots=True)
class Tagging:
    """A classifier's verdict on one stored headline."""

    url: str
    sector: str
    confidence: float
    tags: tuple[str, ...]
    model_id: str
    margin: float | None = None


@dataclass(frozen=True, slots=True)
class KnownHeadline:
    """What the store knows of a URL that a crawl needs: its title and the model's tags of it."""

    title: str
    sector: str | None
    confidence: float | None
    margin: float | None
    tags: tuple[str, ...]
    model_id: str | None


@dataclass(frozen=True, slots=True)
class StoredHeadline:
    """One stored headline with the model's tags and a person's label, if any."""

    id: int
    url: str
    title: str
    source: str
    published_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    sector: str | None
    confidence: float | None
    margin: float | None
    tags: tuple[str, ...]
    model_id: str | None
    label: str | None = None
    label_via: str | None = None  # review | import | rule

    @property
    def reviewed(self) -> bool:
        """Whether a person labeled it (a rule's label does not count)."""
        return self.label is not None and self.label_via in PERSON

    @property
    def effective_sector(self) -> str | None:
        """A person's label where there is one, else the model's sector."""
        return self.label or self.sector


@dataclass(frozen=True, slots=True)
class AddResult:
    """What storing one batch did: rows created, rows already known, known rows whose title changed."""

    new: int
    duplicates: int
    retitled: int = 0
    new_urls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    """Which stored headlines to read, and in what order. Empty filters select everything."""

    sectors: tuple[str, ...] = ()  # a person's label counts over the model's sector
    sources: tuple[str, ...] = ()
    since: datetime | None = None  # first seen at or after
    until: datetime | None = None  # first seen before
    min_confidence: float | None = None
    reviewed: bool | None = None  # True: labeled by a person (review or import); False: not (a rule may have)
    labeled: bool | None = None  # True: carries any label (a person's or a rule's); False: none
    tagged: bool | None = None  # False: the model has not tagged it yet
    after_id: int | None = None  # stored after this row (export bookmarks)
    upto_id: int | None = None  # stored no later than this row (a snapshot of what existed)
    include_hidden: bool = False  # rows a person marked as not a headline
    order: Order = "first_seen"
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class LabelEvent:
    """One decision about a headline's label, kept forever: who gave which label, how, when, and what the
    model had said then. ``label`` None takes a label back (an undo to no label)."""

    url: str
    label: str | None
    via: str  # review | import | rule | undo
    reviewer: str | None = None
    at: datetime | None = None  # when it was decided; the store sets it if missing
    model_sector: str | None = None
    model_confidence: float | None = None
    model_id: str | None = None


@dataclass
class RunRecord:
    """What one source's crawl did, as kept in the store's runs."""

    source: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    found: int = 0
    new: int = 0
    duplicates: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    crawl_id: str | None = None
    host: str | None = None  # the machine and process that ran it, so a dead one's run can be told apart
    pid: int | None = None
    id: int | None = None

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else 0.0
