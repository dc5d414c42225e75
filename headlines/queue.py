"""The shared crawl queue in Redis: due sources go in once, one worker takes each, a dead worker's go back.

Keys, all under one prefix (default ``headlines``):

- ``jobs``: the queue, a list of JSON jobs (``LPUSH`` in, taken from the other end: first in, first out).
- ``once:<source>:<due>``: set when a source is enqueued for one due time, so the scheduler, a cron
  ``crawl --due --redis`` and a restarted scheduler never put the same due crawl in twice. It expires after
  the source's interval, so a crawl whose run could not be recorded is tried again.
- ``claimed:<worker>``: the jobs a worker holds. Taking a job is one atomic ``LMOVE`` from ``jobs`` into this
  list, so a job is always in exactly one place and never in two workers.
- ``beat:<worker>``: the worker's heartbeat, a key that expires unless renewed (the lease). ``workers`` is a
  hash of what each worker last said about itself (host, pid, its child crawl, its sources).
- ``site:<host>``: which worker is crawling a site now, renewed with the heartbeat. A site's sources go to one
  worker at a time, so per-site politeness (requests in flight, delay, robots.txt) holds across machines as
  it does inside one crawl.

A worker whose heartbeat has expired is gone: any worker that notices moves its claimed jobs back to the
front of the queue (again with ``LMOVE``: one job, one mover) and reports it. So a killed worker's sources
are crawled again within about one lease plus one poll.
"""

from __future__ import annotations

import json
import math
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.sources import allowed_host
from headlines.errors import QueueError

DEFAULT_LEASE = 20.0  # seconds a worker stays alive without a heartbeat
GONE_KEPT = timedelta(days=1)  # how long a gone worker stays listed in status
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_TAKE = ("local v = redis.call('get', KEYS[1]) if v == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
         "end if v then return 0 end return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0")


