"""The `headlines` command: a thin click layer over the library functions.

Each command parses its options, calls one or two library functions and prints the result. Any layer's
domain error becomes ``Error: <one line>`` and its exit code (`headlines.errors`); anything else is a bug
and surfaces with its traceback. Commands import what they need when they run, so `headlines --help` and
the commands that need no model never load scikit-learn.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from classifier import DEFAULT_MODELS_DIR
from headlines.cli.context import AppContext
from store import DEFAULT_DB


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the moment of each record (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


_HANDLER = _Stderr()
_HANDLER.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))


def setup_logging(verbose: int) -> None:
    """Log to stderr at WARNING (-v: INFO, -vv: DEBUG) through one handler, however often this is called."""
    level = logging.WARNING - 10 * min(verbose, 2)
    root = logging.getLogger()
    if _HANDLER not in root.handlers:
        root.addHandler(_HANDLER)
    _HANDLER.setLevel(level)
    root.setLevel(level)


_GLOBAL_OPTIONS = ("--db", "--models-dir", "-v", "--verbose")


class HeadlinesGroup(click.Group):
    """Turns domain errors raised by any command into `Error: ...` and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from headlines.errors import exit_code

        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if exc.option_name in _GLOBAL_OPTIONS:
                command = ctx.invoked_subcommand or "COMMAND"
                raise click.UsageError(
                    f"{exc.message.rstrip('.')}: {exc.option_name} is a global option and goes before the "
                    f"command, as in `headlines {exc.option_name} ... {command}`", exc.ctx) from None
            raise
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            code = exit_code(exc)
            if code is None:
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(int(code))


@click.group(cls=HeadlinesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", envvar="HEADLINES_DB", default=DEFAULT_DB, show_default=True, show_envvar=True,
              metavar="PATH", help="SQLite file that holds the headlines. Writing commands create it; reading "
                                   "commands (status, export) never do.")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), envvar="HEADLINES_MODELS",
              default=DEFAULT_MODELS_DIR, show_default=True, show_envvar=True,
              help="Directory of trained models (models/<id>/ and models/CURRENT).")
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="headlines")
@click.pass_context
def main(ctx: click.Context, db: str, models_dir: Path, verbose: int) -> None:
    """Collect China/Asia tech headlines from news portals, feeds, news sitemaps and JSON lists, tag each by
    sector (ev, fintech, chips, ecommerce, other) and export them as CSV.

    \b
    Start with:
      headlines demo                 crawl a bundled sample site offline and show the result
      headlines crawl                crawl the sources in crawler/sources.toml
      headlines export -o out.csv    write the stored headlines as CSV

    Global options (--db, --models-dir, -v) go before the command: `headlines --db x.sqlite3 export`.
    """
    setup_logging(verbose)
    ctx.obj = AppContext(db=db, models_dir=models_dir)


def _register() -> None:
    from headlines.cli import collect, db, labels, models, operate, review

    for command in (collect.crawl, collect.export, collect.retag, operate.status, operate.schedule, operate.worker,
                    operate.digest,
                    collect.demo,
                    models.train, models.evaluate, models.classify, models.models, review.review,
                    labels.labels, labels.rules, db.db):
        main.add_command(command)


_register()
