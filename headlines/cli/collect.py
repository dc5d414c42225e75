"""Commands about collecting and keeping headlines: crawl, export, retag, status and the offline demo."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.status import STATUSES
from headlines.cli.context import AppContext
from headlines.cli.options import make_query, progress, query_options

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
@click.option("--due", is_flag=True, help="Only the sources that are due by their `every` or `cron` schedule, counted "
              "from their last run, with failing sources backing off (a source without a schedule is always due).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as `scrapy crawl -s` does (e.g. -s DOWNLOAD_DELAY=0).")
@click.option("--redis", "redis_url", metavar="URL", default=None,
              help="With --due: put the due sources in this Redis queue for `headlines worker`s instead of "
                   "crawling them here (each once per due time), and exit.")
@click.pass_obj
def crawl(app: AppContext, names: tuple[str, ...], sources_file: Path | None, due: bool,
          overrides: tuple[str, ...], redis_url: str | None) -> None:
    """Crawl the sources (all enabled ones, or those NAMEd) and store new headlines.

    All sources of one crawl share one engine, so at most CONCURRENT_REQUESTS_PER_DOMAIN requests go to a
    site at a time however many of its sources are listed. Prints a table per source at the end: status,
    headlines found, new, duplicates, dropped, time. When no model exists yet, one is trained first.

    \b
    Exit codes (the first that applies):
      70 a bug in headlines stopped a page from being read (the log has the traceback; please report it)
      5  headlines were stored untagged (no usable model, or the tagging process died): the summary says
         why; fix it, then `headlines retag`
      3  at least one source failed (see the statuses below)
      4  none failed but at least one yielded zero headlines (often a changed page layout)
      1  the sources file, an option or the database is unusable; nothing was crawled
      2  wrong command line
      0  every source worked (ok, or not_modified since the last crawl)
    """
    from crawler.sources import DEFAULT_SOURCES, load_sources, select_sources
    from headlines.crawl import crawl_settings, format_report, mark_interrupted, run_crawl
    from headlines.models import ensure_model
    from headlines.schedule import due_sources, locked_sources

    if redis_url and not due:
        raise click.UsageError("--redis enqueues due sources: give --due with it")
    sources = select_sources(load_sources(sources_file or DEFAULT_SOURCES), names)
    settings = crawl_settings(app.db, str(app.models_dir), _parse_set(overrides))
    with app.store("write") as store:
        mark_interrupted(store)
        if redis_url:
            from headlines.queue import CrawlQueue, enqueue_due

            jobs = enqueue_due(CrawlQueue(redis_url), sources, store.recent_runs(), datetime.now(UTC))
            _echo_err(f"Queued {len(jobs)} due sources for the workers" + (
                f": {', '.join(job.name for job in jobs)}" if jobs else " (none due, or already queued)"))
            return
        if due:
            sources = due_sources(sources, store.recent_runs(), datetime.now(UTC))
    if not sources:
        _echo_err("No source is due.")
        return
    with locked_sources(app.db, [s.name for s in sources]) as (locked, busy):
        if busy:
            _echo_err(f"Skipped, being crawled by another process: {', '.join(busy)}")
        sources = [s for s in sources if s.name in locked]
        if not sources:
            return
        if settings.getbool("HEADLINES_CLASSIFY"):
            ensure_model(app.models_dir, progress=_echo_err)
        report = run_crawl(sources, settings)
    click.echo(format_report(report))
    sys.exit(int(report.exit_code))


@click.command()
@query_options
@click.option("--reviewed/--unreviewed", "reviewed", default=None,
              help="Only headlines a person labeled, or only those no person labeled.")
@click.option("--new", "bookmark", metavar="NAME", default=None,
              help="Only what is new since the last export under NAME (a bookmark kept in the database, "
                   "moved when this export completes).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True,
              help="CSV, or JSON Lines (one object per line).")
@click.option("--excel", is_flag=True, help="Write UTF-8 with a BOM, so Excel shows Chinese text and curly quotes "
                                            "correctly.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=Path("-"), show_default="stdout", help="File to write (written whole or not at all).")
@click.pass_obj
def export(app: AppContext, sectors: tuple[str, ...], sources: tuple[str, ...], since: datetime | None,
           until: datetime | None, min_confidence: float | None, reviewed: bool | None, bookmark: str | None,
           fmt: str, excel: bool, output: Path) -> None:
    """Write the stored headlines, oldest first, as CSV (default) or JSON Lines.

    \b
    Columns: title,url,source,published_at,first_seen_at,sector,confidence,tags,label,model_id,label_via
    Times are ISO 8601 in UTC; tags are separated by ';'; label is a person's reviewed sector (or a
    rule's, as label_via says); rows marked "not a headline" are left out. In CSV, a cell that begins with
    = + - @ or a tab is written with a leading apostrophe, so no headline runs as a spreadsheet formula.

    \b
    Examples:
      headlines export --sector ev --since 7d -o ev-week.csv --excel
      headlines export --new morning-desk -o new.csv      (what is new since the last such export)
    """
    from headlines.export import WRITERS
    from headlines.output import output_file

    query = make_query(sectors, sources, since, until, min_confidence, reviewed=reviewed)
    with app.store("write" if bookmark else "read") as store:
        if bookmark:
            query = replace(query, after_id=store.bookmark(bookmark), upto_id=store.max_id())
        with output_file(output, encoding="utf-8-sig" if excel else "utf-8") as out:
            count = WRITERS[fmt](progress(store.query(query), lambda: store.count(query), "Exporting"), out)
        if bookmark:
            store.set_bookmark(bookmark, query.upto_id or 0)
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
