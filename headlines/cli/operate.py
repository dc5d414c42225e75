"""Commands for running unattended: the scheduler, source health (`status`) and the digest."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from headlines.cli.context import AppContext
from headlines.cli.options import MOMENT
from headlines.errors import ExitCode

_SOURCES = "crawler/sources.toml"


def _sources(path: Path | None):  # type: ignore[no-untyped-def]
    from crawler.sources import DEFAULT_SOURCES, load_sources

    chosen = path or DEFAULT_SOURCES
    return load_sources(chosen) if path is not None or chosen.is_file() else []


def _timestamped_log(name: str) -> logging.Logger:
    """A logger that writes one time-stamped line per message to stderr, for long-running commands."""
    say = logging.getLogger(name)
    if not say.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        say.addHandler(handler)
    say.setLevel(logging.INFO)
    say.propagate = False
    return say


def _every(value: str) -> timedelta:
    from crawler.sources import parse_every

    try:
        return parse_every(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default=_SOURCES, help="TOML file of [[sources]] tables.")
@click.option("--default-every", default="1h", show_default=True, metavar="SPAN",
              help="Interval of a source that has neither `every` nor `cron`.")
@click.option("--time-limit", default="15m", show_default=True, metavar="SPAN",
              help="A crawl running longer than this is stopped (its sources end interrupted).")
@click.option("--parallel", default=2, show_default=True, type=click.IntRange(1, 16),
              help="Crawls (child processes) running at once; a source is never in two.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for every crawl.")
@click.option("--redis", "redis_url", metavar="URL", default=None, envvar="HEADLINES_REDIS",
              help="Put due sources in this Redis queue for `headlines worker`s instead of crawling them here "
                   "(env HEADLINES_REDIS).")
@click.pass_obj
def schedule(app: AppContext, sources_file: Path | None, default_every: str, time_limit: str, parallel: int,
             overrides: tuple[str, ...], redis_url: str | None) -> None:
    """Crawl each source on its own schedule (`every` or `cron` in the sources file), in the foreground.

    Each crawl runs as a child `headlines crawl` with a time limit. A source is never crawled twice at once,
    also not when cron runs `headlines crawl` meanwhile (both take the source's lock; a killed process's lock
    goes with it). When each source is due follows from its runs in the database, so a restart does not crawl
    everything at once, and a source that keeps failing backs off (its interval doubles per failure, up to
    6 hours). SIGINT or SIGTERM stops it cleanly: running crawls are asked to stop and end `interrupted`.
    One log line per source and crawl: status, found, new, time.

    With --redis, nothing is crawled here: each due source is put in the shared queue once per due time,
    for the `headlines worker`s on any machine to crawl (run one scheduler per queue).
    """
    from crawler.sources import DEFAULT_SOURCES
    from headlines.schedule import Scheduler, child_command

    sources = _sources(sources_file)
    if not sources:
        raise click.UsageError("no sources to schedule (give --sources FILE)")
    limit = _every(time_limit).total_seconds()
    say = _timestamped_log("headlines.schedule.log")
    with app.store("write") as store:
        from headlines.crawl import mark_interrupted

        mark_interrupted(store)

    def recent() -> dict:  # type: ignore[type-arg]
        with app.store("read") as store:
            return store.recent_runs()

    if redis_url:
        _enqueue_forever(redis_url, sources, recent, _every(default_every), say.info)
        return

    command = child_command(app.db, str(app.models_dir), (sources_file or DEFAULT_SOURCES).resolve(), overrides)
    scheduler = Scheduler(sources, command, recent, app.db, time_limit=limit, parallel=parallel,
                          default_every=_every(default_every), log=say.info)
    say.info(f"scheduling {len(sources)} sources; Ctrl-C or SIGTERM stops")
    scheduler.run()
    say.info("stopped")


def _enqueue_forever(url: str, sources: list, recent: Callable[[], dict], default_every: timedelta,  # type: ignore[type-arg]
                     say: Callable[[str], None]) -> None:
    """The scheduler's loop with a shared queue: enqueue what is due, once a second, until a signal."""
    import signal
    import time

    from headlines.queue import CrawlQueue, enqueue_due

    queue = CrawlQueue(url)
    stopping: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _: stopping.append(number))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    say(f"scheduling {len(sources)} sources into the queue at {url}; Ctrl-C or SIGTERM stops")
    try:
        while not stopping:
            for job in enqueue_due(queue, sources, recent(), datetime.now(UTC), default_every):
                say(f"{job.name}: due {job.due}, queued for a worker")
            time.sleep(1.0)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("stopped")


