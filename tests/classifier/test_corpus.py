"""The corpus reader and the checks that keep bad rows out of training, on written inputs and the real corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from classifier import LABELS, SECTORS
from classifier.corpus import DEFAULT_CORPUS, CorpusError, corpus_problems, near_duplicates, read_corpus

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "small.csv"
HOLDOUT = DEFAULT_CORPUS.with_name("holdout.csv")


def write(tmp_path: Path, body: str | bytes) -> Path:
    path = tmp_path / "c.csv"
    if isinstance(body, str):
        path.write_text(body, encoding="utf-8")
    else:
        path.write_bytes(body)
    return path


def test_reads_the_small_fixture() -> None:
    corpus = read_corpus(SMALL)
    assert len(corpus) == 100 and Counter(corpus.labels) == {label: 20 for label in LABELS}
    assert len(corpus.sha256) == 64 and corpus.path == SMALL
    assert corpus_problems(corpus) == []


def test_bom_and_quoted_commas(tmp_path: Path) -> None:
    corpus = read_corpus(write(tmp_path, '\ufeffheadline,sector\n"BYD, Tesla race",ev\n'))
    assert corpus.texts == ["BYD, Tesla race"] and corpus.labels == ["ev"]


@pytest.mark.parametrize(("body", "message"), [
    ("title,label\nx,ev\n", "c.csv:1: the header must be 'headline,sector'"),
    ("headline,sector\na,ev\nb,ev,extra\n", "c.csv:3: expected 2 columns"),
    (b"headline,sector\nok,ev\n\xff,ev\n", "c.csv:3: not UTF-8"),
])
def test_unreadable_corpora_name_file_and_line(tmp_path: Path, body: str | bytes, message: str) -> None:
    with pytest.raises(CorpusError, match=message.replace(".", r"\.")):
        read_corpus(write(tmp_path, body))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="cannot read"):
        read_corpus(tmp_path / "absent.csv")


def test_problems_one_message_each(tmp_path: Path) -> None:
    corpus = read_corpus(write(tmp_path, (
        "headline,sector\n"
        "Nio opens battery swap station in Norway,ev\n"   # 2
        "Alipay adds new wallet,payments\n"                # 3 unknown label
        "   ,other\n"                                      # 4 empty
        "NIO opens battery swap station in  norway,ev\n"   # 5 duplicate of 2 (case, spaces)
        "Xpeng sells 10000 cars in March amid price war,ev\n"    # 6
        "Xpeng sells 12500 cars in March amid price war,ev\n"    # 7 near-duplicate of 6
        "Xpeng sells more cars,ev\n"                       # 8 different enough
    )))
    problems = corpus_problems(corpus)
    assert len(problems) == 4, problems
    assert "c.csv:3: unknown label 'payments'" in problems[0]
    assert "c.csv:4: empty headline" in problems[1]
    assert "c.csv:5: duplicate of line 2" in problems[2]
    assert "c.csv:7: near-duplicate of line 6" in problems[3]


def test_near_duplicates_uses_word_overlap() -> None:
    texts = ["a b c d e f g h i j", "a b c d e f g h i k", "a b c x y z", ""]
    assert near_duplicates(texts) == [(0, 1)]


def _real(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"{path.name} is not in classifier/data yet")
    return path


def test_real_corpus_is_clean_and_large_enough() -> None:
    corpus = read_corpus(_real(DEFAULT_CORPUS))
    assert corpus_problems(corpus) == []
    counts = Counter(corpus.labels)
    assert len(corpus) >= 3500
    assert all(counts[sector] >= 500 for sector in SECTORS), counts
    assert counts["other"] >= 1200, counts


def test_holdout_is_clean_and_disjoint_from_the_corpus() -> None:
    holdout = read_corpus(_real(HOLDOUT))
    assert corpus_problems(holdout) == []
    corpus = read_corpus(_real(DEFAULT_CORPUS))
    both = corpus.texts + holdout.texts
    leaks = [(i, j - len(corpus)) for i, j in near_duplicates(both) if i < len(corpus) <= j]
    assert leaks == [], f"{len(leaks)} holdout headlines (near-)duplicate corpus headlines"
