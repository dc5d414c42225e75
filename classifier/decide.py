"""From calibrated probabilities to decisions that fit a real stream of headlines.

The model is trained and calibrated on a corpus where about half the headlines belong to a sector; in what
users crawl, most belong to none (a day of a China news wire or a general front page: 85-90% `other`).
Probabilities calibrated for the corpus overstate the sectors there, so two corrections are made before a
headline gets its sector:

* **Prior shift** (Saerens, Latinne & Decaestecker 2002): ``p'(c|x) ∝ p(c|x) · π'(c) / π(c)`` with π the
  corpus's label frequencies and π' the base rates of the stream. π' defaults to `STREAM_PRIOR`; it can be
  estimated from a user's own stored headlines, without labels, by `estimate_prior` (the same paper's EM).
* **Evidence**: a headline the model has almost no features for (another script, a bare number, unknown
  names only) is not a confident `other`: its probabilities are drawn toward uniform by `evidence_weight`,
  so it gets low confidence and comes first in the review queue.

Thresholds chosen on out-of-fold predictions (tags, auto-accept) are chosen on the corrected probabilities,
with every corpus headline weighted by π'(y)/π(y), so that error rates are those expected on the stream.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifier import LABELS

STREAM_PRIOR: tuple[float, ...] = (0.0375, 0.0375, 0.0375, 0.0375, 0.85)
"""Base rates (LABELS order) of the streams people crawl: 85% other. Chosen from the range the stream
holdout's own description gives (85-90%), not fitted to it."""
FULL_EVIDENCE = 0.5
"""Share of a headline's words (and Chinese character pairs) the model knows at which it is fully trusted."""
AUTO_ACCEPT_ERROR = 0.02
"""Error rate the auto-accept threshold aims for among the tags it lets through without review."""


def label_prior(labels: Sequence[str]) -> np.ndarray:
    """Label frequencies in LABELS order."""
    y = np.asarray(labels)
    return np.array([float(np.mean(y == label)) if len(y) else 1 / len(LABELS) for label in LABELS])


def shift_prior(proba: np.ndarray, train_prior: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Probabilities calibrated under `train_prior`, restated under `prior` (rows sum to 1)."""
    shifted = proba * (np.asarray(prior) / np.asarray(train_prior))
    total = shifted.sum(axis=1, keepdims=True)
    return np.divide(shifted, total, out=np.full_like(shifted, 1 / shifted.shape[1]), where=total > 0)


def estimate_prior(proba: np.ndarray, train_prior: np.ndarray, iterations: int = 200,
                   tolerance: float = 1e-6) -> np.ndarray:
    """The base rates of an unlabeled set of headlines, by EM on their probabilities (Saerens et al. 2002)."""
    prior = np.asarray(train_prior, dtype=float)
    if not len(proba):
        return prior
    for _ in range(iterations):
        new = shift_prior(proba, train_prior, prior).mean(axis=0)
        if np.abs(new - prior).max() < tolerance:
            return new
        prior = new
    return prior


def evidence_weight(known: np.ndarray) -> np.ndarray:
    """How far to trust the model, from the share of a headline's units it knows: 1 from FULL_EVIDENCE up."""
    return np.clip(np.asarray(known, dtype=float) / FULL_EVIDENCE, 0.0, 1.0)


NO_EVIDENCE = np.array([0.1975, 0.1975, 0.1975, 0.1975, 0.21])
"""What a headline the model knows nothing of gets: nearly uniform, `other` (the likeliest label in any
stream) by a hair, so it is `other` at low confidence and first in the review queue."""


def with_evidence(proba: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Probabilities drawn toward `NO_EVIDENCE` where the model knows little of a headline."""
    w = evidence_weight(known)[:, None]
    return w * proba + (1 - w) * NO_EVIDENCE


def stream_weights(labels: Sequence[str], train_prior: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Weights that make the corpus's labeled headlines count as often as their label occurs in the stream."""
    index = {label: i for i, label in enumerate(LABELS)}
    train = np.asarray(train_prior, dtype=float)
    ratio = np.divide(np.asarray(prior, dtype=float), train, out=np.zeros_like(train), where=train > 0)
    return np.array([ratio[index[label]] for label in labels])


def auto_accept_threshold(labels: Sequence[str], proba: np.ndarray, weights: np.ndarray,
                          target: float = AUTO_ACCEPT_ERROR) -> float:
    """The lowest confidence (steps of 0.01) above which the weighted error of the top label is at most
    `target`; 1.0 when none is."""
    y = np.asarray(labels)
    pred = np.asarray(LABELS)[proba.argmax(axis=1)]
    confidence = proba.max(axis=1)
    wrong = (pred != y).astype(float)
    for t in np.round(np.arange(0.2, 1.0, 0.01), 2):
        accepted = confidence >= t
        if accepted.any() and float(np.sum(weights[accepted] * wrong[accepted]) / np.sum(weights[accepted])) <= target:
            return float(t)
    return 1.0
