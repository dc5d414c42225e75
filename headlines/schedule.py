"""When each source is due, who may crawl it now, and the scheduler that runs crawls unattended.

A source is due by its own schedule: ``every`` (an interval) or ``cron`` (croniter reads the expression),
counted from its last run's start. A source whose runs keep failing backs off: each consecutive failure
doubles its interval, up to `MAX_BACKOFF`. Everything this needs is the run history in the store, so a
restarted scheduler (or `crawl --due` from cron) picks up exactly where the last one stopped.

Two crawls of one source never run at once: a crawl holds an exclusive `flock` on the source's lock file
for as long as it runs. The operating system drops the lock when the process ends however it ends, so a
killed crawl never leaves a lock that blocks forever.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from crawler import status
from crawler.sources import Source
from store import RunRecord

logger = logging.getLogger(__name__)
DEFAULT_EVERY = timedelta(hours=1)
MAX_BACKOFF = timedelta(hours=6)


def consecutive_failures(runs: Sequence[RunRecord]) -> int:
    """How many of the latest runs in a row failed (an empty page counts: it is how a layout change looks)."""
    count = 0
    for run in reversed(runs):
        if run.status in status.FAILED - {status.INTERRUPTED} or run.status == status.EMPTY:
            count += 1
        elif run.status != status.RUNNING:
            break
    return count


def interval(source: Source, start: datetime, default: timedelta = DEFAULT_EVERY) -> datetime:
    """The next time after `start` the source's own schedule names."""
    if source.cron:
        from croniter import croniter

        return croniter(source.cron, start.astimezone(UTC)).get_next(datetime).astimezone(UTC)  # type: ignore[no-any-return]
    return start + (source.every or default)


def next_due(source: Source, runs: Sequence[RunRecord], default: timedelta = DEFAULT_EVERY) -> datetime | None:
    """When the source is next due; None while a run of it is under way. Never ran: due now (the epoch)."""
    finished = [r for r in runs if r.status != status.RUNNING]
    if runs and runs[-1].status == status.RUNNING:
        return None
    if not finished:
        return datetime.fromtimestamp(0, UTC)
    last = finished[-1]
    if last.status == status.INTERRUPTED:
        return last.started_at
    due = interval(source, last.started_at, default)
    failures = consecutive_failures(finished)
    if failures:
        step = due - last.started_at
        backoff = min(step * (2 ** failures), max(MAX_BACKOFF, step))
        due = max(due, last.started_at + backoff)
    return due


def due_sources(sources: Sequence[Source], runs: dict[str, list[RunRecord]], now: datetime,
                default: timedelta | None = None) -> list[Source]:
    """The sources due at `now` (for `crawl --due`, a source with no schedule of its own is always due)."""
    due = []
    for source in sources:
        if default is None and source.every is None and source.cron is None:
            due.append(source)
            continue
        when = next_due(source, runs.get(source.name, []), default or DEFAULT_EVERY)
        if when is not None and when <= now:
            due.append(source)
    return due


# -- locks ----------------------------------------------------------------------------------------------


def lock_dir(db: str) -> Path:
    """Where the per-source locks of a store live: beside its database file."""
    if "://" in db or db.startswith(("postgresql:", "postgres:")):  # a server's store: one folder per URL
        digest = hashlib.sha1(db.encode("utf-8")).hexdigest()[:12]
        return Path(os.environ.get("XDG_RUNTIME_DIR", "/tmp")) / f"headlines-locks-{digest}"
    path = Path(db).resolve()
    return path.with_name(path.name + ".locks")


@dataclass
class SourceLocks:
    """Exclusive locks on sources, held until released or the process ends."""

    folder: Path
    held: dict[str, IO[str]] = field(default_factory=dict)

    def acquire(self, names: Sequence[str]) -> tuple[list[str], list[str]]:
        """Lock what can be locked now: (locked, busy elsewhere)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        locked, busy = [], []
        for name in names:
            handle = (self.folder / f"{name}.lock").open("a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                busy.append(name)
                continue
            self.held[name] = handle
            locked.append(name)
        return locked, busy

    def busy(self, name: str) -> bool:
        """Whether another process holds the source's lock (checked by taking and dropping it)."""
        locked, busy = self.acquire([name])
        for held in locked:
            self.release(held)
        return bool(busy)

    def release(self, name: str) -> None:
        handle = self.held.pop(name, None)
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def release_all(self) -> None:
        for name in list(self.held):
            self.release(name)


@contextlib.contextmanager
def locked_sources(db: str, names: Sequence[str]) -> Iterator[tuple[list[str], list[str]]]:
    """Hold the locks of the sources no other crawl holds, for the duration of the block."""
    locks = SourceLocks(lock_dir(db))
    try:
        yield locks.acquire(names)
    finally:
        locks.release_all()


