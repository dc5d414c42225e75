"""The tagging child's side of the protocol, through real pipes to a real `python -m classifier.offload`."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from classifier.errors import ModelMissing, TaggingError
from classifier.offload import (
    LOAD,
    TAG,
    InProcessTagging,
    Tagged,
    child_environment,
    command,
    frame,
    read_frame,
    reply,
)
from classifier.registry import load_current
from tests.conftest import train_small

TITLES = ["SMIC expands 28nm wafer output at its fab", "Alipay adds tap-to-pay for foreign cards",
          "BYD opens a battery plant in Hungary", "Rain expected in Beijing this weekend"]


def ask(requests: list[tuple[str, object]], models: Path) -> list[tuple[bool, object]]:
    """Send requests to a child process, close its input, and read every reply."""
    child = subprocess.run(command(models), input=b"".join(frame(r) for r in requests), capture_output=True,
                           env=child_environment(), timeout=120, check=True)
    stream = io.BytesIO(child.stdout)
    replies = []
    while (answer := read_frame(stream)) is not None:
        replies.append(answer)
    return replies


def test_the_child_answers_in_order_with_the_models_own_tags(small_models: Path) -> None:
    (loaded, tagged, empty) = ask([(LOAD, None), (TAG, TITLES), (TAG, [])], small_models)
    tagger = load_current(small_models)
    expected = tagger.predict(TITLES)  # the model itself, in this process
    assert loaded == (True, tagger.model_id)
    ok, value = tagged
    assert ok and isinstance(value, Tagged) and value.model_id == tagger.model_id
    assert [t.sector for t in value.tags] == [p.sector for p in expected]
    assert [t.tags for t in value.tags] == [p.tags for p in expected]
    assert [t.confidence for t in value.tags] == [round(p.confidence, 4) for p in expected]
    assert [t.margin for t in value.tags] == [round(p.margin, 4) for p in expected]
    assert empty == (True, Tagged(tagger.model_id, []))


def test_faults_are_answered_and_the_child_keeps_serving(tmp_path: Path, small_models: Path) -> None:
    models = tmp_path / "models"
    replies = ask([(LOAD, None), ("explode", None), (TAG, TITLES)], models)  # no model yet
    assert [ok for ok, _ in replies] == [False, False, False]
    assert isinstance(replies[0][1], ModelMissing) and "no model in" in str(replies[0][1])
    assert isinstance(replies[1][1], TaggingError) and "unknown request 'explode'" in str(replies[1][1])
    assert isinstance(replies[2][1], ModelMissing)
    shutil.copytree(small_models, models)  # a model appears: the next batch uses it, without a restart
    (answer,) = ask([(TAG, TITLES)], models)
    assert answer[0] is True


class Failing:
    model_id = "failing"

    def predict(self, titles: list[str]) -> list[object]:
        raise ArithmeticError("a broken model")


def test_a_model_that_fails_on_a_batch_is_named_in_a_tagging_error(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    tagging = InProcessTagging(tmp_path)
    tagging.model.get = lambda: Failing()  # type: ignore[method-assign, assignment, return-value]
    ok, error = reply(tagging, (TAG, TITLES))
    assert ok is False and isinstance(error, TaggingError)
    assert str(error) == "tagging failed with model failing: ArithmeticError: a broken model"
    assert "ArithmeticError" in capsys.readouterr().err  # the traceback goes to the crawl's log


def test_a_promoted_model_is_used_from_the_next_batch(tmp_path: Path, small_models: Path) -> None:
    models = Path(shutil.copytree(small_models, tmp_path / "models"))
    tagging = InProcessTagging(models)
    first = tagging.tag(TITLES[:1]).model_id
    newer = train_small(models)
    assert first != newer and tagging.tag(TITLES[:1]).model_id == newer
