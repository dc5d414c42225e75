"""The sector lexicon: well-formed data, longest-match concepts, and concept features in the analyzer."""

from __future__ import annotations

import re

import pytest

from classifier import SECTORS
from classifier.lexicon import LEXICON, MAX_TERM_WORDS, TERM_WORDS, concepts
from classifier.text import CONCEPT, HeadlineAnalyzer


def test_lexicon_covers_the_four_sectors_and_no_term_twice() -> None:
    assert set(LEXICON) == set(SECTORS)
    seen: dict[str, str] = {}
    for sector, terms in LEXICON.items():
        assert len(terms) >= 100, sector
        for term in terms:
            assert term not in seen, f"{term!r} is under {seen.get(term)} and {sector}"
            seen[term] = sector
            assert term == term.lower() and re.fullmatch(r"[^\W_]+(?: [^\W_]+)*", term), term
            assert 1 <= len(term.split()) <= MAX_TERM_WORDS, term


@pytest.mark.parametrize("name", ["xiaomi", "huawei", "alibaba", "tencent", "meituan", "didi", "bank", "delivery"])
def test_ambiguous_names_are_not_in_the_lexicon(name: str) -> None:
    assert all(name not in terms for terms in LEXICON.values())


def test_concepts_take_the_longest_term_once() -> None:
    assert concepts("contemporary amperex technology posts record profit".split()) == ["ev"]
    assert concepts(["tsmc", "and", "smic"]) == ["chips", "chips"]
    assert concepts(["nothing", "here"]) == []


def test_analyzer_emits_one_concept_feature_per_term() -> None:
    features = HeadlineAnalyzer(lexicon=True)("TSMC's Arizona fab ships to Nvidia as Temu sellers wait")
    found = sorted(f for f in features if f.startswith(CONCEPT))
    assert found == [CONCEPT + "chips"] * 3 + [CONCEPT + "ecommerce"]  # tsmc, fab, nvidia; temu
    assert not [f for f in HeadlineAnalyzer()("TSMC ships") if f.startswith(CONCEPT)]


def test_term_words_let_explanations_find_the_matched_words() -> None:
    assert "tsmc" in TERM_WORDS["chips"] and "temu" in TERM_WORDS["ecommerce"]
