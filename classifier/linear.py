"""What a fitted text pipeline is made of, read in one place: vectorizers, per-class weights, calibration.

Two parts of the classifier look inside a fitted Pipeline instead of calling it: the fast scorer
(`classifier.fastpath`, which computes ``predict_proba`` without scikit-learn's per-call overhead) and the
explanations (`classifier.explain`, which share each feature's push out to the headline's words). Both read
the pipeline through `LinearParts`, so knowledge of scikit-learn's fitted attributes (``coef_``,
``calibrated_classifiers_``, ``idf_``, ``transformer_list``) lives here alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


@dataclass(frozen=True)
class LinearParts:
    """A fitted ``features`` + ``model`` pipeline, taken apart.

    ``blocks`` are the TF-IDF vectorizers with the offset of their first feature; ``coef`` is classes x
    features (in ``classes`` order) and ``intercept`` per class; ``sigmoid`` the per-class Platt scaling
    (a, b) of a sigmoid-calibrated model, or None for a softmax model (logistic regression) or a model whose
    probabilities have another form (``calibrated`` is then False).
    """

    blocks: tuple[tuple[int, TfidfVectorizer], ...]
    classes: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    sigmoid: tuple[np.ndarray, np.ndarray] | None
    calibrated: bool

    @property
    def single(self) -> TfidfVectorizer | None:
        """The one vectorizer of a pipeline that has only one."""
        return self.blocks[0][1] if len(self.blocks) == 1 else None


def linear_parts(pipeline: Pipeline) -> LinearParts:
    """Take a fitted pipeline with steps ``features`` and ``model`` apart; TypeError if it has no linear
    per-feature weights."""
    features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
    parts = features.transformer_list if isinstance(features, FeatureUnion) else [("", features)]
    blocks: list[tuple[int, TfidfVectorizer]] = []
    offset = 0
    for _, vectorizer in parts:
        if not isinstance(vectorizer, TfidfVectorizer):
            raise TypeError(f"cannot read {type(vectorizer).__name__}: not a TF-IDF vectorizer")
        blocks.append((offset, vectorizer))
        offset += len(vectorizer.vocabulary_)
    sigmoid = None
    calibrated = False
    linear = model
    if isinstance(model, CalibratedClassifierCV):
        linear = model.calibrated_classifiers_[0].estimator  # ensemble=False keeps one estimator on all data
        if model.method == "sigmoid" and len(model.calibrated_classifiers_) == 1:
            calibrators = model.calibrated_classifiers_[0].calibrators
            sigmoid = (np.array([c.a_ for c in calibrators], dtype=np.float64),
                       np.array([c.b_ for c in calibrators], dtype=np.float64))
            calibrated = True
    elif isinstance(model, LogisticRegression):
        calibrated = True  # softmax of the linear scores
    coef = getattr(linear, "coef_", None)
    intercept = getattr(linear, "intercept_", None)
    if coef is None and hasattr(linear, "feature_log_prob_"):
        coef, intercept = linear.feature_log_prob_, linear.class_log_prior_
        calibrated = False
    if coef is None:
        raise TypeError(f"cannot read {type(linear).__name__}: it has no per-feature weights")
    dense = np.asarray(coef.toarray() if hasattr(coef, "toarray") else coef, dtype=np.float64)
    classes = tuple(str(c) for c in pipeline.classes_)
    if dense.shape[0] != len(classes):  # binary models keep one row; these pipelines always have 5 classes
        raise TypeError("cannot read a model with fewer weight rows than classes")
    return LinearParts(tuple(blocks), classes, dense, np.asarray(intercept, dtype=np.float64), sigmoid, calibrated)
