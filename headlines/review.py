"""A review session: headlines one at a time, least certain first, every decision stored at once.

The queue puts the headlines the model hesitated over most (smallest margin between its top two sectors)
first, with a small random slice mixed in, so that confident mistakes are found too. Each decision is a
label event written to the store before the next headline shows, so an interrupted session loses nothing,
and the next one starts with what is still unlabeled. An undo writes an event that restores the earlier
label; nothing is deleted.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field, replace

from classifier import LABELS
from store import HIDDEN_LABEL, LabelEvent, Query, Store, StoredHeadline

PRESELECT = 0.5
"""Below this confidence the model's sector is shown but not offered as the answer: Enter does nothing."""
RANDOM_SHARE = 0.1


def build_queue(store: Store, query: Query, limit: int, random_share: float = RANDOM_SHARE,
                seed: int | None = None) -> list[StoredHeadline]:
    """Headlines no one has labeled, least certain first, every ``1/random_share``-th one drawn at random."""
    base = replace(query, labeled=False, tagged=True, limit=None)
    uncertain = list(store.query(replace(base, order="uncertainty", limit=limit)))
    picks = int(round(limit * random_share))
    if not picks:
        return uncertain
    rng = random.Random(seed)
    chosen = {h.url for h in uncertain}
    pool = [h for h in store.query(replace(base, order="random", limit=picks * 10)) if h.url not in chosen]
    extra = rng.sample(pool, min(picks, len(pool)))
    queue: list[StoredHeadline] = []
    step = max(int(round(1 / random_share)), 2)
    kept = uncertain[: limit - len(extra)]
    for i, headline in enumerate(kept, 1):
        queue.append(headline)
        if extra and i % (step - 1) == 0:
            queue.append(extra.pop())
    return queue + extra


@dataclass
class Decision:
    headline: StoredHeadline
    label: str
    before: str | None  # the label it had, restored by an undo


@dataclass
class ReviewSession:
    """The state of one review: where in the queue, what was decided, and the store to write to."""

    store: Store
    queue: list[StoredHeadline]
    reviewer: str
    position: int = 0
    decisions: list[Decision] = field(default_factory=list)

    @property
    def current(self) -> StoredHeadline | None:
        return self.queue[self.position] if self.position < len(self.queue) else None

    @property
    def done(self) -> bool:
        return self.position >= len(self.queue)

    def preselected(self) -> str | None:
        """The answer Enter gives: the model's sector when it is confident enough, else none."""
        h = self.current
        if h is None or h.sector is None or (h.confidence or 0.0) < PRESELECT:
            return None
        return h.sector

    def decide(self, label: str) -> None:
        """Label the current headline (a sector or `HIDDEN_LABEL`), store it, and move on."""
        h = self.current
        if h is None:
            raise IndexError("the queue is done")
        if label not in (*LABELS, HIDDEN_LABEL):
            raise ValueError(f"unknown label {label!r}")
        self.store.add_labels([LabelEvent(h.url, label, "review", self.reviewer, model_sector=h.sector,
                                          model_confidence=h.confidence, model_id=h.model_id)])
        self.decisions.append(Decision(h, label, h.label))
        self.position += 1

    def skip(self) -> None:
        if not self.done:
            self.position += 1

    def undo(self) -> Decision | None:
        """Take back the last decision (stored as an event restoring the earlier label) and show that
        headline again."""
        if not self.decisions:
            return None
        last = self.decisions.pop()
        self.store.add_labels([LabelEvent(last.headline.url, last.before, "undo", self.reviewer)])
        self.position = self.queue.index(last.headline)
        return last

    def summary(self) -> dict[str, tuple[int, int]]:
        """Per model sector: (headlines reviewed, how many the model had right)."""
        seen: Counter[str] = Counter()
        right: Counter[str] = Counter()
        for d in self.decisions:
            sector = d.headline.sector or "untagged"
            seen[sector] += 1
            right[sector] += d.label == d.headline.sector
        return {sector: (seen[sector], right[sector]) for sector in seen}
