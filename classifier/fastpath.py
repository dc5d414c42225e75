"""The same arithmetic as ``pipeline.predict_proba``, without scikit-learn's per-call overhead.

For one headline, input validation and sparse-matrix bookkeeping inside TfidfVectorizer.transform and
CalibratedClassifierCV.predict_proba cost about 1 ms, a hundred times the arithmetic itself. A crawler
tags a page at a time and `headlines classify` often one line at a time, so `Tagger` compiles the fitted
pipeline into a `Scorer` once at load time: vocabulary lookup, (sublinear) TF, IDF, L2 norm, one product
with the weights and the sigmoid calibration, in plain NumPy. The fitted pipeline stays the saved artifact
and the reference (tests check that both give the same probabilities); pipelines of another shape simply use
predict_proba.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat

import numpy as np
from scipy.special import expit, softmax
from sklearn.pipeline import Pipeline

from classifier.linear import linear_parts
from classifier.text import HeadlineAnalyzer


class Scorer:
    """Probabilities (columns in ``pipeline.classes_`` order) for TF-IDF + a linear, calibrated model."""

    def __init__(self, analyze: Callable[[str], list[str]], vocabulary: dict[str, int], idf: np.ndarray | None,
                 sublinear: bool, l2: bool, weights: np.ndarray, intercept: np.ndarray,
                 sigmoid: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.analyze = analyze
        self.get = vocabulary.get
        self.n_features = len(vocabulary)
        self.idf = idf
        self.sublinear = sublinear
        self.l2 = l2
        self.weights = weights  # features x classes, dense
        self.intercept = intercept
        self.sigmoid = sigmoid  # per-class (a, b) of Platt scaling, or None for a softmax model
        self.analyze_units = analyze.analyze if isinstance(analyze, HeadlineAnalyzer) else None

    def _linear(self, columns: np.ndarray, lengths: np.ndarray, n: int) -> np.ndarray:
        """The linear model's scores of `n` headlines whose features are `columns` (-1: unknown), `lengths`
        of them per headline: TF (sublinear), IDF and L2 norm per headline, then one product with the
        weights. Plain NumPy on the known features: a sparse matrix per page cost more to build than to use."""
        rows = np.repeat(np.arange(n), lengths)
        keep = columns >= 0
        key = rows[keep] * self.n_features + columns[keep]
        scores = np.broadcast_to(self.intercept, (n, len(self.intercept))).copy()
        if not key.size:
            return scores
        key.sort()  # by headline, then feature: repeats of a feature sit together
        starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        tf = np.diff(np.append(starts, key.size)).astype(np.float64)
        unique = key[starts]
        row, col = np.divmod(unique, self.n_features)
        if self.sublinear:
            tf = np.log(tf) + 1.0
        if self.idf is not None:
            tf *= self.idf[col]
        if self.l2:
            tf /= np.sqrt(np.bincount(row, weights=tf * tf, minlength=n))[row]
        first = np.flatnonzero(np.concatenate(([True], row[1:] != row[:-1])))
        scores[row[first]] += np.add.reduceat(self.weights[col] * tf[:, None], first, axis=0)
        return scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.score(texts)[0]

    def score(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities, and the share of each headline's own units (`HeadlineAnalyzer.is_evidence`) that
        the model knows (1.0 for an analyzer without that notion)."""
        get = self.get
        flat: list[int] = []  # every feature's column, -1 where the model does not know it
        starts = [0]
        units: list[int] = []
        analyze_units = self.analyze_units
        for text in texts:
            if analyze_units is not None:
                features, count = analyze_units(text)
            else:
                features, count = self.analyze(text), 0
            flat.extend(map(get, features, repeat(-1)))
            starts.append(len(flat))
            units.append(count)
        columns = np.asarray(flat, dtype=np.int64)
        bounds = np.asarray(starts)
        unknown = np.concatenate(([0], np.cumsum(columns < 0)))
        first = bounds[:-1]
        per_unit = np.asarray(units)
        unknown_units = unknown[first + per_unit] - unknown[first]
        if analyze_units is None:
            known = np.ones(len(texts))
        else:
            known = np.divide(per_unit - unknown_units, per_unit, out=np.zeros(len(texts)), where=per_unit > 0)
        scores = self._linear(columns, np.diff(bounds), len(texts))
        if self.sigmoid is None:
            return softmax(scores, axis=1), known
        a, b = self.sigmoid
        proba = expit(-(a * scores + b))
        total = proba.sum(axis=1, keepdims=True)
        return np.divide(proba, total, out=np.full_like(proba, 1 / proba.shape[1]), where=total != 0), known


def compile_scorer(pipeline: Pipeline) -> Scorer | None:
    """A `Scorer` equivalent to ``pipeline.predict_proba``, or None when the pipeline has another shape."""
    try:
        parts = linear_parts(pipeline)
    except TypeError:
        return None
    features = parts.single
    if features is None or not parts.calibrated or features.binary or features.norm not in ("l2", None):
        return None
    analyzer = features.analyzer
    analyze = analyzer if isinstance(analyzer, HeadlineAnalyzer) else features.build_analyzer()
    idf = np.asarray(features.idf_, dtype=np.float64) if features.use_idf else None
    return Scorer(analyze, features.vocabulary_, idf, features.sublinear_tf, features.norm == "l2",
                  np.ascontiguousarray(parts.coef.T), parts.intercept, parts.sigmoid)
