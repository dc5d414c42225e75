"""Predictions, tags and word-level explanations of a trained Tagger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from classifier import LABELS
from classifier.corpus import read_corpus
from classifier.explain import Explanation
from classifier.pipeline import REFERENCE, build_pipeline
from classifier.tagger import Tagger
from classifier.text import HeadlineAnalyzer

SMALL = read_corpus(Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "small.csv")


def tagger(thresholds: dict[str, float] | None = None, name: str | None = None) -> Tagger:
    pipeline = (build_pipeline(name) if name else build_pipeline()).fit(SMALL.texts, SMALL.labels)
    meta = {"id": "t", "thresholds": thresholds or {s: 0.5 for s in LABELS[:-1]}}
    return Tagger(pipeline, meta)


@pytest.fixture(scope="module")
def default() -> Tagger:
    return tagger()


def test_predictions_are_probabilities(default: Tagger) -> None:
    texts = ["BYD electric car sales rise", "TSMC chip plant", "", "🚗", "新能源汽车", "a" * 50_000]
    predictions = default.predict(texts)
    assert len(predictions) == len(texts)
    for p in predictions:
        assert set(p.probabilities) == set(LABELS)
        assert sum(p.probabilities.values()) == pytest.approx(1.0)
        assert 0.0 <= p.confidence <= 1.0 and p.confidence == max(p.probabilities.values())
        assert p.tags[0] == p.sector == max(p.probabilities, key=p.probabilities.__getitem__)
    assert default.predict([]) == []


def test_learned_the_obvious(default: Tagger) -> None:
    sectors = [p.sector for p in default.predict(["Alipay and WeChat Pay wallets", "Taobao shopping festival"])]
    assert sectors == ["fintech", "ecommerce"]


def test_tags_list_every_sector_over_its_threshold_top_first() -> None:
    low = tagger({s: 0.0 for s in LABELS[:-1]})
    p = low.predict(["Nvidia chips for BYD electric cars"])[0]
    rest = [s for s in LABELS[:-1] if s != p.sector]
    assert p.tags[0] == p.sector and set(p.tags[1:]) == set(rest)
    assert list(p.tags[1:]) == sorted(rest, key=lambda s: -p.probabilities[s])
    high = tagger({s: 1.01 for s in LABELS[:-1]})
    assert high.predict(["Nvidia chips for BYD electric cars"])[0].tags == (p.sector,)


def test_explanation_names_words_of_the_headline(default: Tagger) -> None:
    text = "Alipay wallets reach more shoppers"
    explanation = default.explain(text)
    words = [w for w, _ in HeadlineAnalyzer().words(text)]
    assert explanation.toward and all(w in words for w, _ in explanation.toward)
    assert [s for _, s in explanation.toward] == sorted((s for _, s in explanation.toward), reverse=True)
    assert all(s > 0 for _, s in explanation.toward)
    assert explanation.against is None or (explanation.against[0] in words and explanation.against[1] < 0)
    assert "alipay" in dict(explanation.toward)


def test_explanation_for_another_sector(default: Tagger) -> None:
    explanation = default.explain("Alipay wallets", sector="chips")
    assert explanation.against is not None and explanation.against[0] in {"alipay", "wallets"}


def test_explanation_at_word_level_with_character_features() -> None:
    explanation = tagger(name=REFERENCE).explain("Alipay wallets reach shoppers")
    assert explanation.toward and all(" " not in w for w, _ in explanation.toward)
    assert set(dict(explanation.toward)) <= {"alipay", "wallets", "reach", "shoppers"}


def test_explanation_of_nothing(default: Tagger) -> None:
    assert default.explain("") == Explanation([], None)
    assert str(default.explain("🚗 新能源")) == ""


def test_explanation_text() -> None:
    assert str(Explanation([("nio", 0.3), ("deliveries", 0.1)], ("bank", -0.2))) == "+nio +deliveries \u2212bank"


def test_scores_match_pipeline(default: Tagger) -> None:
    texts = SMALL.texts[:10]
    expected = default.pipeline.predict_proba(texts)[:, [sorted(LABELS).index(x) for x in LABELS]]
    np.testing.assert_allclose(default.predict_proba(texts), expected, atol=1e-5)
