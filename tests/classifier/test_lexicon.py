"""The sector lexicon: well-formed data, longest-match concepts, and concept features in the analyzer."""

from __future__ import annotations

import re

import pytest

from classifier import SECTORS
from classifier.lexicon import LEXICON, LEXICON_ZH, MAX_TERM_WORDS, TERM_WORDS, concepts, concepts_zh
from classifier.script import to_simplified
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


def test_the_chinese_lexicon_is_well_formed() -> None:
    assert set(LEXICON_ZH) == set(SECTORS)
    seen: dict[str, str] = {}
    for sector, terms in LEXICON_ZH.items():
        assert len(terms) >= 200, sector
        for term in terms:
            simplified = to_simplified(term)
            assert seen.get(simplified, sector) == sector, f"{term!r} is under {seen[simplified]} and {sector}"
            seen[simplified] = sector
            assert len(term) >= 2 and re.search(r"[\u4e00-\u9fff]", term), term


@pytest.mark.parametrize("name", ["华为", "小米", "阿里巴巴", "腾讯", "美团", "滴滴", "外卖", "京东方", "电池", "银行"])
def test_ambiguous_chinese_names_are_not_in_the_lexicon(name: str) -> None:
    assert all(name not in terms for terms in LEXICON_ZH.values())


@pytest.mark.parametrize(
    ("text", "found"),
    [("比亚迪与宁德时代签约", ["ev", "ev"]), ("京东方发布新面板", []), ("京东上线新功能", ["ecommerce"]),
     ("京东外卖加大补贴", []), ("人民币安全边际", []), ("双11电商大促", ["ecommerce", "ecommerce"]),  # 双11, 电商大促
     ("中芯国际", ["chips"])],
)
def test_chinese_terms_match_longest_first_and_blocked_words_are_read_past(text: str, found: list[str]) -> None:
    assert concepts_zh(text) == found


def test_traditional_script_finds_the_same_terms() -> None:
    analyzer = HeadlineAnalyzer(lexicon=True, cjk=(1, 2))
    concepts_of = sorted(f for f in analyzer("臺積電與比亞迪合作") if f.startswith(CONCEPT))
    assert concepts_of == sorted(f for f in analyzer("台积电与比亚迪合作") if f.startswith(CONCEPT)) == [
        CONCEPT + "chips", CONCEPT + "ev"]


def _longest_first(tokens: list[str]) -> list[str]:
    """concepts() as its docstring defines it, written plainly: at each position the longest term wins."""
    from classifier.lexicon import _SECTOR_OF

    found, i = [], 0
    while i < len(tokens):
        for size in range(min(MAX_TERM_WORDS, len(tokens) - i), 0, -1):
            sector = _SECTOR_OF.get(" ".join(tokens[i:i + size]))
            if sector is not None:
                found.append(sector)
                i += size
                break
        else:
            i += 1
    return found


def test_concepts_match_the_plain_definition_on_random_token_runs() -> None:
    import random

    from classifier.lexicon import _SECTOR_OF

    words = sorted({w for term in _SECTOR_OF for w in term.split()}) + ["the", "of", "shares", "rise"]
    rng = random.Random(11)
    for _ in range(3000):
        tokens = rng.choices(words, k=rng.randrange(0, 14))
        if rng.random() < 0.5:  # plant a multi-word term
            term = rng.choice([t for t in _SECTOR_OF if " " in t]).split()
            at = rng.randrange(len(tokens) + 1)
            tokens[at:at] = term
        assert concepts(tokens) == _longest_first(tokens), tokens
