"""The default model on what real streams hold: cue words out of context, kickers, other scripts.

Fitted once on the project's corpora (English and Chinese). The probes in tests/fixtures/classifier/probes.csv
each put one cue that misled earlier models into a context of no sector (they must come out `other`), or a
sector's name among market words (it must keep its sector).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.corpus import DEFAULT_CORPORA, read_corpus, read_training_corpus
from classifier.decide import STREAM_PRIOR, label_prior
from classifier.pipeline import build_pipeline
from classifier.tagger import Tagger

PROBES = read_corpus(Path(__file__).resolve().parents[1] / "fixtures" / "classifier" / "probes.csv")


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    if not all(path.is_file() for path in DEFAULT_CORPORA):
        pytest.skip("the corpora are not in classifier/data")
    corpus = read_training_corpus(*DEFAULT_CORPORA)
    pipeline = build_pipeline().fit(corpus.texts, corpus.labels)
    metadata = {"id": "streams", "thresholds": {}, "train_prior": label_prior(corpus.labels).tolist(),
                "prior": list(STREAM_PRIOR)}
    return Tagger(pipeline, metadata)


@pytest.mark.parametrize(("text", "sector"), list(zip(PROBES.texts, PROBES.labels, strict=True)))
def test_cue_probes(tagger: Tagger, text: str, sector: str) -> None:
    assert tagger.predict([text])[0].sector == sector


KICKED = [
    ("Exclusive: BYD to build a plant in Brazil - Reuters", "BYD to build a plant in Brazil"),
    ("BREAKING: Foundry orders for mature nodes pick up | TechNode", "Foundry orders for mature nodes pick up"),
    ("UPDATE 2-Payment app caps fees charged to street vendors", "Payment app caps fees charged to street vendors"),
    ("【独家】拼多多调整商家保证金规则", "拼多多调整商家保证金规则"),
    ("财联社11月3日电，宁德时代发布新一代电池", "宁德时代发布新一代电池"),
]


@pytest.mark.parametrize(("kicked", "plain"), KICKED)
def test_kickers_and_publishers_change_no_prediction(tagger: Tagger, kicked: str, plain: str) -> None:
    assert tagger.predict_proba([kicked]).tolist() == tagger.predict_proba([plain]).tolist()


@pytest.mark.parametrize("text", ["2026", "삼성전자 3분기 실적 발표", "ประเทศไทยเปิดตัวรถยนต์ไฟฟ้า", "Пресс-релиз компании",
                                  "Zyxqv Grelk Vormund"])
def test_headlines_the_model_knows_nothing_of_get_low_confidence(tagger: Tagger, text: str) -> None:
    (prediction,) = tagger.predict([text])
    assert prediction.confidence < 0.5 and prediction.margin < 0.3, prediction
