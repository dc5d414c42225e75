"""The model registry: round trip, determinism, and the refusals that keep untrusted pickles unloaded."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import joblib
import pytest
from sklearn.exceptions import InconsistentVersionWarning

from classifier import LABELS
from classifier.corpus import CorpusError, read_training_corpus
from classifier.registry import (
    CURRENT_FILE,
    METADATA_FILE,
    MODEL_FILE,
    CurrentModel,
    ModelMissing,
    ModelTampered,
    ModelVersionMismatch,
    current_id,
    list_models,
    load_current,
    promote,
    save,
)
from classifier.tagger import Tagger
from classifier.training import train
from headlines.models import ensure_model
from tests.conftest import SMALL_CORPUS as SMALL


def train_model(corpus: Path, models: Path) -> Tagger:
    """Train, save and promote, as `headlines train` does."""
    return promote(models, save(train(read_training_corpus(corpus)), models).model_id)

HEADLINES = ["BYD raises prices of electric cars", "SMIC expands wafer output", "Alipay launches wallet",
             "Temu sales climb", "Tencent releases new game"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    models = tmp_path_factory.mktemp("models")
    train_model(SMALL, models)
    return models


@pytest.fixture
def models(trained: Path, tmp_path: Path) -> Path:
    """A private copy of the trained registry that a test may damage."""
    return Path(shutil.copytree(trained, tmp_path / "models"))


def model_dir(models: Path) -> Path:
    return models / (models / CURRENT_FILE).read_text().strip()


def test_round_trip_predicts_the_same(trained: Path, tmp_path: Path) -> None:
    fresh = train_model(SMALL, tmp_path / "m")
    loaded = load_current(tmp_path / "m")
    assert loaded.model_id == fresh.model_id
    assert [p.sector for p in loaded.predict(HEADLINES)] == [p.sector for p in fresh.predict(HEADLINES)]
    assert loaded.predict_proba(HEADLINES) == pytest.approx(fresh.predict_proba(HEADLINES))


def test_metadata_records_what_is_needed(trained: Path) -> None:
    meta = json.loads((model_dir(trained) / METADATA_FILE).read_text())
    for key in ("id", "created", "python", "scikit_learn", "joblib", "corpus", "labels", "parameters", "metrics",
                "thresholds", "model_sha256"):
        assert key in meta, key
    assert meta["labels"] == list(LABELS)
    assert meta["corpus"]["size"] == 100 and len(meta["corpus"]["sha256"]) == 64
    assert set(meta["metrics"]["recall"]) == set(LABELS) and 0 <= meta["metrics"]["macro_f1"] <= 1
    assert set(meta["thresholds"]) == set(LABELS[:-1])
    assert meta["parameters"]["model__estimator__class_weight"] == "balanced"


def test_training_is_deterministic(trained: Path, tmp_path: Path) -> None:
    again = train_model(SMALL, tmp_path / "m")
    first = json.loads((model_dir(trained) / METADATA_FILE).read_text())
    assert again.metadata["metrics"] == first["metrics"]
    assert again.metadata["thresholds"] == first["thresholds"]


def test_each_training_makes_a_new_current_model(models: Path) -> None:
    old = model_dir(models).name
    new = train_model(SMALL, models)
    assert new.model_id != old and load_current(models).model_id == new.model_id
    listed = list_models(models)
    assert [m["id"] for m in listed] == [old, new.model_id]
    assert [m["current"] for m in listed] == [False, True]


def test_tampered_model_is_refused(models: Path) -> None:
    with (model_dir(models) / MODEL_FILE).open("ab") as f:
        f.write(b"\0")
    with pytest.raises(ModelTampered, match="SHA-256.*headlines train"):
        load_current(models)


def test_other_scikit_learn_version_is_refused(models: Path) -> None:
    path = model_dir(models) / METADATA_FILE
    meta = json.loads(path.read_text())
    meta["scikit_learn"] = "1.5.0"
    path.write_text(json.dumps(meta))
    with pytest.raises(ModelVersionMismatch, match="scikit-learn 1.5.0.*headlines train"):
        load_current(models)


def test_pickle_level_version_warning_is_refused(models: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def load(path: Path) -> object:
        warnings.warn(InconsistentVersionWarning(estimator_name="LinearSVC", current_sklearn_version="1.9.1",
                                                 original_sklearn_version="1.5.0"), stacklevel=1)
        return None

    monkeypatch.setattr(joblib, "load", load)
    with pytest.raises(ModelVersionMismatch, match="headlines train"):
        load_current(models)


@pytest.mark.parametrize("current", ["../elsewhere", "/etc", "a/b", ""])
def test_current_cannot_point_outside_the_models_dir(models: Path, current: str) -> None:
    (models / CURRENT_FILE).write_text(current)
    with pytest.raises(ModelTampered, match="invalid model id"):
        load_current(models)


def test_symlinked_model_outside_is_refused(models: Path, tmp_path: Path) -> None:
    folder = model_dir(models)
    outside = tmp_path / "outside.joblib"
    shutil.move(folder / MODEL_FILE, outside)
    (folder / MODEL_FILE).symlink_to(outside)
    with pytest.raises(ModelTampered, match="outside"):
        load_current(models)


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="headlines train"):
        load_current(tmp_path)
    (tmp_path / CURRENT_FILE).write_text("20260101-000000-abc")
    with pytest.raises(ModelMissing, match="headlines train"):
        load_current(tmp_path)


def test_saving_a_candidate_does_not_make_it_current(models: Path) -> None:
    current = current_id(models)
    saved = save(train(read_training_corpus(SMALL)), models)
    assert current_id(models) == current != saved.model_id
    assert [m["current"] for m in list_models(models)] == [True, False]
    assert promote(models, saved.model_id).model_id == saved.model_id == current_id(models)


def test_a_broken_model_is_never_promoted(models: Path) -> None:
    saved = save(train(read_training_corpus(SMALL)), models)
    with (models / saved.model_id / MODEL_FILE).open("ab") as f:
        f.write(b"\0")
    before = current_id(models)
    with pytest.raises(ModelTampered):
        promote(models, saved.model_id)
    assert current_id(models) == before


def test_the_current_model_follows_a_promotion_without_a_restart(models: Path) -> None:
    holder = CurrentModel(models)
    first = holder.get()
    assert holder.get() is first  # unchanged CURRENT: the loaded model is kept
    newer = save(train(read_training_corpus(SMALL)), models)
    assert holder.get() is first  # saved, not promoted
    promote(models, newer.model_id)
    assert holder.get().model_id == newer.model_id


def test_evaluating_on_the_training_corpus_cross_validates_a_clone_of_the_saved_pipeline(trained: Path) -> None:
    from classifier.corpus import read_corpus
    from classifier.training import evaluate_tagger

    tagger = load_current(trained)
    fitted = tagger.pipeline.named_steps["model"].calibrated_classifiers_
    evaluation = evaluate_tagger(tagger, read_corpus(SMALL))
    assert "cross-validation" in evaluation.source and evaluation.size == 100
    assert evaluation.macro_f1 == tagger.metadata["metrics"]["macro_f1"]
    assert tagger.pipeline.named_steps["model"].calibrated_classifiers_ is fitted  # the saved model is untouched


def test_first_use_trains_once_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    said: list[str] = []
    ensure_model(tmp_path / "m", progress=said.append, corpus_paths=(SMALL,))
    assert "No model" in said[0] and "training" in said[0]
    first = current_id(tmp_path / "m")
    said.clear()
    ensure_model(tmp_path / "m", progress=said.append, corpus_paths=(SMALL,))
    assert current_id(tmp_path / "m") == first and said == []


def test_first_use_does_not_replace_a_refused_model(models: Path) -> None:
    with (model_dir(models) / MODEL_FILE).open("ab") as f:
        f.write(b"\0")
    before = current_id(models)
    ensure_model(models, corpus_paths=(SMALL,))
    assert current_id(models) == before
    with pytest.raises(ModelTampered):
        load_current(models)


def test_corpus_with_unknown_labels_is_not_trained(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(SMALL.read_text() + "Robots take over,robots\n")
    with pytest.raises(CorpusError, match="bad.csv:102: unknown label 'robots'"):
        read_training_corpus(bad)
    assert not (tmp_path / "m" / CURRENT_FILE).exists()
