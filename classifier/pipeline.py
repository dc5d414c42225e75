"""The pipeline factory: every candidate model is one scikit-learn Pipeline built here by name.

`DEFAULT` is the pipeline `headlines train` fits; it was chosen by 5-fold cross-validation against the other
candidates (benchmarks/compare_models.py writes the comparison to classifier/REPORT.md). `REFERENCE` is the
conventional word+char TF-IDF with LinearSVC that the benchmark measures ours against.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from classifier.text import HeadlineAnalyzer

RANDOM_STATE = 0
PREFIXES = (3, 5)
DEFAULT = "headline-words+prefixes+lexicon+cjk/svm"
CJK_GRAMS = (1, 2)
REFERENCE = "word+char/svm"


def _calibrated_svm(c: float = 1.0) -> CalibratedClassifierCV:
    svm = LinearSVC(C=c, class_weight="balanced", random_state=RANDOM_STATE)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
    return CalibratedClassifierCV(svm, method="sigmoid", cv=folds, ensemble=False)


def _logreg() -> LogisticRegression:
    return LogisticRegression(C=20.0, class_weight="balanced", max_iter=2000, random_state=RANDOM_STATE)


def _sgd() -> SGDClassifier:
    return SGDClassifier(loss="log_loss", alpha=2e-5, class_weight="balanced", max_iter=50, tol=1e-4,
                         random_state=RANDOM_STATE)


def _word() -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32)


def _char() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)


def _headline(bigrams: bool = False, prefixes: tuple[int, ...] = (), lexicon: bool = False,
              cjk: tuple[int, int] | None = None) -> TfidfVectorizer:
    analyzer = HeadlineAnalyzer(bigrams=bigrams, prefixes=prefixes, lexicon=lexicon, cjk=cjk)
    return TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, dtype=np.float32)


def _word_char() -> FeatureUnion:
    return FeatureUnion([("word", _word()), ("char", _char())])


CANDIDATES: dict[str, Callable[[], tuple[BaseEstimator, BaseEstimator]]] = {
    "word/svm": lambda: (_word(), _calibrated_svm()),
    "word/logreg": lambda: (_word(), _logreg()),
    "word+char/svm": lambda: (_word_char(), _calibrated_svm()),
    "word+char/logreg": lambda: (_word_char(), _logreg()),
    "word+char/sgd": lambda: (_word_char(), _sgd()),
    "word+char/complement-nb": lambda: (_word_char(), ComplementNB(alpha=0.3)),
    "headline-words/svm": lambda: (_headline(), _calibrated_svm()),
    "headline-words+bigrams/svm": lambda: (_headline(bigrams=True), _calibrated_svm()),
    "headline-words+prefixes/svm": lambda: (_headline(prefixes=PREFIXES), _calibrated_svm()),
    "headline-words+prefixes/logreg": lambda: (_headline(prefixes=PREFIXES), _logreg()),
    "headline-words+prefixes/sgd": lambda: (_headline(prefixes=PREFIXES), _sgd()),
    "headline-words+prefixes+lexicon/svm": lambda: (_headline(prefixes=PREFIXES, lexicon=True), _calibrated_svm()),
    "headline-words+prefixes+lexicon/logreg": lambda: (_headline(prefixes=PREFIXES, lexicon=True), _logreg()),
    "headline-words+bigrams+prefixes+lexicon/svm": lambda: (
        _headline(bigrams=True, prefixes=PREFIXES, lexicon=True), _calibrated_svm()),
    "headline-words+prefixes+lexicon+cjk/svm": lambda: (
        _headline(prefixes=PREFIXES, lexicon=True, cjk=CJK_GRAMS), _calibrated_svm()),
    "headline-words+prefixes+lexicon+cjk13/svm": lambda: (
        _headline(prefixes=PREFIXES, lexicon=True, cjk=(1, 3)), _calibrated_svm()),
    "headline-words+prefixes+lexicon+cjk/logreg": lambda: (
        _headline(prefixes=PREFIXES, lexicon=True, cjk=CJK_GRAMS), _logreg()),
    "headline-words+bigrams+prefixes+lexicon+cjk/svm": lambda: (
        _headline(bigrams=True, prefixes=PREFIXES, lexicon=True, cjk=CJK_GRAMS), _calibrated_svm()),
}
"""Candidate name -> factory of (vectorizer, classifier). The lambdas only build; nothing here is pickled."""


def build_pipeline(name: str = DEFAULT) -> Pipeline:
    """A fresh, unfitted candidate pipeline with steps ``features`` and ``model``."""
    try:
        features, model = CANDIDATES[name]()
    except KeyError:
        raise ValueError(f"unknown pipeline {name!r}; choose one of {', '.join(CANDIDATES)}") from None
    return Pipeline([("features", features), ("model", model)])
