"""Candidate pipelines: each fits on the small corpus, and the fast scorer equals predict_proba."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier import LABELS
from classifier.corpus import read_corpus
from classifier.evaluate import choose_thresholds, evaluate_probabilities
from classifier.fastpath import compile_scorer
from classifier.pipeline import CANDIDATES, DEFAULT, REFERENCE, build_pipeline
from classifier.training import out_of_fold_proba

SMALL = read_corpus(Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "small.csv")
ODD = ["", "🚗🔋", "新能源汽车销量大涨", "chips " * 2000, "NIO nio NIO", "Ünïcödé ｆｕｌｌｗｉｄｔｈ"]


@pytest.mark.parametrize("name", list(CANDIDATES))
def test_every_candidate_fits_and_predicts_probabilities(name: str) -> None:
    pipeline = build_pipeline(name).fit(SMALL.texts, SMALL.labels)
    proba = pipeline.predict_proba(SMALL.texts[:5] + ODD)
    assert proba.shape == (5 + len(ODD), len(LABELS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


@pytest.mark.parametrize("name", [n for n in CANDIDATES if "char" not in n and ("logreg" in n or "svm" in n)])
def test_fast_scorer_matches_predict_proba(name: str) -> None:
    pipeline = build_pipeline(name).fit(SMALL.texts, SMALL.labels)
    scorer = compile_scorer(pipeline)
    assert scorer is not None
    texts = SMALL.texts + ODD
    np.testing.assert_allclose(scorer.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-5)


def test_pipelines_of_other_shapes_get_no_fast_scorer() -> None:
    assert compile_scorer(build_pipeline(REFERENCE).fit(SMALL.texts, SMALL.labels)) is None


def test_unknown_pipeline_name() -> None:
    with pytest.raises(ValueError, match="unknown pipeline"):
        build_pipeline("nope")


def test_out_of_fold_probabilities_are_deterministic() -> None:
    first = out_of_fold_proba(SMALL.texts, SMALL.labels, DEFAULT)
    second = out_of_fold_proba(SMALL.texts, SMALL.labels, DEFAULT)
    np.testing.assert_array_equal(first, second)


def test_cross_validation_needs_enough_of_each_label() -> None:
    with pytest.raises(ValueError, match="too few"):
        out_of_fold_proba(SMALL.texts[:30], SMALL.labels[:30])


def test_evaluate_probabilities_on_known_values() -> None:
    y = ["ev", "ev", "chips", "other"]
    proba = np.array([
        [0.9, 0.0, 0.1, 0.0, 0.0],   # ev, right
        [0.2, 0.0, 0.7, 0.0, 0.1],   # chips, wrong
        [0.0, 0.0, 0.6, 0.0, 0.4],   # chips, right
        [0.0, 0.0, 0.0, 0.0, 1.0],   # other, right
    ])
    ev = evaluate_probabilities(y, proba, source="t")
    assert ev.accuracy == 0.75
    assert ev.per_class["ev"].recall == 0.5 and ev.per_class["chips"].precision == 0.5
    assert ev.confusion[0] == [1, 0, 1, 0, 0]
    assert ev.macro_f1 == round((2 / 3 + 2 / 3 + 1.0) / 3, 4)  # only labels that occur count
    # bins: 0.6 right, 0.7 wrong, 0.9 right, 1.0 right -> |0.6-1| + |0.7-0| + |0.9-1| + |1-1| over 4
    assert ev.ece == round((0.4 + 0.7 + 0.1 + 0.0) / 4, 4)
    assert sum(b.count for b in ev.reliability) == 4


def test_thresholds_reach_the_precision_target() -> None:
    y = ["ev"] * 8 + ["chips"] * 2
    proba = np.zeros((10, 5))
    proba[:8, 0] = 0.9
    proba[8:, 0] = [0.3, 0.32]  # chips headlines that look a bit like ev
    thresholds = choose_thresholds(y, proba, precision=0.9)
    assert thresholds["ev"] == 0.35  # at 0.25 and 0.3 only 8 of 10 are ev; from 0.35 all are
    assert thresholds["fintech"] == 0.5  # never reached: the most cautious value
