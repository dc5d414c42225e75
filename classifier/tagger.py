"""A loaded model ready to tag headlines: sector, calibrated confidence, tags and explanations.

`Tagger` wraps the fitted Pipeline and its metadata (thresholds, id). ``tags`` lists the top sector first,
then every other sector whose probability clears its threshold (chosen on out-of-fold probabilities at
training time), so a headline about chips for cars can carry both ``chips`` and ``ev``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from sklearn.pipeline import Pipeline

from classifier import LABELS, SECTORS, label_order
from classifier.explain import Explanation, WordAttributor
from classifier.fastpath import compile_scorer

__all__ = ["Explanation", "Prediction", "Tagger"]
_ALONE = tuple((label,) for label in LABELS)


@dataclass(frozen=True)
class Prediction:
    """One headline's verdict: the top label, its probability, the tags and every label's probability."""

    sector: str
    confidence: float
    tags: tuple[str, ...]
    probabilities: dict[str, float]
    margin: float = 0.0  # the top probability minus the second: small means the model hesitated


class Tagger:
    """A fitted pipeline plus its metadata; `predict` is batched, `explain` works on one headline."""

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.model_id: str = metadata["id"]
        thresholds = metadata.get("thresholds", {})
        self.thresholds = np.array([float(thresholds.get(s, 1.0)) for s in SECTORS] + [np.inf])
        self._order = label_order(pipeline.classes_)
        self._attributor: WordAttributor | None = None
        self._scorer = compile_scorer(pipeline)

    def __repr__(self) -> str:
        return f"Tagger(model_id={self.model_id!r})"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one row per headline, columns in LABELS order."""
        if not len(texts):
            return np.zeros((0, len(LABELS)))
        if self._scorer is not None:
            return self._scorer.predict_proba(texts)[:, self._order]
        return self.pipeline.predict_proba(list(texts))[:, self._order]

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Tag a batch of headlines (one model call for the whole batch)."""
        proba = self.predict_proba(texts)
        top = proba.argmax(axis=1)
        two = np.partition(proba, -2, axis=1) if proba.shape[1] > 1 else np.zeros((len(proba), 2))
        margins = cast(list[float], (two[:, -1] - two[:, -2]).tolist())
        clears = proba >= self.thresholds
        clears[np.arange(len(top)), top] = False
        several = cast(list[bool], np.any(clears, axis=1).tolist())
        predictions = []
        for row, best, more, margin in zip(proba.tolist(), top.tolist(), several, margins, strict=True):
            if more:  # rare: a second sector cleared its threshold
                others = sorted((i for i in range(len(LABELS)) if i != best and row[i] >= self.thresholds[i]),
                                key=lambda i: -row[i])
                tags = tuple(LABELS[i] for i in (best, *others))
            else:
                tags = _ALONE[best]
            predictions.append(Prediction(LABELS[best], row[best], tags, dict(zip(LABELS, row, strict=True)), margin))
        return predictions

    def explain(self, text: str, sector: str | None = None) -> Explanation:
        """The words that pushed ``text`` toward ``sector`` (default: the predicted one) and the strongest
        word against it."""
        if self._attributor is None:
            self._attributor = WordAttributor(self.pipeline)
        label = sector or self.predict([text])[0].sector
        return self._attributor.explain(text, label)
