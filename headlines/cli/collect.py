"""Commands about collecting and keeping headlines: crawl, export, retag, status and the offline demo."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.status import STATUSES
from headlines.cli.context import AppContext

_SOURCES = "crawler/sources.toml"
_STATUS_HELP = "\n".join(f"  {name:<16} {meaning}" for name, meaning in STATUSES.items())


def _echo_err(message: str) -> None:
    click.echo(message, err=True)


def _parse_set(values: tuple[str, ...]) -> dict[str, str]:
    settings = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint="-s/--set")
        settings[key.strip()] = setting
    return settings


@click.command(epilog="\b\nStatuses:\n" + _STATUS_HELP)
@click.argument("names", nargs=-1, metavar="[NAME ...]")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default=_SOURCES, help="TOML file of [[sources]] tables.")
@click.option("--due", is_flag=True, help="Only the sources whose `every` interval has passed since their last run "
              "(a source without `every` is always due).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as `scrapy crawl -s` does (e.g. -s DOWNLOAD_DELAY=0).")
@click.pass_obj
def crawl(app: AppContext, names: tuple[str, ...], sources_file: Path | None, due: bool,
          overrides: tuple[str, ...]) -> None:
    """Crawl the sources (all enabled ones, or those NAMEd) and store new headlines.

    All sources of one crawl share one engine, so at most CONCURRENT_REQUESTS_PER_DOMAIN requests go to a
    site at a time however many of its sources are listed. Prints a table per source at the end: status,
    headlines found, new, duplicates, dropped, time. When no model exists yet, one is trained first.

    \b
    Exit codes (the first that applies):
      70 a bug in headlines stopped a page from being read (the log has the traceback; please report it)
      5  headlines were stored untagged (no usable model): fix the model, then `headlines retag`
      3  at least one source failed (see the statuses below)
      4  none failed but at least one yielded zero headlines (often a changed page layout)
      1  the sources file, an option or the database is unusable; nothing was crawled
      2  wrong command line
      0  every source worked (ok, or not_modified since the last crawl)
    """
    from crawler.sources import DEFAULT_SOURCES, load_sources, select_sources
    from headlines.crawl import crawl_settings, due_sources, format_report, mark_interrupted, run_crawl
    from headlines.models import ensure_model

    sources = select_sources(load_sources(sources_file or DEFAULT_SOURCES), names)
    settings = crawl_settings(app.db, str(app.models_dir), _parse_set(overrides))
    with app.store("write") as store:
        mark_interrupted(store)
        if due:
            sources = due_sources(sources, store.last_runs(), datetime.now(UTC))
    if not sources:
        _echo_err("No source is due.")
        return
    if settings.getbool("HEADLINES_CLASSIFY"):
        ensure_model(app.models_dir, progress=_echo_err)
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
    from headlines.output import output_file

    with app.store("read") as store, output_file(output) as out:
        count = write_csv(store.query(), out)
    _echo_err(f"{count} headlines exported" + ("" if str(output) == "-" else f" to {output}"))


@click.command()
@click.option("--batch-size", default=2000, show_default=True, help="Headlines tagged per transaction.")
@click.option("--untagged", is_flag=True, help="Only the headlines that have no tags yet.")
@click.pass_obj
def retag(app: AppContext, batch_size: int, untagged: bool) -> None:
    """Re-tag stored headlines with the current model.

    Sector, confidence, tags and model_id are replaced; a person's label is never touched.
    """
    from classifier.registry import load_current
    from headlines.models import ensure_model
    from headlines.retag import retag as retag_all
    from store import Query

    with app.store("write") as store:  # a database that cannot be used fails before any training
        ensure_model(app.models_dir, progress=_echo_err)
        tagger = load_current(app.models_dir)
        total = store.count(Query(include_hidden=True, tagged=False if untagged else None))
        with click.progressbar(length=total, label=f"Tagging with {tagger.model_id}", file=sys.stderr) as bar:
            query = Query(include_hidden=True, tagged=False if untagged else None)
            done = retag_all(store, tagger, batch_size, query=query, progress=bar.update)
    _echo_err(f"{done} headlines re-tagged with model {tagger.model_id}")


@click.command()
@click.pass_obj
def status(app: AppContext) -> None:
    """Show each source's last run (when, status, found, new, the error if any), and which database and
    models this command sees."""
    from classifier.current import current_id
    from classifier.errors import ModelError

    with app.store("read") as store:
        runs = store.last_runs()
        total = store.count()
    if not runs:
        click.echo("No crawl has run yet. Try `headlines crawl` or `headlines demo`.")
    for name, run in sorted(runs.items()):
        when = run.started_at.isoformat(timespec="minutes")
        click.echo(f"{name:<28} {run.status:<14} {when}  found {run.found:>4}  new {run.new:>4}  {run.error or ''}")
    try:
        model = current_id(app.models_dir) or "none yet (`headlines train`)"
    except ModelError as exc:
        model = str(exc)
    click.echo(f"{total} headlines stored in {Path(app.db).resolve() if '://' not in app.db else app.db}")
    click.echo(f"models in {app.models_dir.resolve()}; current model: {model}")


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
    from headlines.errors import ExitCode

    code = run_demo(out_dir, app.models_dir, echo=click.echo)
    if code != ExitCode.OK:
        sys.exit(int(code))
