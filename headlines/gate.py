"""The gate between a trained model and the current one: a worse model never silently replaces a better one.

Both are scored, as they would serve, on the same held-out sets: a fixed slice of the corpus and a fixed
slice of people's labels (`is_held_out`: neither is ever trained on), and the stream holdouts. The candidate
passes if its macro-F1 is not lower than the current model's by more than `margin` on any of them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from classifier import LABELS

if TYPE_CHECKING:
    from classifier.corpus import Corpus
    from classifier.tagger import Tagger

MARGIN = 0.005
HELD_OUT_EVERY = 10
"""One headline in this many (chosen by a hash of its text, so the same ones every time) is held out."""
MIN_LABELS = 30
"""People's labels held out below this count are too few to judge by; the gate says so and skips them."""


def is_held_out(text: str) -> bool:
    """Whether a headline belongs to the gate's fixed held-out slice (a stable hash of its folded text)."""
    key = " ".join(text.casefold().split()).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:4], "big") % HELD_OUT_EVERY == 0


@dataclass(frozen=True)
class Score:
    name: str
    size: int
    candidate: float
    current: float
    candidate_f1: dict[str, float]
    current_f1: dict[str, float]

    @property
    def drop(self) -> float:
        return round(self.current - self.candidate, 4)


@dataclass(frozen=True)
class Verdict:
    passed: bool
    scores: list[Score]
    margin: float
    skipped: list[str]

    def reason(self) -> str:
        failed = [s for s in self.scores if s.drop > self.margin]
        if not failed:
            return f"not worse than the current model by more than {self.margin} on any held-out set"
        return "; ".join(f"macro-F1 on {s.name} {s.candidate:.4f} against {s.current:.4f} for the current model"
                         for s in failed)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "margin": self.margin, "skipped": self.skipped,
                "scores": {s.name: {"size": s.size, "candidate": s.candidate, "current": s.current}
                           for s in self.scores}}


def judge(candidate: Tagger, current: Tagger, sets: dict[str, Corpus], margin: float = MARGIN) -> Verdict:
    """Score both models on every set and decide."""
    from classifier.evaluate import evaluate_probabilities

    scores, skipped = [], []
    for name, corpus in sets.items():
        if len(corpus) < MIN_LABELS or len(set(corpus.labels)) < 2:
            skipped.append(f"{name} ({len(corpus)} headlines: too few to judge by)")
            continue
        mine = evaluate_probabilities(corpus.labels, candidate.predict_proba(corpus.texts))
        theirs = evaluate_probabilities(corpus.labels, current.predict_proba(corpus.texts))
        scores.append(Score(name, len(corpus), mine.macro_f1, theirs.macro_f1,
                            {label: mine.per_class[label].f1 for label in LABELS},
                            {label: theirs.per_class[label].f1 for label in LABELS}))
    return Verdict(all(s.drop <= margin for s in scores), scores, margin, skipped)
