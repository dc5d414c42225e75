"""The one interface every store backend offers; the crawler and the application use nothing else.

A backend is chosen by `store.open_store` from the location it is given. Tests run one suite against
every backend, so behaviour described here is behaviour of all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from store.records import AddResult, KnownHeadline, LabelEvent, NewHeadline, Query, RunRecord, StoredHeadline, Tagging


class Store(Protocol):
    """Headlines (one row per canonical URL, with title history), runs and conditional-request validators."""

    location: str
    """Where the store lives, as people should see it in messages (a path or a URL without password)."""

    # -- headlines ------------------------------------------------------------------------------------
    def add(self, headlines: Sequence[NewHeadline], seen_at: datetime) -> AddResult:
        """Store a batch in one transaction. A known URL keeps its row and first-seen time; a changed title
        replaces the shown one (the old one goes to history) and takes the batch's tags. Tags of a known,
        unchanged title are left as they are."""
        ...

    def known(self, urls: Iterable[str]) -> dict[str, KnownHeadline]:
        """Title and tags of each of these URLs that the store knows (cheap: a crawl asks for every page)."""
        ...

    def query(self, query: Query | None = None) -> Iterator[StoredHeadline]:
        """Stored headlines matching `query`, streamed in its order."""
        ...

    def count(self, query: Query | None = None) -> int: ...

    def get(self, url: str) -> StoredHeadline | None: ...

    def set_tags(self, taggings: Iterable[Tagging]) -> int:
        """Replace the model's tags of these URLs in one transaction; a person's label is not touched."""
        ...

    def title_history(self, url: str) -> list[tuple[str, datetime]]:
        """Earlier titles of a URL and when each was replaced, oldest first."""
        ...

    # -- labels ---------------------------------------------------------------------------------------
    def add_labels(self, events: Sequence[LabelEvent]) -> int:
        """Record label decisions in one transaction (all or none); each becomes the headline's current
        label (None: no label). Every event is kept, so no decision is ever lost. Unknown URLs are a
        `StoreError`."""
        ...

    def label_history(self, url: str) -> list[LabelEvent]:
        """Every label decision about a headline, oldest first."""
        ...

    # -- runs -----------------------------------------------------------------------------------------
    def start_run(self, run: RunRecord) -> int:
        """Record a run as started; returns its id (also set on `run.id`)."""
        ...

    def finish_run(self, run: RunRecord) -> None: ...

    def runs(self, crawl_id: str) -> list[RunRecord]: ...

    def last_runs(self) -> dict[str, RunRecord]:
        """Each source's latest run."""
        ...

    def running(self) -> list[RunRecord]:
        """Runs recorded as started and not finished."""
        ...

    def recent_runs(self, per_source: int = 10) -> dict[str, list[RunRecord]]:
        """Each source's latest runs, oldest first (the last one is the latest)."""
        ...

    # -- export bookmarks -----------------------------------------------------------------------------
    def max_id(self) -> int:
        """The id of the latest stored headline (0 when there is none)."""
        ...

    def bookmark(self, name: str) -> int | None:
        """Up to which headline id the export called `name` has gone."""
        ...

    def set_bookmark(self, name: str, last_id: int) -> None: ...

    # -- conditional requests -------------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified saved for a URL."""
        ...

    def save_validators(self, url: str, etag: str | None, last_modified: str | None) -> None: ...

    # -- lifetime -------------------------------------------------------------------------------------
    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None: ...
