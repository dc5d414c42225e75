"""The crawl's end of the tagging process, before the reactor takes its pipes: a child that cannot serve."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from twisted.python.failure import Failure

from crawler import tagging
from crawler.tagging import TaggingChild, TaggingProcessEnded


def test_a_tagging_process_that_ends_at_once_is_said_at_load(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setattr(tagging, "command", lambda models: [sys.executable, "-c", "import sys; sys.exit(3)"])
    child = TaggingChild(tmp_path)
    with pytest.raises(TaggingProcessEnded, match="the tagging process ended with exit code 3"):
        child.load()
    failures: list[Failure] = []
    child.tag(["A headline"]).addErrback(failures.append)  # later batches fail at once, without waiting
    assert [f.check(TaggingProcessEnded) for f in failures] == [TaggingProcessEnded]
    assert child.pipes is None and child.process.returncode == 3
