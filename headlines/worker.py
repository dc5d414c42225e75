"""A crawl worker: takes due sources from the shared Redis queue and crawls them into the shared store.

Each batch of jobs is crawled by a child `headlines crawl` (Scrapy's reactor cannot be restarted, and a
child that crashes or hangs cannot take the worker with it), all of a batch's sources in one engine. The
child is killed with the worker (``PR_SET_PDEATHSIG``), so a killed worker never leaves a crawl running
that another worker is about to repeat. While a child runs, the worker renews its heartbeat and its site
locks; between batches it looks for workers whose heartbeat stopped, puts their jobs back in the queue
and marks their runs interrupted (`headlines.queue`).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from crawler.sources import sources_toml
from headlines.queue import CrawlQueue, Job
from headlines.schedule import crawl_errors, start_crawl
from store import RunRecord, Store

logger = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _not_of(process: tuple[str, int], run: RunRecord) -> bool:
    """Whether a run was started by some other process than `process` (host, pid)."""
    return (run.host, run.pid) != process


def worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass
class Worker:
    """Takes up to `batch` jobs at a time from `queue` and crawls them with `command(sources_file)`, each
    child stopped after `time_limit` seconds; stops cleanly on SIGINT or SIGTERM (the running crawl is asked
    to stop and given `grace` seconds; jobs not finished go back to the queue)."""

    queue: CrawlQueue
    command: Callable[[Path], list[str]]
    store: Callable[[], Store]
    batch: int = 8
    time_limit: float = 900.0
    grace: float = 30.0
    beat_every: float = 2.0
    log: Callable[[str], None] = logger.info
    id: str = field(default_factory=worker_id)
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    stopping: bool = False

    def beat(self, jobs: Sequence[Job] = (), child: subprocess.Popen[bytes] | None = None) -> None:
        self.queue.heartbeat(self.id, pid=os.getpid(), started_at=self.started_at,
                             crawling=[job.name for job in jobs], child_pid=child.pid if child else None,
                             sites=[job.site for job in jobs])

    def settle_gone(self) -> None:
        """Requeue the jobs of workers that stopped heartbeating, and finish their runs as interrupted."""
        from headlines.crawl import mark_interrupted

        for gone, jobs in self.queue.reap():
            names = ", ".join(job.name for job in jobs) or "nothing"
            self.log(f"worker {gone.id} stopped heartbeating; put back in the queue: {names}")
            if gone.child_pid is None:
                continue
            with self.store() as store:
                mark_interrupted(store, alive=partial(_not_of, (gone.host, gone.child_pid)))

    def crawl(self, jobs: list[Job]) -> None:
        with tempfile.TemporaryDirectory(prefix="headlines-worker-") as folder:
            path = Path(folder) / "sources.toml"
            path.write_text(sources_toml(job.source for job in jobs), encoding="utf-8")
            child, log = start_crawl(self.command(path), preexec_fn=_die_with_parent)
            names = ", ".join(job.name for job in jobs)
            self.log(f"crawling {names} (pid {child.pid})")
            began, stopping_since = time.monotonic(), None
            began_at = datetime.now(UTC) - timedelta(seconds=1)
            while child.poll() is None:
                self.beat(jobs, child)
                if stopping_since is None and (self.stopping or time.monotonic() - began > self.time_limit):
                    if not self.stopping:
                        self.log(f"crawl of {names} ran past {self.time_limit:.0f}s: stopping it")
                    stopping_since = time.monotonic()
                    child.send_signal(signal.SIGTERM)
                elif stopping_since is not None and time.monotonic() - stopping_since > self.grace:
                    child.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(self.beat_every)
            error = crawl_errors(log)
        self.report(jobs, child.returncode, error, began_at)
        self.queue.finish(self.id, jobs)

    def report(self, jobs: list[Job], code: int, error: str, began: datetime) -> None:
        """One line per source: how its run went (from the store), or why there is none."""
        with self.store() as store:
            last = store.last_runs()
        for job in jobs:
            run = last.get(job.name)
            if run is None or run.started_at < began:
                self.log(f"{job.name}: no run recorded (exit code {code}): {error[-300:]}")
                continue
            self.log(f"{job.name}: {run.status}, {run.found} found, {run.new} new, {run.seconds:.1f}s"
                     + (f" ({run.error})" if run.error else ""))

    def stop(self, *_: object) -> None:
        if not self.stopping:
            self.log("stopping: the running crawl is asked to finish")
        self.stopping = True

    def run(self, until: Callable[[], bool] = lambda: False) -> None:
        """Work until stopped by a signal or until `until()` says so."""
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        self.log(f"worker {self.id} started; queue {self.queue.url}")
        try:
            while not self.stopping and not until():
                self.beat()
                self.settle_gone()
                jobs = self.queue.claim(self.id, self.batch, wait=self.beat_every)
                if jobs:
                    self.crawl(jobs)
        finally:
            self.queue.leave(self.id)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.log(f"worker {self.id} stopped")
