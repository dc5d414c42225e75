"""Fitting a candidate pipeline: out-of-fold evaluation first, then the final fit on the whole corpus.

Cross-validation runs on the whole pipeline (vectorizer included), so no fold ever sees the vocabulary or
IDF weights of its test headlines. The out-of-fold probabilities give the stored metrics and the tag
thresholds. Every random choice is seeded, so the same corpus gives the same metrics.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from classifier import LABELS, label_order
from classifier.corpus import Corpus, CorpusError
from classifier.evaluate import Evaluation, choose_thresholds, evaluate_probabilities
from classifier.pipeline import DEFAULT, RANDOM_STATE, build_pipeline
from classifier.tagger import Tagger

logger = logging.getLogger(__name__)
FOLDS = 5
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Trained:
    """A fitted pipeline with what cross-validation said about it."""

    name: str
    pipeline: Pipeline
    evaluation: Evaluation
    thresholds: dict[str, float]
    cv_seconds: float
    fit_seconds: float


def in_label_order(pipeline: Pipeline, proba: np.ndarray) -> np.ndarray:
    """Reorder probability columns from the estimator's sorted ``classes_`` to LABELS order."""
    return proba[:, label_order(pipeline.classes_)]


def out_of_fold_proba(texts: Sequence[str], labels: Sequence[str], name: str = DEFAULT,
                      folds: int = FOLDS) -> np.ndarray:
    """Probabilities for every headline from a pipeline that never saw it (stratified k-fold)."""
    missing = [label for label in LABELS if list(labels).count(label) < folds]
    if missing:
        raise ValueError(f"need at least {folds} headlines of each label to cross-validate; too few: {missing}")
    pipeline = build_pipeline(name)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    proba = cross_val_predict(pipeline, list(texts), list(labels), cv=splitter, method="predict_proba")
    return proba[:, label_order(sorted(LABELS))]  # cross_val_predict's columns follow the sorted classes


def train(texts: Sequence[str], labels: Sequence[str], name: str = DEFAULT, source: str = "",
          progress: Progress | None = None) -> Trained:
    """Cross-validate the named pipeline, then fit it on all headlines."""
    say = progress or (lambda message: None)
    say(f"Cross-validating {name} on {len(texts)} headlines ({FOLDS} folds)…")
    started = time.perf_counter()
    proba = out_of_fold_proba(texts, labels, name)
    cv_seconds = time.perf_counter() - started
    evaluation = evaluate_probabilities(labels, proba, source=f"{FOLDS}-fold cross-validation on {source}")
    thresholds = choose_thresholds(labels, proba)
    say(f"Fitting on all {len(texts)} headlines…")
    started = time.perf_counter()
    pipeline = build_pipeline(name).fit(list(texts), list(labels))
    fit_seconds = time.perf_counter() - started
    logger.info("trained %s: macro-F1 %.4f (cv %.1fs, fit %.1fs)", name, evaluation.macro_f1, cv_seconds,
                fit_seconds)
    return Trained(name, pipeline, evaluation, thresholds, round(cv_seconds, 3), round(fit_seconds, 3))


def evaluate_tagger(tagger: Tagger, corpus: Corpus) -> Evaluation:
    """Score a saved model on a labeled file.

    Scoring a model on the headlines it was trained on says nothing, so when ``corpus`` is the model's own
    training corpus (same SHA-256), its pipeline is cross-validated on it instead.
    """
    unknown = sorted({label for label in corpus.labels if label not in LABELS})
    if unknown:
        raise CorpusError(f"{corpus.path}: unknown labels {', '.join(map(repr, unknown))}")
    if corpus.sha256 == tagger.metadata.get("corpus", {}).get("sha256"):
        name = tagger.metadata.get("pipeline", DEFAULT)
        proba = out_of_fold_proba(corpus.texts, corpus.labels, name)
        source = f"{FOLDS}-fold cross-validation of {name} on {corpus.path.name} (the model's training corpus)"
        return evaluate_probabilities(corpus.labels, proba, source=source)
    proba = tagger.predict_proba(corpus.texts)
    return evaluate_probabilities(corpus.labels, proba, source=f"model {tagger.model_id} on {corpus.path.name}")
