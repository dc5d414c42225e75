"""Commands about collecting and keeping headlines: crawl, export, retag, status and the offline demo."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from crawler.sources import DEFAULT_SOURCES, load_sources, select_sources
from crawler.store import open_store
from headlines.context import AppContext
from headlines.errors import ExitCode


def _parse_set(values: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="-s/--set")
        settings[key.strip()] = setting
    return settings


@click.command()
@click.argument("names", nargs=-1, metavar="[NAME ...]")
@click.option(
    "--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_SOURCES,
    show_default="crawler/sources.toml", help="TOML file of [[sources]] tables.",
)
@click.option("--due", is_flag=True, help="Only the sources whose `every` interval has passed since their last run "
              "(a source without `every` is always due).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as `scrapy crawl -s` does (e.g. -s DOWNLOAD_DELAY=0).")
@click.pass_obj
def crawl(app: AppContext, names: tuple[str, ...], sources_file: Path, due: bool,
          overrides: tuple[str, ...]) -> None:
    """Crawl the sources (all enabled ones, or those NAMEd) and store new headlines.

    Prints a table per source at the end: status, headlines found, new, duplicates, dropped, time.

    \b
    Exit codes:
      0  every source worked (ok, or not modified since the last crawl)
      3  at least one source failed (HTTP error, DNS, timeout, refused, unparsable, robots.txt)
      4  none failed but at least one yielded zero headlines (often a changed page layout)
      1  the sources file or an option is wrong; nothing was crawled
    """
    from crawler.store import now_utc
    from headlines.crawl import crawl_settings, due_sources, format_report, run_crawl

    sources = select_sources(load_sources(sources_file), names)
    if due:
        with open_store(app.db) as store:
            sources = due_sources(sources, store.last_runs(), now_utc())
        if not sources:
            click.echo("No source is due.", err=True)
            return
    # Log through the command's own handler, at its level: Scrapy installing a second root handler would
    # print every message twice and build a log record for every item scraped.
    log_level = logging.getLevelName(logging.getLogger().getEffectiveLevel())
    logs = {"LOG_LEVEL": log_level, "LOG_INSTALL_ROOT_HANDLER": False}
    settings = crawl_settings(app.db, app.models_dir, {**logs, **_parse_set(overrides)})
    report = run_crawl(sources, settings)
    click.echo(format_report(report))
    sys.exit(int(report.exit_code))


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=Path("-"), show_default="stdout", help="CSV file to write.")
@click.pass_obj
def export(app: AppContext, output: Path) -> None:
    """Write the stored headlines as CSV (UTF-8), oldest first.

    Columns: title,url,source,published_at,first_seen_at,sector,confidence,tags,label,model_id.
    Times are ISO 8601 in UTC; tags are separated by ';'; label is a person's reviewed sector.
    """
    from headlines.export import write_csv

    with open_store(app.db) as store:
        if str(output) == "-":
            count = write_csv(store, sys.stdout)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write_csv(store, out)
    click.echo(f"{count} headlines exported" + ("" if str(output) == "-" else f" to {output}"), err=True)


@click.command()
@click.option("--batch-size", default=2000, show_default=True, help="Headlines tagged per transaction.")
@click.pass_obj
def retag(app: AppContext, batch_size: int) -> None:
    """Re-tag every stored headline with the current model.

    Sector, confidence, tags and model_id are replaced; a person's label is never touched.
    """
    from classifier.registry import ensure_model
    from crawler.store import Tagging

    tagger = ensure_model(app.models_dir, progress=lambda msg: click.echo(msg, err=True))
    with open_store(app.db) as store:
        total = store.count()
        with click.progressbar(length=total, label=f"Tagging with {tagger.model_id}", file=sys.stderr) as bar:
            for batch in store.titles(batch_size):
                predictions = tagger.predict([title for _, title in batch])
                store.set_tags(
                    Tagging(url, p.sector, round(float(p.confidence), 4), tuple(p.tags), tagger.model_id)
                    for (url, _), p in zip(batch, predictions, strict=True)
                )
                bar.update(len(batch))
    click.echo(f"{total} headlines re-tagged with model {tagger.model_id}", err=True)


@click.command()
@click.pass_obj
def status(app: AppContext) -> None:
    """Show each source's last run: when, status, found, new and the error if any."""
    with open_store(app.db) as store:
        runs = store.last_runs()
        total = store.count()
    if not runs:
        click.echo("No crawl has run yet. Try `headlines crawl` or `headlines demo`.")
        return
    for name, run in sorted(runs.items()):
        when = run.started_at.isoformat(timespec="minutes")
        click.echo(f"{name:<28} {run.status:<14} {when}  found {run.found:>4}  new {run.new:>4}  {run.error or ''}")
    click.echo(f"{total} headlines stored in {app.db}")


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("headlines-demo"), show_default=True,
              help="Directory for the demo's fresh database and CSV.")
@click.pass_obj
def demo(app: AppContext, out_dir: Path) -> None:
    """Crawl a bundled sample site on 127.0.0.1 (no internet needed), tag and show what was stored.

    Serves a CX Tech-style headline list, an RSS feed and a news sitemap, crawls them into a fresh
    database in --out, prints the headlines with their sectors and writes them as CSV next to it.
    """
    from headlines.demo import run_demo

    code = run_demo(out_dir, app.models_dir, echo=click.echo)
    if code != ExitCode.OK:
        sys.exit(int(code))
