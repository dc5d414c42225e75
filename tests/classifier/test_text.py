"""The headline analyzer: what it folds together, and that it survives cloning and pickling."""

from __future__ import annotations

import pickle

import pytest
from sklearn.base import clone

from classifier.pipeline import build_pipeline
from classifier.text import HeadlineAnalyzer, stem, strip_kickers


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


def test_a_letter_joined_by_a_hyphen_stays_one_word() -> None:
    tokens = HeadlineAnalyzer(bigrams=False).tokens("E-sports league, e-commerce and the e-CNY; Series E")
    assert tokens == ["e-sport", "league", "e-commerce", "and", "the", "e-cny", "sery", "e"]
    assert "e" not in HeadlineAnalyzer(bigrams=False).tokens("E-sports finals")


def test_chinese_text_becomes_character_ngrams_in_simplified_script() -> None:
    analyzer = HeadlineAnalyzer(bigrams=False, cjk=(1, 2))
    expected = ["台", "积", "电", "扩", "产", "台积", "积电", "电扩", "扩产"]
    assert sorted(analyzer("臺積電擴產")) == sorted(analyzer("台积电扩产")) == sorted(expected)
    assert HeadlineAnalyzer(bigrams=False)("台积电") == ["台积电"]  # without cjk a run stays one token


@pytest.mark.parametrize(
    ("decorated", "plain"),
    [
        ("Exclusive: BYD to build a plant in Brazil - Reuters", "BYD to build a plant in Brazil"),
        ("UPDATE 2-Alipay adds a wallet for tourists | TechNode", "Alipay adds a wallet for tourists"),
        ("BREAKING: SMIC shares jump on record orders", "SMIC shares jump on record orders"),
        ("Analysis: why Temu's sellers are leaving (Reuters)", "why Temu's sellers are leaving"),
        ("【快讯】比亚迪10月销量同比增长", "比亚迪10月销量同比增长"),
        ("财联社11月3日电，宁德时代发布新一代电池", "宁德时代发布新一代电池"),
        ("科技丨拼多多推出新功能 | 界面新闻", "拼多多推出新功能"),
    ],
)
def test_kickers_and_publisher_suffixes_are_stripped(decorated: str, plain: str) -> None:
    assert strip_kickers(decorated) == plain


@pytest.mark.parametrize("text", ["BYD vs Tesla - Who Wins", "Xiaomi - the car", "Update", "【】"])
def test_stripping_never_takes_the_headline_itself(text: str) -> None:
    assert strip_kickers(text).strip()
    assert strip_kickers("BYD vs Tesla - Who Wins") == "BYD vs Tesla - Who Wins"  # 3 words would be left
