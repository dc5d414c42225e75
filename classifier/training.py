"""Fitting a candidate model: out-of-fold evaluation first, then the final fit on the whole corpus.

Training returns a `Candidate`: a fitted pipeline with what cross-validation said about it and what it was
trained on. It is not saved or made current here; the registry saves it and a separate step (a gate,
or the person's own choice) promotes it. Cross-validation runs on the whole pipeline (vectorizer included),
so no fold ever sees the vocabulary or IDF weights of its test headlines. Every random choice is seeded, so
the same corpus gives the same metrics.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from classifier import LABELS, label_order
from classifier.corpus import Corpus, CorpusError
from classifier.decide import STREAM_PRIOR, auto_accept_threshold, label_prior, shift_prior, stream_weights
from classifier.evaluate import Evaluation, choose_thresholds, evaluate_probabilities
from classifier.pipeline import DEFAULT, RANDOM_STATE, build_pipeline
from classifier.tagger import Tagger

logger = logging.getLogger(__name__)
FOLDS = 5
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Candidate:
    """A fitted pipeline with what cross-validation said about it and what it learned from."""

    name: str
    pipeline: Pipeline
    evaluation: Evaluation
    thresholds: dict[str, float]
    cv_seconds: float
    fit_seconds: float
    data: dict[str, Any]  # what it was trained on: path, sha256, size, per_label (and more for retraining)
    train_prior: list[float]  # label frequencies of the training data, LABELS order
    prior: list[float]  # the base rates it decides for (classifier.decide.STREAM_PRIOR)
    auto_accept: float  # confidence above which a tag needs no review (chosen on out-of-fold data)
    stream_evaluation: Evaluation  # out-of-fold, restated for the stream and weighted to its base rates

    def decisions(self) -> dict[str, Any]:
        """The metadata a `Tagger` decides with: thresholds and base rates."""
        return {"thresholds": self.thresholds, "train_prior": self.train_prior, "prior": self.prior,
                "auto_accept": self.auto_accept}

    def tagger(self, model_id: str = "candidate") -> Tagger:
        """The candidate as it would serve, before it is saved."""
        return Tagger(self.pipeline, {"id": model_id, **self.decisions()})


def in_label_order(pipeline: Pipeline, proba: np.ndarray) -> np.ndarray:
    """Reorder probability columns from the estimator's sorted ``classes_`` to LABELS order."""
    return proba[:, label_order(pipeline.classes_)]


def out_of_fold_proba(texts: Sequence[str], labels: Sequence[str], pipeline: str | Pipeline = DEFAULT,
                      folds: int = FOLDS) -> np.ndarray:
    """Probabilities for every headline from a pipeline that never saw it (stratified k-fold).

    `pipeline` is a candidate's name or an estimator to clone (a saved model's pipeline, unfitted copies of
    which are cross-validated).
    """
    missing = [label for label in LABELS if list(labels).count(label) < folds]
    if missing:
        raise CorpusError(f"need at least {folds} headlines of each label to cross-validate; too few: "
                          f"{', '.join(missing)}")
    estimator = build_pipeline(pipeline) if isinstance(pipeline, str) else clone(pipeline)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    proba = cross_val_predict(estimator, list(texts), list(labels), cv=splitter, method="predict_proba")
    return proba[:, label_order(sorted(LABELS))]  # cross_val_predict's columns follow the sorted classes


def train(corpus: Corpus, name: str = DEFAULT, progress: Progress | None = None,
          prior: Sequence[float] = STREAM_PRIOR) -> Candidate:
    """Cross-validate the named pipeline on a corpus, choose its decision thresholds on the out-of-fold
    probabilities (restated for a stream with base rates `prior`), then fit it on all of the corpus."""
    say = progress or (lambda message: None)
    texts, labels = corpus.texts, corpus.labels
    say(f"Cross-validating {name} on {len(texts)} headlines ({FOLDS} folds)…")
    started = time.perf_counter()
    proba = out_of_fold_proba(texts, labels, name)
    cv_seconds = time.perf_counter() - started
    evaluation = evaluate_probabilities(labels, proba, source=f"{FOLDS}-fold cross-validation on {corpus.name}")
    train_prior = label_prior(labels)
    stream = shift_prior(proba, train_prior, np.asarray(prior))
    weights = stream_weights(labels, train_prior, np.asarray(prior))
    thresholds = choose_thresholds(labels, stream, weights=weights)
    auto_accept = auto_accept_threshold(labels, stream, weights)
    stream_evaluation = evaluate_probabilities(labels, stream, weights=weights,
                                               source=f"{FOLDS}-fold cross-validation, at stream base rates")
    say(f"Fitting on all {len(texts)} headlines…")
    started = time.perf_counter()
    pipeline = build_pipeline(name).fit(list(texts), list(labels))
    fit_seconds = time.perf_counter() - started
    logger.info("trained %s: macro-F1 %.4f (cv %.1fs, fit %.1fs)", name, evaluation.macro_f1, cv_seconds,
                fit_seconds)
    data = {"path": str(corpus.path), "files": [str(p) for p in corpus.parts or (corpus.path,)],
            "sha256": corpus.sha256, "size": len(corpus), "per_label": dict(Counter(labels))}
    return Candidate(name, pipeline, evaluation, thresholds, round(cv_seconds, 3), round(fit_seconds, 3), data,
                     [round(float(x), 6) for x in train_prior], [float(x) for x in prior], auto_accept,
                     stream_evaluation)


def evaluate_tagger(tagger: Tagger, corpus: Corpus) -> Evaluation:
    """Score a saved model on a labeled file.

    Scoring a model on the headlines it was trained on says nothing, so when ``corpus`` is the model's own
    training corpus (same SHA-256), its pipeline is cross-validated on it instead.
    """
    if not len(corpus):
        raise CorpusError(f"{corpus.path}: no headlines to evaluate on (only a header?)")
    unknown = sorted({label for label in corpus.labels if label not in LABELS})
    if unknown:
        raise CorpusError(f"{corpus.path}: unknown labels {', '.join(map(repr, unknown))}")
    trained_on = tagger.metadata.get("corpus", {})
    if corpus.sha256 in (trained_on.get("sha256"), trained_on.get("files_sha256")):
        name = tagger.metadata.get("pipeline", "the model's pipeline")
        proba = out_of_fold_proba(corpus.texts, corpus.labels, tagger.pipeline)
        source = f"{FOLDS}-fold cross-validation of {name} on {corpus.path.name} (the model's training corpus)"
        return evaluate_probabilities(corpus.labels, proba, source=source)
    proba = tagger.predict_proba(corpus.texts)
    return evaluate_probabilities(corpus.labels, proba, source=f"model {tagger.model_id} on {corpus.path.name}")
