"""The `headlines` command: a thin click layer over the library functions.

Each command calls one or two functions; domain errors become a one-line message and a documented exit
code (see `headlines.errors.ExitCode` and README.md).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from headlines.clierrors import domain_errors
from headlines.context import AppContext


class HeadlinesGroup(click.Group):
    """Turns domain errors raised by any command into `Error: ...` and their exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        with domain_errors():
            return super().invoke(ctx)


@click.group(cls=HeadlinesGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), envvar="HEADLINES_DB",
    default=Path("data/headlines.sqlite3"), show_default=True, show_envvar=True,
    help="SQLite file that holds the headlines; created on first use.",
)
@click.option(
    "--models-dir", type=click.Path(file_okay=False, path_type=Path), envvar="HEADLINES_MODELS",
    default=Path("models"), show_default=True, show_envvar=True,
    help="Directory of trained models (models/<id>/ and models/CURRENT).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="headlines")
@click.pass_context
def main(ctx: click.Context, db: Path, models_dir: Path, verbose: int) -> None:
    """Collect China/Asia tech headlines from news portals, feeds and news sitemaps, tag each by sector
    (ev, fintech, chips, ecommerce, other) and export them as CSV.

    \b
    Start with:
      headlines demo                 crawl a bundled sample site offline and show the result
      headlines crawl                crawl the sources in crawler/sources.toml
      headlines export -o out.csv    write the stored headlines as CSV
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(level)
    ctx.obj = AppContext(db=db, models_dir=models_dir)


def _register() -> None:
    from headlines.cli_crawl import crawl, demo, export, retag, status
    from headlines.cli_model import classify, evaluate, models, train

    for command in (crawl, export, retag, status, demo, train, evaluate, classify, models):
        main.add_command(command)


_register()
