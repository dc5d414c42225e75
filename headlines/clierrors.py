"""One place that turns domain errors into a one-line message and the documented exit code.

The `headlines` group wraps every command in `domain_errors`; commands may use it around their own calls
too (they then work the same when mounted in another group, as the tests do).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from classifier.corpus import CorpusError
from classifier.registry import ModelError
from headlines.errors import ExitCode, HeadlinesError


class InputError(click.ClickException):
    """Bad input (a sources file, a corpus, a file that is not UTF-8): `Error: ...`, exit code ERROR."""

    exit_code = ExitCode.ERROR


class ModelUnusable(click.ClickException):
    """The model is missing, tampered with or from another scikit-learn: exit code MODEL."""

    exit_code = ExitCode.MODEL


_BY_CODE: dict[int, type[click.ClickException]] = {ExitCode.ERROR: InputError, ExitCode.MODEL: ModelUnusable}


@contextmanager
def domain_errors() -> Iterator[None]:
    """Map HeadlinesError, ModelError and CorpusError to click errors that carry their exit codes."""
    try:
        yield
    except HeadlinesError as exc:
        raise _BY_CODE.get(exc.exit_code, InputError)(str(exc)) from exc
    except ModelError as exc:
        raise ModelUnusable(str(exc)) from exc
    except CorpusError as exc:
        raise InputError(str(exc)) from exc
