"""Several processes writing one store at once: nothing lost, nothing twice, "new" counted exactly once."""

from __future__ import annotations

import multiprocessing
import random
from datetime import UTC, datetime

from store import NewHeadline, open_store

URLS = [f"https://example.com/news/{n:05d}" for n in range(3000)]


def _writer(where: str, seed: int, start: object, results: object) -> None:
    order = URLS[:]
    random.Random(seed).shuffle(order)
    new = 0
    with open_store(where) as store:
        start.wait()  # type: ignore[attr-defined]
        for i in range(0, len(order), 100):
            batch = [NewHeadline(title=f"Story {url[-5:]}", url=url, source=f"w{seed}") for url in order[i:i + 100]]
            new += store.add(batch, datetime.now(UTC)).new
    results.put(new)  # type: ignore[attr-defined]


def test_four_processes_adding_the_same_urls(where: str) -> None:
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(4), context.Queue()
    open_store(where).close()  # the schema exists before the race
    workers = [context.Process(target=_writer, args=(where, seed, start, results)) for seed in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    with open_store(where, "read") as store:
        assert store.count() == len(URLS)
        assert sorted(h.url for h in store.query()) == URLS
    assert sum(results.get(timeout=5) for _ in workers) == len(URLS)
