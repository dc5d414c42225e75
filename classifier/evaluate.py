"""Scoring predicted probabilities: per-class precision/recall/F1, confusion matrix and calibration.

Everything here works on a probability matrix whose columns follow `classifier.LABELS`, whether the
probabilities come from a saved model on a held-out file or from out-of-fold cross-validation, so the
metrics stored at training time and those printed by `headlines evaluate` are computed the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from classifier import LABELS

RELIABILITY_BINS = 10


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class ReliabilityBin:
    """Predictions whose top probability fell in [lower, upper): how confident, how often right."""

    lower: float
    upper: float
    count: int
    confidence: float
    accuracy: float


@dataclass(frozen=True)
class Evaluation:
    """Metrics of one set of predictions; ``source`` says what was evaluated and how."""

    source: str
    size: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, ClassScores]
    confusion: list[list[int]]  # rows: true label, columns: predicted label, both in LABELS order
    reliability: list[ReliabilityBin]
    ece: float  # expected calibration error of the top probability, RELIABILITY_BINS equal-width bins
    brier: float  # multi-class Brier score: mean over rows of the squared error summed over classes
    false_tags: float = 0.0  # share of `other` headlines given a sector
    sector_precision: float = 0.0  # share of sector tags that are right
    sector_recall: float = 0.0  # share of sector headlines given their sector

    def summary(self) -> dict[str, Any]:
        """The headline figures as plain JSON-ready values (stored in a model's metadata)."""
        return {
            "source": self.source, "size": self.size, "accuracy": self.accuracy, "macro_f1": self.macro_f1,
            "recall": {k: v.recall for k, v in self.per_class.items()},
            "precision": {k: v.precision for k, v in self.per_class.items()},
            "f1": {k: v.f1 for k, v in self.per_class.items()},
            "support": {k: v.support for k, v in self.per_class.items()},
            "ece": self.ece, "brier": self.brier, "confusion": self.confusion,
            "false_tags": self.false_tags, "sector_precision": self.sector_precision,
            "sector_recall": self.sector_recall,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate_probabilities(y_true: Sequence[str], proba: np.ndarray, source: str = "",
                           weights: np.ndarray | None = None) -> Evaluation:
    """Score a probability matrix (columns in LABELS order) against the true labels, each headline counted
    with its weight when weights are given (to score a corpus as if it had a stream's base rates)."""
    labels = list(LABELS)
    y = np.asarray(y_true)
    if proba.shape != (len(y), len(labels)):
        raise ValueError(f"expected probabilities of shape ({len(y)}, {len(labels)}), got {proba.shape}")
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    pred = np.asarray(labels)[proba.argmax(axis=1)]
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0, sample_weight=w)
    support = [int(np.sum(y == lab)) for lab in labels]
    per_class = {lab: ClassScores(_r(p[i]), _r(r[i]), _r(f[i]), support[i]) for i, lab in enumerate(labels)}
    present = [i for i in range(len(labels)) if support[i] > 0]
    onehot = (y[:, None] == np.asarray(labels)[None, :]).astype(float)
    right = pred == y
    bins, ece = reliability(proba.max(axis=1), right, weights=w)
    other, tagged, sector = y == "other", pred != "other", y != "other"

    def share(mask: np.ndarray, hit: np.ndarray) -> float:
        return _r(float(np.sum(w[mask] * hit[mask]) / np.sum(w[mask]))) if mask.any() else 0.0

    return Evaluation(
        source=source, size=len(y), accuracy=share(np.ones(len(y), bool), right),
        macro_f1=_r(float(np.mean(f[present]))) if present else 0.0, per_class=per_class,
        confusion=confusion_matrix(y, pred, labels=labels).tolist(), reliability=bins, ece=ece,
        brier=_r(float(np.average(np.sum((proba - onehot) ** 2, axis=1), weights=w))) if len(y) else 0.0,
        false_tags=share(other, tagged), sector_precision=share(tagged, right), sector_recall=share(sector, right),
    )


def reliability(confidence: np.ndarray, correct: np.ndarray, n_bins: int = RELIABILITY_BINS,
                weights: np.ndarray | None = None) -> tuple[list[ReliabilityBin], float]:
    """Reliability bins of the top probability and the expected calibration error (ECE)."""
    w = np.ones(len(confidence)) if weights is None else np.asarray(weights, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1]), 0, n_bins - 1)
    bins: list[ReliabilityBin] = []
    ece = 0.0
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        mass = float(w[members].sum())
        conf = float(np.average(confidence[members], weights=w[members])) if mass else 0.0
        acc = float(np.average(correct[members], weights=w[members])) if mass else 0.0
        ece += mass * abs(conf - acc)
        bins.append(ReliabilityBin(_r(edges[b]), _r(edges[b + 1]), count, _r(conf), _r(acc)))
    return bins, _r(ece / max(float(w.sum()), 1e-12))


def choose_thresholds(y_true: Sequence[str], proba: np.ndarray, precision: float = 0.9,
                      lowest: float = 0.25, highest: float = 0.5,
                      weights: np.ndarray | None = None) -> dict[str, float]:
    """Per-sector tag thresholds from out-of-fold probabilities.

    For each sector, the lowest probability in [lowest, highest] (steps of 0.05) at which the headlines
    reaching it are truly of that sector at least ``precision`` of the time (each headline counted with its
    weight, if given); ``highest`` if none is. A sector that clears its threshold without being the top one
    becomes a second tag.
    """
    y = np.asarray(y_true)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    thresholds: dict[str, float] = {}
    for i, label in enumerate(LABELS[:-1]):
        chosen = highest
        for t in np.round(np.arange(lowest, highest + 1e-9, 0.05), 2).tolist():
            hit = proba[:, i] >= t
            if hit.any() and float(np.sum(w[hit] * (y[hit] == label)) / np.sum(w[hit])) >= precision:
                chosen = t
                break
        thresholds[label] = chosen
    return thresholds


def _r(x: float) -> float:
    return round(float(x), 4)
