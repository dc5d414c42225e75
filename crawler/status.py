"""Run statuses, the crawl stats they are decided from, and the one rule that maps one to the other.

One crawl serves many sources, so every per-source count lives in the crawl stats under
``headlines/<source>/<name>`` (`stat`). Page reading, pipelines and the store write those counts; the run
recorder asks `decide` what they mean. Nothing else names a status or matches an error text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

OK = "ok"
NOT_MODIFIED = "not_modified"
EMPTY = "empty"
RUNNING = "running"
INTERRUPTED = "interrupted"
STORE_ERROR = "store_error"
INTERNAL_ERROR = "internal_error"

STATUSES: dict[str, str] = {
    OK: "headlines were found and stored",
    NOT_MODIFIED: "the server answered 304 Not Modified: nothing changed since the last ok run",
    EMPTY: "the page was read but held no headline (often a changed page layout)",
    "http_error": "the server answered with an HTTP error (404, 500, ...) or a redirect loop",
    "dns_error": "the host name does not resolve",
    "timeout": "the server did not answer in time (DOWNLOAD_TIMEOUT)",
    "connection_error": "the connection was refused, reset or closed before the response ended",
    "too_large": "the response was larger than DOWNLOAD_MAXSIZE",
    "robots": "robots.txt forbids the page",
    "offsite": "the page redirected to another site, which is not followed",
    "unparsable": "the response is not of the source's kind (not HTML, not a feed, no JSON list)",
    "download_error": "the download failed in another way (the detail says how)",
    STORE_ERROR: "headlines could not be stored (disk full, database locked or read-only)",
    INTERNAL_ERROR: "a bug in headlines stopped a page of this source from being read (the log has the "
                    "traceback; please report it)",
    INTERRUPTED: "the crawl was stopped (a signal, a kill, a time limit) before this source finished",
    RUNNING: "the crawl is still running (or its process died; the next crawl marks it interrupted)",
}
"""Every status a run can end with, and what it means; README and `crawl --help` list the same."""

HEALTHY = frozenset({OK, NOT_MODIFIED})
FAILED = frozenset(STATUSES) - HEALTHY - {EMPTY, RUNNING}

# Per-source stat names.
FOUND = "found"  # headlines the page objects kept
NEW = "new"  # committed as new rows
DUPLICATES = "duplicates"  # known already, or repeated within this crawl
DROPPED = "dropped"  # dropped/<reason>: entries passed over, by reason
PAGES = "pages"
NOT_MODIFIED_PAGES = "not_modified"
ERROR_KIND = "error_kind"
ERROR = "error"
NOTE = "note"
UNSTORED = "unstored"  # headlines a store failure kept from being committed
LAST_ANSWER = "last_answer"  # when the source's latest response or failure came (a POSIX timestamp)

MODEL_ERROR = "headlines/model_error"
"""Crawl-wide: why headlines were stored untagged (no model, a model that cannot be loaded, tagging failed)."""
BUG = "headlines/internal_error"
"""Crawl-wide: the first exception a callback raised (a bug, never a property of a source)."""


class _Stats(Protocol):
    def get_value(self, key: str, default: Any = None) -> Any: ...
    def set_value(self, key: str, value: Any) -> None: ...


def stat(source: str, name: str) -> str:
    """The stats key of one source's count or value."""
    return f"headlines/{source}/{name}"


def source_stats(stats: Mapping[str, Any], source: str) -> dict[str, Any]:
    """One source's stats without their prefix (``found``, ``dropped/bad_url``, ...)."""
    prefix = f"headlines/{source}/"
    return {key[len(prefix):]: value for key, value in stats.items() if key.startswith(prefix)}


def decide(stats: Mapping[str, Any], finished: bool = True) -> tuple[str, str | None]:
    """(status, detail) of one source from its stats (as `source_stats` gives them).

    The first error recorded wins; a store failure overrides a download that otherwise went well, since
    what was found was not kept. A crawl stopped early turns what would have been a success into
    `interrupted`.
    """
    kind = stats.get(ERROR_KIND)
    detail = stats.get(ERROR) or stats.get(NOTE)
    if isinstance(kind, str):
        return kind, str(detail) if detail else None
    if not finished:
        return INTERRUPTED, "the crawl stopped before this source finished"
    if stats.get(FOUND, 0):
        return OK, str(detail) if detail else None
    if stats.get(NOT_MODIFIED_PAGES, 0):
        return NOT_MODIFIED, None
    return EMPTY, str(detail) if detail else None


def record_error(stats: _Stats, source: str, kind: str, message: str) -> bool:
    """Give a source its failure status and message, unless an earlier failure already did (the first one
    is the cause; later ones are its consequences). Returns whether this one was recorded."""
    if kind not in STATUSES:
        raise ValueError(f"unknown status {kind!r}")
    if stats.get_value(stat(source, ERROR_KIND)) is not None:
        return False
    stats.set_value(stat(source, ERROR_KIND), kind)
    stats.set_value(stat(source, ERROR), message)
    return True
