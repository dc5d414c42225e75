"""Decisions for real streams: prior shift, its estimation without labels, evidence and the thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import LABELS
from classifier.decide import (
    NO_EVIDENCE,
    auto_accept_threshold,
    estimate_prior,
    label_prior,
    shift_prior,
    stream_weights,
    with_evidence,
)

TRAIN = np.array([0.125, 0.125, 0.125, 0.125, 0.5])


def test_a_prior_shift_is_bayes_rule() -> None:
    proba = np.array([[0.5, 0.0, 0.0, 0.0, 0.5]])
    stream = np.array([0.025, 0.025, 0.025, 0.025, 0.9])
    # p(ev) ∝ 0.5 * 0.025/0.125 = 0.1 ; p(other) ∝ 0.5 * 0.9/0.5 = 0.9
    np.testing.assert_allclose(shift_prior(proba, TRAIN, stream), [[0.1, 0, 0, 0, 0.9]])
    np.testing.assert_allclose(shift_prior(proba, TRAIN, TRAIN), proba)


def test_em_recovers_the_base_rates_of_an_unlabeled_stream() -> None:
    rng = np.random.default_rng(0)
    true = np.array([0.05, 0.03, 0.04, 0.03, 0.85])
    # each headline shows the "look" of its own label 80% of the time, of each other label 5%; a classifier
    # calibrated on TRAIN turns a look into the posterior under TRAIN's base rates
    look = 0.75 * np.eye(len(LABELS)) + 0.05
    labels = rng.choice(len(LABELS), size=50_000, p=true)
    seen = np.array([rng.choice(len(LABELS), p=look[:, k]) for k in labels])
    proba = look[seen] * TRAIN
    proba /= proba.sum(axis=1, keepdims=True)
    estimated = estimate_prior(proba, TRAIN)
    np.testing.assert_allclose(estimated, true, atol=0.01)


def test_no_evidence_is_other_at_low_confidence() -> None:
    proba = np.array([[0.0, 0.0, 0.0, 0.0, 1.0], [0.9, 0.0, 0.0, 0.0, 0.1]])
    out = with_evidence(proba, np.array([0.0, 1.0]))
    np.testing.assert_allclose(out[0], NO_EVIDENCE)
    assert LABELS[int(out[0].argmax())] == "other" and out[0].max() < 0.25
    np.testing.assert_allclose(out[1], proba[1])
    half = with_evidence(proba, np.array([0.25, 0.25]))
    np.testing.assert_allclose(half[0], 0.5 * proba[0] + 0.5 * NO_EVIDENCE)


def test_weights_count_the_corpus_at_the_streams_base_rates() -> None:
    labels = ["ev", "other", "other"]
    weights = stream_weights(labels, label_prior(labels), np.array([0.1, 0.1, 0.1, 0.1, 0.6]))
    np.testing.assert_allclose(weights, [0.1 / (1 / 3), 0.6 / (2 / 3), 0.6 / (2 / 3)])


@pytest.mark.parametrize("target", [0.0, 0.34])
def test_the_auto_accept_threshold_keeps_the_error_above_it_at_the_target(target: float) -> None:
    labels = ["ev", "ev", "other", "other"]
    proba = np.array([[0.95, 0, 0, 0, 0.05], [0.3, 0, 0, 0, 0.7], [0, 0, 0, 0, 0.9], [0.6, 0, 0, 0, 0.4]])
    t = auto_accept_threshold(labels, proba, np.ones(4), target)
    assert t == (0.71 if target == 0.0 else 0.61)