@click.command()
@click.option("--redis", "redis_url", metavar="URL", required=True, envvar="HEADLINES_REDIS",
              help="The shared queue (env HEADLINES_REDIS), e.g. redis://queue.example:6379/0.")
@click.option("--batch", default=8, show_default=True, type=click.IntRange(1, 200),
              help="Most sources taken at once and crawled together in one engine.")
@click.option("--time-limit", default="15m", show_default=True, metavar="SPAN",
              help="A crawl running longer than this is stopped (its sources end interrupted).")
@click.option("--lease", default="20s", show_default=True, metavar="SPAN",
              help="How long this worker counts as alive without a heartbeat (it beats every 2 s); a killed "
                   "worker's sources go back to the queue after this.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for every crawl.")
@click.pass_obj
def worker(app: AppContext, redis_url: str, batch: int, time_limit: str, lease: str,
           overrides: tuple[str, ...]) -> None:
    """Crawl what the shared queue holds, into the shared store, until stopped: one of several machines.

    Takes due sources from the Redis queue that `headlines schedule --redis` (or `headlines crawl --due
    --redis` from cron) fills, crawls them in a child `headlines crawl` with a time limit, and writes to
    --db, which every worker and the scheduler share (a postgresql:// URL across machines). A site's sources
    go to one worker at a time, so per-site politeness holds across machines. While it lives it sends a
    heartbeat; a worker that stops beating (killed, crashed, unplugged) is noticed by the others, which put
    its sources back in the queue and mark its runs interrupted. SIGINT or SIGTERM stops it cleanly: the
    running crawl is asked to finish, sources not yet crawled go back to the queue.
    """
    from headlines.queue import CrawlQueue
    from headlines.schedule import child_command
    from headlines.worker import Worker

    say = _timestamped_log("headlines.worker.log")
    app.store("write").close()  # the store exists (and is migrated) before any child crawl starts
    queue = CrawlQueue(redis_url, lease=_every(lease).total_seconds())

    def command(path: Path) -> list[str]:
        return child_command(app.db, str(app.models_dir), path, overrides)([])

    Worker(queue, command, lambda: app.store("write"), batch=batch, time_limit=_every(time_limit).total_seconds(),
           log=say.info).run()


@click.command()
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              show_default=_SOURCES, help="Sources file, for when each source is next due.")
@click.option("--check", is_flag=True, help="Exit 3 when any source is flagged (for monitoring).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table for people, or JSON for scripts.")
@click.option("--redis", "redis_url", metavar="URL", default=None, envvar="HEADLINES_REDIS",
              help="Also show the workers of this shared queue and what waits in it; a worker that stopped "
                   "heartbeating is shown as gone (and --check fails).")
