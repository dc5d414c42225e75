"""Options several commands share: which stored headlines they work on (`query_options`), and times.

`--since` and `--until` take a date (``2026-11-20``), a date and time (``2026-11-20T08:00``, UTC unless it
says otherwise) or a span back from now (``90m``, ``36h``, ``7d``, ``2w``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import click

from classifier import LABELS
from store import Query

F = TypeVar("F", bound=Callable[..., Any])
_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(value: str, now: datetime | None = None) -> datetime:
    """A moment from a date, a date and time, or a span back from `now`."""
    span = _SPAN.match(value)
    if span:
        return (now or datetime.now(UTC)) - timedelta(**{_UNITS[span.group(2)]: int(span.group(1))})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"expected a date (2026-11-20), a time (2026-11-20T08:00) or a span (36h, 7d), "
                                 f"got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Moment(click.ParamType):
    name = "DATE|SPAN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_moment(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


MOMENT = Moment()


def query_options(func: F) -> F:
    """--sector, --source, --since, --until, --min-confidence: which headlines a command reads."""
    options = [
        click.option("--sector", "sectors", multiple=True, type=click.Choice(LABELS),
                     help="Only this sector (repeatable); a person's label counts over the model's."),
        click.option("--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable)."),
        click.option("--since", type=MOMENT, default=None, help="First seen at or after: a date or a span (7d)."),
        click.option("--until", type=MOMENT, default=None, help="First seen before: a date or a span (1d)."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
                     help="Only tags at least this confident."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_query(sectors: tuple[str, ...] = (), sources: tuple[str, ...] = (), since: datetime | None = None,
               until: datetime | None = None, min_confidence: float | None = None, **more: Any) -> Query:
    """The store query the shared options describe (plus any other `Query` fields)."""
    return Query(sectors=tuple(sectors), sources=tuple(sources), since=since, until=until,
                 min_confidence=min_confidence, **more)


T = TypeVar("T")


def progress(items: Iterable[T], total: Callable[[], int], label: str) -> Iterator[T]:
    """Items passed through a progress bar on stderr when it is a terminal (and there are many), quietly
    under cron; `total` is asked only when a bar will show."""
    count = total() if sys.stderr.isatty() else 0
    if count < 1000:
        yield from items
        return
    with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
        for item in items:
            yield item
            bar.update(1)
