"""Exit codes, and the one place where each layer's errors are mapped to them.

Scripts and cron jobs rely on these numbers; README.md and `headlines crawl --help` document them. Each
layer raises its own named errors (the store's, the sources file's, the classifier's); the command line
turns any of them into a one-line message and the code below, and lets everything else (a bug) surface
with its traceback.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the `headlines` command."""

    OK = 0
    ERROR = 1  # bad input (a sources file, a CSV, an option) or a store that cannot be used; nothing changed
    USAGE = 2  # a wrong command line (click's own code)
    SOURCE_FAILED = 3  # at least one source failed: HTTP error, DNS, timeout, unparsable, store error
    SOURCE_EMPTY = 4  # no source failed, but at least one yielded zero headlines (layout change?)
    MODEL = 5  # the model is missing, tampered with or saved by another scikit-learn version
    INTERNAL = 70  # a bug in headlines (sysexits' EX_SOFTWARE); the log has the traceback


class InputError(Exception):
    """Bad input found by the application itself (an option value, a file to import)."""


class QueueError(Exception):
    """The shared Redis queue cannot be reached or used."""


def exit_code(exc: BaseException) -> ExitCode | None:
    """The exit code of a domain error, or None when `exc` is not one (a bug: let it surface)."""
    from classifier.errors import CorpusError, ModelError
    from crawler.errors import SourcesError
    from store.errors import StoreError

    if isinstance(exc, ModelError):
        return ExitCode.MODEL
    if isinstance(exc, InputError | QueueError | SourcesError | StoreError | CorpusError):
        return ExitCode.ERROR
    return None