@click.pass_obj
def status(app: AppContext, sources_file: Path | None, check: bool, fmt: str, redis_url: str | None) -> None:
    """Each source's health: last run, status, headlines found against its usual number, failures in a
    row, next due; and headlines per sector today and in the last 7 days.

    A source is flagged when its last run failed, found nothing, or found far fewer headlines than the
    median of its recent good runs (the usual sign of a changed page layout). Also says which database and
    models this command sees.
    """
    from classifier import LABELS
    from classifier.current import current_id
    from classifier.errors import ModelError
    from headlines.health import health
    from store import Query

    sources = _sources(sources_file)
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    with app.store("read") as store:
        report = health(sources, store.recent_runs())
        total = store.count()
        per_sector = {label: (store.count(Query(sectors=(label,), since=today)),
                              store.count(Query(sectors=(label,), since=now - timedelta(days=7))))
                      for label in LABELS}
    try:
        model = current_id(app.models_dir) or "none yet"
    except ModelError as exc:
        model = str(exc)
    flagged = [h for h in report if h.flags]
    workers, waiting = [], 0
    if redis_url:
        from headlines.queue import CrawlQueue

        queue = CrawlQueue(redis_url)
        workers, waiting = queue.workers(), len(queue.pending())
    gone = [w for w in workers if not w.alive]
    if fmt == "json":
        from dataclasses import asdict

        click.echo(json.dumps({"database": app.db, "models": str(app.models_dir), "model": model,
                               "headlines": total, "sources": [h.to_dict() for h in report],
                               "sectors": {k: {"today": a, "last_7_days": b} for k, (a, b) in per_sector.items()},
                               "flagged": [h.name for h in flagged],
                               **({"queue": {"waiting": waiting, "workers": [asdict(w) for w in workers]}}
                                  if redis_url else {})}, indent=2))
    else:
        if not report:
            click.echo("No crawl has run yet. Try `headlines crawl` or `headlines demo`.")
        else:
            click.echo(f"{'source':<28} {'last run':<17} {'status':<16} {'found':>5} {'usual':>5} {'fails':>5}  "
                       f"{'next due':<17} flag")
        for h in report:
            last = h.last
            when = f"{last.started_at:%Y-%m-%d %H:%M}" if last else "never"
            due = "now" if h.next_due is not None and h.next_due <= now else (
                f"{h.next_due:%Y-%m-%d %H:%M}" if h.next_due else "-")
            usual = f"{h.median_found:g}" if h.median_found is not None else "-"
            click.echo(f"{h.name:<28} {when:<17} {last.status if last else '-':<16} "
                       f"{last.found if last else 0:>5} {usual:>5} {h.failures:>5}  {due:<17} {'; '.join(h.flags)}")
        click.echo("")
        click.echo("sector     today  7 days")
        for label, (day, week) in per_sector.items():
            click.echo(f"{label:<10} {day:>5} {week:>7}")
        click.echo(f"{total} headlines stored in {Path(app.db).resolve() if '://' not in app.db else app.db}")
        click.echo(f"models in {app.models_dir.resolve()}; current model: {model}")
        if flagged:
            click.echo(f"{len(flagged)} sources need a look: {', '.join(h.name for h in flagged)}")
        if redis_url:
            click.echo(f"\nqueue {redis_url}: {waiting} sources waiting, {len(workers) - len(gone)} workers alive")
            for w in workers:
                beat = datetime.fromtimestamp(w.last_beat, UTC)
                state = "alive" if w.alive else "GONE (stopped heartbeating)"
                doing = f"crawling {', '.join(w.crawling)}" if w.crawling and w.alive else "idle" if w.alive else ""
                click.echo(f"  {w.id:<32} {w.host}:{w.pid:<8} last beat {beat:%Y-%m-%d %H:%M:%S}  {state}  {doing}")
    if check and (flagged or gone):
        sys.exit(int(ExitCode.SOURCE_FAILED))


@click.command()
@click.option("--since", type=MOMENT, default="1d", show_default=True, help="Start: a date or a span back (1d).")
@click.option("--until", type=MOMENT, default=None, help="End (default: now).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="Markdown, or one self-contained HTML file (for a browser or an e-mail).")
@click.option("--other", "include_other", is_flag=True, help="List headlines of no sector too (counts always are).")
@click.option("--per-sector", default=30, show_default=True, help="Headlines listed per sector.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=Path("-"), show_default="stdout", help="File to write.")
@click.pass_obj
def digest(app: AppContext, since: datetime, until: datetime | None, fmt: str, include_other: bool,
           per_sector: int, output: Path) -> None:
    """What is new, grouped by sector, most confident first, with counts against the period before.

    A person's label counts over the model's; a headline several sources carried is listed once. The HTML
    version is one self-contained file that reads well in a browser and in an e-mail client.
    """
    from headlines.digest import build_digest, render_html, render_markdown
    from headlines.output import output_file

    with app.store("read") as store:
        built = build_digest(store, since, until or datetime.now(UTC))
    render = render_html if fmt == "html" else render_markdown
    with output_file(output) as out:
        out.write(render(built, include_other, per_sector))
