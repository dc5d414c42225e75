"""The corpus reader and the checks that keep bad rows out of training, on written inputs and the real corpus."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from classifier import LABELS, SECTORS
from classifier.corpus import DATA, CorpusError, corpus_problems, near_duplicates, read_corpus

SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "small.csv"


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


TRAINING = ("headlines.csv", "headlines-zh.csv")
HOLDOUTS = ("holdout.csv", "holdout-zh.csv", "stream-holdout.csv", "stream-holdout-zh.csv")


@pytest.mark.parametrize("name", TRAINING + HOLDOUTS)
def test_every_data_file_is_clean(name: str) -> None:
    assert corpus_problems(read_corpus(_real(DATA / name))) == []


@pytest.mark.parametrize(("name", "size", "per_sector"),
                         [("headlines.csv", 10_000, 1000), ("headlines-zh.csv", 4000, 600)])
def test_training_corpora_are_large_enough(name: str, size: int, per_sector: int) -> None:
    counts = Counter(read_corpus(_real(DATA / name)).labels)
    assert sum(counts.values()) >= size and all(counts[s] >= per_sector for s in SECTORS), counts


@pytest.mark.parametrize("name", ["stream-holdout.csv", "stream-holdout-zh.csv"])
def test_stream_holdouts_are_mostly_other(name: str) -> None:
    counts = Counter(read_corpus(_real(DATA / name)).labels)
    assert counts["other"] >= 0.8 * sum(counts.values()) and sum(counts.values()) >= 800, counts


def test_no_holdout_row_echoes_a_training_row() -> None:
    training = [t for name in TRAINING for t in read_corpus(_real(DATA / name)).texts]
    held = [t for name in HOLDOUTS for t in read_corpus(_real(DATA / name)).texts]
    leaks = [(i, j) for i, j in near_duplicates(training + held, 0.5) if i < len(training) <= j]
    assert leaks == [], f"{len(leaks)} holdout headlines echo training headlines"


def test_near_duplicates_in_chinese_compare_character_pairs() -> None:
    texts = ["比亚迪十月销量同比增长百分之三十", "比亚迪十一月销量同比增长百分之三十", "宁德时代在匈牙利建设电池工厂"]
    assert near_duplicates(texts) == [(0, 1)]
