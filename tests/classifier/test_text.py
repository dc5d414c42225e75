"""The headline analyzer: what it folds together, and that it survives cloning and pickling."""

from __future__ import annotations

import pickle

import pytest
from sklearn.base import clone

from classifier.pipeline import build_pipeline
from classifier.text import HeadlineAnalyzer, stem


@pytest.mark.parametrize(("word", "expected"), [
    ("chips", "chip"), ("batteries", "battery"), ("deliveries", "delivery"), ("makes", "make"),
    ("bus", "bus"), ("glass", "glass"), ("nio", "nio"), ("its", "its"), ("phones", "phone"),
])
def test_stem_folds_plurals(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_numbers_currencies_and_percentages_become_placeholders() -> None:
    tokens = HeadlineAnalyzer(bigrams=False).tokens("BYD sold 21,000 cars in 2024, up 35% to $1.2bn")
    assert tokens == ["byd", "sold", "<num>", "car", "in", "<year>", "up", "<pct>", "to", "<cur>", "<num>",
                      "billion"]


def test_digits_split_from_letters_and_case_folded() -> None:
    assert HeadlineAnalyzer(bigrams=False).tokens("SMIC’s 7nm CHIPS") == ["smic", "<num>", "nm", "chip"]


def test_bigrams_and_prefixes() -> None:
    features = HeadlineAnalyzer(bigrams=True, prefixes=(3, 5))("Chipmakers export chips")
    assert features == ["chipmaker", "export", "chip", "chipmaker export", "export chip",
                        "chi~", "exp~", "chi~", "chipm~", "expor~"]  # "chip" is too short for 5


def test_words_keep_surface_forms() -> None:
    assert HeadlineAnalyzer().words("Nio deliveries") == [("nio", "nio"), ("deliveries", "delivery")]


@pytest.mark.parametrize("text", ["", "   ", "🚗🔋", "新能源汽车销量", "x" * 100_000])
def test_odd_input_does_not_fail(text: str) -> None:
    assert isinstance(HeadlineAnalyzer(prefixes=(3, 5))(text), list)


def test_analyzer_pickles_by_value_without_its_cache() -> None:
    analyzer = HeadlineAnalyzer(prefixes=(4,))
    analyzer("chips and batteries")
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer and copy._cache == {}
    assert copy("chips and batteries") == analyzer("chips and batteries")


def test_pipeline_clones_with_equal_parameters() -> None:
    pipeline = build_pipeline()
    cloned = clone(pipeline)
    assert repr(cloned.get_params()["features__analyzer"]) == repr(pipeline.get_params()["features__analyzer"])
    cloned.set_params(features__analyzer=HeadlineAnalyzer(prefixes=()))
    assert pipeline.get_params()["features__analyzer"].prefixes == (3, 5)
