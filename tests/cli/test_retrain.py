"""Retraining from people's labels behind a gate: a worse model stays out, a better one comes in, rollback."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from classifier.corpus import read_corpus
from classifier.current import current_id
from headlines.cli import main
from headlines.gate import is_held_out
from headlines.models import people_labels, training_sets
from store import LabelEvent, NewHeadline, Query, open_store
from tests.conftest import SMALL_CORPUS

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def shuffled(tmp_path: Path) -> Path:
    """The small corpus with its labels shuffled: a model trained on it is plainly worse."""
    corpus = read_corpus(SMALL_CORPUS)
    labels = corpus.labels[:]
    random.Random(1).shuffle(labels)
    path = tmp_path / "shuffled.csv"
    path.write_text("headline,sector\n" + "".join(f'"{t}",{y}\n' for t, y in zip(corpus.texts, labels, strict=True)))
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    with open_store(path) as store:
        store.add([NewHeadline("Chipmaker opens a fab near Dresden", "https://x.test/1", "s"),
                   NewHeadline("Wallet app adds offline payments", "https://x.test/2", "s")], T0)
        store.add_labels([LabelEvent("https://x.test/1", "chips", "review", "ana")])
    return path


def run(tmp_path: Path, db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), "--models-dir", str(tmp_path / "m"), *args],
                              catch_exceptions=False)


def test_the_gate_keeps_a_worse_model_out_and_force_and_rollback_work(tmp_path: Path, db: Path,
                                                                      shuffled: Path) -> None:
    first = run(tmp_path, db, "train", "--data", str(SMALL_CORPUS))
    assert first.exit_code == 0, first.output
    good = current_id(tmp_path / "m")
    worse = run(tmp_path, db, "train", "--data", str(shuffled))
    assert "The current model stays" in worse.stdout and "held-out set" in worse.stdout
    assert current_id(tmp_path / "m") == good
    listing = run(tmp_path, db, "models").stdout.splitlines()
    assert len(listing) == 3 and listing[1].startswith("* ") and "kept out" in listing[2]
    kept_out = listing[2].split()[0]
    forced = run(tmp_path, db, "train", "--data", str(shuffled), "--force")
    assert "The current model stays" not in forced.stdout and current_id(tmp_path / "m") not in (good, kept_out)
    back = run(tmp_path, db, "models", "use", str(good))
    assert back.exit_code == 0 and current_id(tmp_path / "m") == good
    with open_store(db, "read") as store:
        rows = {h.url: h for h in store.query(Query(order="id"))}
    assert rows["https://x.test/2"].model_id == good  # re-tagged with the model made current
    assert (rows["https://x.test/1"].label, rows["https://x.test/1"].label_via) == ("chips", "review")


def test_a_better_model_passes_the_gate(tmp_path: Path, db: Path, shuffled: Path) -> None:
    assert run(tmp_path, db, "train", "--data", str(shuffled)).exit_code == 0
    worse = current_id(tmp_path / "m")
    better = run(tmp_path, db, "train", "--data", str(SMALL_CORPUS))
    assert "The current model stays" not in better.stdout
    assert current_id(tmp_path / "m") != worse


def test_a_persons_label_wins_over_the_corpus_and_held_out_rows_are_never_trained_on(db: Path) -> None:
    corpus = read_corpus(SMALL_CORPUS)
    text = corpus.texts[0]
    with open_store(db) as store:
        store.add([NewHeadline(text, "https://x.test/3", "s")], T0)
        store.add_labels([LabelEvent("https://x.test/3", "other", "review", "ana")])
        labeled = people_labels(store)
    assert sorted(labeled.texts) == sorted(["Chipmaker opens a fab near Dresden", text])
    trained, held_corpus, held_labels = training_sets(corpus, labeled)
    pairs = list(zip(trained.texts, trained.labels, strict=True))
    if not is_held_out(text):
        assert (text, "other") in pairs and (text, corpus.labels[0]) not in pairs
    assert not any(is_held_out(t) for t in trained.texts)
    assert all(is_held_out(t) for t in held_corpus.texts + held_labels.texts)
    assert len(trained) + len(held_corpus) + len(held_labels) == len(corpus) + 1  # the same text counted once