# -- the scheduler --------------------------------------------------------------------------------------


def start_crawl(argv: list[str], **popen: Any) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
    """Start a child crawl whose stderr goes to an unnamed temporary file (a pipe read only at the end would
    fill once the crawl has logged 64 KB, and stop the crawl until its time limit); returns the process and
    the file, which `crawl_errors` reads when it has ended."""
    log = tempfile.TemporaryFile()
    try:
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, **popen), log
    except BaseException:
        log.close()
        raise


def crawl_errors(log: IO[bytes], keep: int = 2000) -> str:
    """The end of what an ended child crawl wrote to stderr, and the file closed."""
    with log:
        log.seek(max(0, log.seek(0, os.SEEK_END) - keep))
        return log.read().decode("utf-8", "replace").strip()


@dataclass
class Child:
    """One crawl running in a child process."""

    sources: list[str]
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    started: float
    began: datetime
    stopping_since: float | None = None


@dataclass
class Scheduler:
    """Starts a child `headlines crawl` for the sources that are due, at most `parallel` at a time, each
    stopped after `time_limit` seconds; stops cleanly on SIGINT or SIGTERM (running crawls are asked to
    stop, and given `grace` seconds before they are killed)."""

    sources: Sequence[Source]
    command: Callable[[list[str]], list[str]]  # the argv of a child crawl of these sources
    runs: Callable[[], dict[str, list[RunRecord]]]  # each source's recent runs, from the store
    db: str
    time_limit: float = 900.0
    parallel: int = 2
    grace: float = 30.0
    tick: float = 1.0
    default_every: timedelta = DEFAULT_EVERY
    log: Callable[[str], None] = logger.info
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def due(self, now: datetime) -> list[Source]:
        history = self.runs()
        running = {name for child in self.children for name in child.sources}
        locks = SourceLocks(lock_dir(self.db))
        due = []
        for source in self.sources:
            when = next_due(source, history.get(source.name, []), self.default_every)
            if when is not None and when <= now and source.name not in running and not locks.busy(source.name):
                due.append(source)
        return due

    def start(self, sources: list[Source]) -> None:
        names = [s.name for s in sources]
        argv = self.command(names)
        process, log = start_crawl(argv)
        self.children.append(Child(names, process, log, time.monotonic(), datetime.now(UTC) - timedelta(seconds=1)))
        self.log(f"started a crawl of {', '.join(names)} (pid {process.pid})")

    def reap(self) -> None:
        """Collect finished children, log one line per source, and stop those over their time limit."""
        now = time.monotonic()
        for child in list(self.children):
            code = child.process.poll()
            if code is None:
                if child.stopping_since is None and now - child.started > self.time_limit:
                    self.log(f"crawl of {', '.join(child.sources)} ran past {self.time_limit:.0f}s: stopping it")
                    self.stop_child(child)
                elif child.stopping_since is not None and now - child.stopping_since > self.grace:
                    child.process.kill()
                continue
            self.children.remove(child)
            error = crawl_errors(child.log)
            history = self.runs()
            for name in child.sources:
                recorded = history.get(name)
                run = recorded[-1] if recorded else None
                if run is None or run.started_at < child.began:
                    self.log(f"{name}: no run recorded (exit code {code}): {error.strip()[-300:]}")
                    continue
                self.log(f"{name}: {run.status}, {run.found} found, {run.new} new, {run.seconds:.1f}s"
                         + (f" ({run.error})" if run.error else ""))

    def stop_child(self, child: Child) -> None:
        child.stopping_since = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            child.process.send_signal(signal.SIGTERM)

    def stop(self, *_: object) -> None:
        if not self.stopping:
            self.log("stopping: running crawls are asked to finish")
        self.stopping = True
        for child in self.children:
            if child.stopping_since is None:
                self.stop_child(child)

    def run(self, until: Callable[[], bool] = lambda: False) -> None:
        """Loop until stopped (a signal) or `until()` says so; then wait for the children."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self.stopping and not until():
                self.reap()
                free = self.parallel - len(self.children)
                if free > 0:
                    due = self.due(datetime.now(UTC))
                    if due:
                        self.start(due)
                time.sleep(self.tick)
            self.stop()
            while self.children:
                self.reap()
                time.sleep(0.1)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def child_command(db: str, models_dir: str, sources_file: Path, overrides: Sequence[str]) -> Callable[[list[str]],
                                                                                                       list[str]]:
    """How the scheduler starts a crawl: this program, as `headlines crawl`, in a child process."""
    def argv(names: list[str]) -> list[str]:
        settings = [arg for value in overrides for arg in ("-s", value)]
        return [sys.executable, "-m", "headlines", "--db", db, "--models-dir", models_dir, "crawl", "--sources",
                str(sources_file), *settings, *names]

    return argv
