"""A loaded model ready to tag headlines: sector, calibrated confidence, tags and explanations.

`Tagger` wraps the fitted Pipeline and its metadata (thresholds, base rates, id). Its probabilities are the
pipeline's calibrated ones restated for a real stream of headlines and drawn toward uniform where the model
knows little of a headline (`classifier.decide`). ``tags`` lists the top sector first, then every other
sector whose probability clears its threshold (chosen on out-of-fold probabilities at training time), so a
headline about chips for cars can carry both ``chips`` and ``ev``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from sklearn.pipeline import Pipeline

from classifier import LABELS, SECTORS, label_order
from classifier.decide import shift_prior, with_evidence
from classifier.explain import Explanation, WordAttributor
from classifier.fastpath import compile_scorer
from classifier.text import HeadlineAnalyzer

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

    def __init__(self, pipeline: Pipeline, metadata: dict[str, Any], prior: Sequence[float] | None = None) -> None:
        self.pipeline = pipeline
        self.metadata = metadata
        self.model_id: str = metadata["id"]
        thresholds = metadata.get("thresholds", {})
        self.thresholds = np.array([float(thresholds.get(s, 1.0)) for s in SECTORS] + [np.inf])
        self.auto_accept = float(metadata.get("auto_accept", 1.0))
        train_prior = metadata.get("train_prior")
        self.train_prior = np.asarray(train_prior, dtype=float) if train_prior else None
        chosen = prior if prior is not None else metadata.get("prior")
        self.prior = np.asarray(chosen, dtype=float) if chosen is not None and train_prior else None
        self._order = label_order(pipeline.classes_)
        self._attributor: WordAttributor | None = None
        self._scorer = compile_scorer(pipeline)

    def __repr__(self) -> str:
        return f"Tagger(model_id={self.model_id!r})"

    def with_prior(self, prior: Sequence[float]) -> Tagger:
        """The same model deciding for a stream with other base rates (LABELS order)."""
        return Tagger(self.pipeline, self.metadata, prior)

    def calibrated(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The pipeline's calibrated probabilities (LABELS order), as fitted on the corpus, and the share of
        each headline's own units the model knows."""
        if self._scorer is not None:
            proba, known = self._scorer.score(texts)
            return proba[:, self._order], known
        proba = self.pipeline.predict_proba(list(texts))[:, self._order]
        features = self.pipeline.named_steps["features"]
        analyzer = getattr(features, "analyzer", None)
        if not isinstance(analyzer, HeadlineAnalyzer):
            return proba, np.ones(len(texts))
        vocabulary = features.vocabulary_
        shares: list[float] = []
        for text in texts:
            features, units = analyzer.analyze(text)
            shares.append(sum(f in vocabulary for f in features[:units]) / units if units else 0.0)
        return proba, np.asarray(shares)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities for a stream of headlines, one row per headline, columns in LABELS order."""
        if not len(texts):
            return np.zeros((0, len(LABELS)))
        proba, known = self.calibrated(texts)
        if self.train_prior is not None and self.prior is not None:
            proba = shift_prior(proba, self.train_prior, self.prior)
        return with_evidence(proba, known)

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
