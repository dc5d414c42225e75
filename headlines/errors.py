"""Named domain errors and the exit codes the command line maps them to.

Scripts and cron jobs rely on these numbers; they are documented in README.md.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of the `headlines` command."""

    OK = 0
    ERROR = 1  # bad input: a sources file, a CSV, an option; nothing was changed
    USAGE = 2  # click's own code for a wrong command line
    SOURCE_FAILED = 3  # at least one source failed: HTTP error, DNS, timeout, unparsable response
    SOURCE_EMPTY = 4  # no source failed, but at least one yielded zero headlines (layout change?)
    MODEL = 5  # the model is missing, tampered with or saved by another scikit-learn version


class HeadlinesError(Exception):
    """Base of the errors the command line turns into a one-line message."""

    exit_code: ExitCode = ExitCode.ERROR