@dataclass(frozen=True)
class Job:
    """One source to crawl for one due time."""

    source: dict[str, Any]  # the source's table, as in the sources file
    due: str  # ISO time the source was due
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    enqueued_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def name(self) -> str:
        return str(self.source["name"])

    @property
    def site(self) -> str:
        return allowed_host(str(self.source["url"]))

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> Job:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker last said about itself, and whether its heartbeat still holds."""

    id: str
    host: str
    pid: int
    started_at: str
    last_beat: float
    crawling: list[str]
    child_pid: int | None
    alive: bool
    gone_at: float | None = None


def _redis(url: str) -> Any:
    try:
        import redis
    except ImportError as exc:
        raise QueueError(f"the Redis queue needs redis-py ({exc}): pip install 'headlines[redis]'") from None
    return redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=10, health_check_interval=30)


class CrawlQueue:
    """The queue at a Redis URL; see the module docstring for its keys."""

    def __init__(self, url: str, prefix: str = "headlines", lease: float = DEFAULT_LEASE) -> None:
        self.url, self.prefix, self.lease = url, prefix, lease
        self.redis = _redis(url)
        self._call(self.redis.ping, "connecting")

    def _call(self, fn: Callable[..., Any], doing: str, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise QueueError(f"Redis at {self.url}: {exc} while {doing}") from None

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- putting work in ----------------------------------------------------------------------------------

    def enqueue(self, due: Iterable[tuple[dict[str, Any], datetime, timedelta]]) -> list[Job]:
        """Enqueue each (source table, due time, interval) not yet enqueued for that due time; returns the
        jobs put in."""
        added = []
        for table, when, every in due:
            job = Job(table, when.astimezone(UTC).isoformat(timespec="seconds"))
            ttl = int(min(max(every.total_seconds(), 60), 6 * 3600))
            once = self.key("once", job.name, job.due)
            if self._call(self.redis.set, "enqueueing", once, job.id, nx=True, ex=ttl):
                self._call(self.redis.lpush, "enqueueing", self.key("jobs"), job.dumps())
                added.append(job)
        return added

    def pending(self) -> list[Job]:
        """The jobs waiting, next first."""
        return [Job.loads(raw) for raw in reversed(self._call(self.redis.lrange, "reading", self.key("jobs"), 0, -1))]

    def claimed(self, worker: str) -> list[Job]:
        return [Job.loads(raw) for raw in self._call(self.redis.lrange, "reading", self.key("claimed", worker), 0, -1)]

    # -- taking work out ----------------------------------------------------------------------------------

    def claim(self, worker: str, limit: int, wait: float = 1.0) -> list[Job]:
        """Take up to `limit` jobs whose sites no other worker is crawling (waiting up to `wait` seconds for
        the first), from at most this worker's fair share of the sites waiting (their number over the
        workers alive), so that one worker does not lock every site and leave the others idle. A job it
        cannot take goes to the back of the queue."""
        jobs, claimed = self.key("jobs"), self.key("claimed", worker)
        waiting = self._call(self.redis.lrange, "claiming", jobs, 0, -1)
        alive = max(1, sum(1 for info in self.workers() if info.alive))
        share = max(1, math.ceil(len({Job.loads(raw).site for raw in waiting}) / alive))
        taken: list[Job] = []
        sites: set[str] = set()
        for attempt in range(max(1, len(waiting))):
            if attempt == 0 and wait > 0:
                raw = self._call(self.redis.blmove, "claiming", jobs, claimed, wait, "RIGHT", "LEFT")
            else:
                raw = self._call(self.redis.lmove, "claiming", jobs, claimed, "RIGHT", "LEFT")
            if raw is None:
                break
            job = Job.loads(raw)
            if job.site in sites or (len(sites) < share and self._take_site(job.site, worker)):
                sites.add(job.site)
                taken.append(job)
                if len(taken) >= limit:
                    break
                continue
            pipe = self.redis.pipeline()  # another worker's site, or beyond this one's share: back of the line
            pipe.lrem(claimed, 1, raw)
            pipe.lpush(jobs, raw)
            self._call(pipe.execute, "giving a job back")
        return taken

    def _take_site(self, site: str, worker: str) -> bool:
        return bool(self._call(self.redis.eval, "locking a site", _TAKE, 1, self.key("site", site), worker,
                               int(self.lease * 1000)))

    def finish(self, worker: str, jobs: Sequence[Job]) -> None:
        """The worker is done with these jobs: drop them, and free the sites none of its other jobs is on."""
        claimed = self.key("claimed", worker)
        done = {job.id for job in jobs}
        remaining = []
        for raw in self._call(self.redis.lrange, "finishing", claimed, 0, -1):
            job = Job.loads(raw)
            if job.id in done:
                self._call(self.redis.lrem, "finishing", claimed, 1, raw)
            else:
                remaining.append(job.site)
        for site in {job.site for job in jobs} - set(remaining):
            self._call(self.redis.eval, "freeing a site", _RELEASE, 1, self.key("site", site), worker)

    # -- liveness -----------------------------------------------------------------------------------------

    def heartbeat(self, worker: str, *, pid: int, started_at: str, crawling: Sequence[str] = (),
                  child_pid: int | None = None, sites: Iterable[str] = ()) -> None:
        """Renew the worker's lease and its sites', and say what it is doing."""
        now = time.time()
        info = {"host": socket.gethostname(), "pid": pid, "started_at": started_at, "last_beat": now,
                "crawling": list(crawling), "child_pid": child_pid}
        pipe = self.redis.pipeline()
        pipe.set(self.key("beat", worker), "1", px=int(self.lease * 1000))
        pipe.hset(self.key("workers"), worker, json.dumps(info))
        for site in set(sites):
            pipe.eval(_RENEW, 1, self.key("site", site), worker, int(self.lease * 1000))
        self._call(pipe.execute, "sending a heartbeat")

    def leave(self, worker: str) -> None:
        """A worker stopping cleanly: its unfinished jobs go back, and it is no longer listed."""
        self._requeue(worker)
        pipe = self.redis.pipeline()
        pipe.delete(self.key("beat", worker))
        pipe.hdel(self.key("workers"), worker)
        self._call(pipe.execute, "leaving")

    def _requeue(self, worker: str) -> list[Job]:
        moved = []
        while raw := self._call(self.redis.lmove, "requeueing", self.key("claimed", worker), self.key("jobs"),
                                "LEFT", "RIGHT"):
            moved.append(Job.loads(raw))
        return moved

    def workers(self) -> list[WorkerInfo]:
        listed = self._call(self.redis.hgetall, "listing workers", self.key("workers"))
        found = []
        for worker, text in sorted(listed.items()):
            info = json.loads(text)
            alive = bool(self._call(self.redis.exists, "listing workers", self.key("beat", worker)))
            found.append(WorkerInfo(worker, info["host"], info["pid"], info["started_at"], info["last_beat"],
                                    info.get("crawling", []), info.get("child_pid"), alive, info.get("gone_at")))
        return found

    def reap(self) -> list[tuple[WorkerInfo, list[Job]]]:
        """Find workers whose heartbeat stopped, put their jobs back at the front of the queue, and mark them
        gone; returns what was found, for the caller to settle their runs."""
        found = []
        for info in self.workers():
            if info.alive:
                continue
            if info.gone_at is None:
                jobs = self._requeue(info.id)
                text = json.dumps({**asdict(info), "gone_at": time.time(), "crawling": [], "alive": False})
                self._call(self.redis.hset, "marking a worker gone", self.key("workers"), info.id, text)
                found.append((info, jobs))
            elif time.time() - info.gone_at > GONE_KEPT.total_seconds():
                self._call(self.redis.hdel, "forgetting a worker", self.key("workers"), info.id)
        return found


def enqueue_due(queue: CrawlQueue, sources: Sequence[Any], history: dict[str, Any], now: datetime,
                default_every: timedelta | None = None) -> list[Job]:
    """Enqueue the sources that are due now (by their runs in the store, backoff included), each once per
    due time; returns the jobs that went in (a source already queued for its due time is not repeated)."""
    from headlines.schedule import DEFAULT_EVERY, next_due

    default = default_every or DEFAULT_EVERY
    due = []
    for source in sources:
        when = next_due(source, history.get(source.name, []), default)
        if when is not None and when <= now:
            due.append((source.table, when, source.every or default))
    return queue.enqueue(due)
