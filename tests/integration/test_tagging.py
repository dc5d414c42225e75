"""The classifier inside the crawl: headlines are stored tagged; retag replaces tags but never labels."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from classifier import LABELS
from store import StoredHeadline, open_store
from tests.conftest import Server, run_headlines, train_small
from tests.integration.test_crawl import TITLES, list_page, source

Crawl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def models(tmp_path: Path, small_models: Path) -> Path:
    return Path(shutil.copytree(small_models, tmp_path / "models"))


def stored(tmp_path: Path) -> list[StoredHeadline]:
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        return list(store.query())


def test_crawl_stores_tags_from_the_current_model(server: Server, crawl: Crawl, tmp_path: Path,
                                                  models: Path) -> None:
    done = crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))), classify=True)
    assert done.returncode == 0, done.stderr[-3000:]
    current = (models / "CURRENT").read_text().strip()
    rows = stored(tmp_path)
    assert len(rows) == len(TITLES)
    for row in rows:
        assert row.sector in LABELS and row.confidence is not None and 0.0 <= row.confidence <= 1.0, row.title
        assert row.tags[0] == row.sector and set(row.tags) <= set(LABELS)
        assert row.model_id == current


def test_retag_tags_what_a_crawl_stored_untagged(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))))  # stored untagged
    assert all(row.sector is None for row in stored(tmp_path))
    model_id = train_small(tmp_path / "models")
    done = run_headlines("--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(tmp_path / "models"), "retag")
    assert done.returncode == 0, done.stderr
    assert f"{len(TITLES)} headlines re-tagged" in done.stderr
    assert all(row.sector in LABELS and row.model_id == model_id for row in stored(tmp_path))


def test_a_crawl_with_a_tampered_model_stores_untagged_and_exits_5(server: Server, crawl: Crawl, tmp_path: Path,
                                                                 models: Path) -> None:
    current = (models / "CURRENT").read_text().strip()
    with (models / current / "model.joblib").open("ab") as f:
        f.write(b"tampered")
    done = crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))), classify=True)
    assert done.returncode == 5, done.stderr[-3000:]
    assert "headlines were stored untagged" in done.stdout and "SHA-256" in done.stdout
    assert "Traceback" not in done.stderr
    rows = stored(tmp_path)
    assert len(rows) == len(TITLES) and all(row.sector is None for row in rows)
