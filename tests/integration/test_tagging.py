"""The classifier inside the crawl: headlines are stored tagged; retag replaces tags but never labels."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from classifier import LABELS
from classifier.registry import train_model
from crawler.store import SQLiteStore
from tests.conftest import FIXTURES, Server, run_headlines
from tests.integration.test_crawl import TITLES, list_page, source

Crawl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def models(tmp_path: Path) -> Path:
    train_model(FIXTURES / "classifier" / "small.csv", tmp_path / "models")
    return tmp_path / "models"


def tagged(tmp_path: Path) -> list[tuple[str, str, float, str, str]]:
    db = sqlite3.connect(tmp_path / "h.sqlite3")
    return db.execute("SELECT title, sector, confidence, tags, model_id FROM headlines ORDER BY id").fetchall()


def test_crawl_stores_tags_from_the_current_model(server: Server, crawl: Crawl, tmp_path: Path,
                                                  models: Path) -> None:
    done = crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))), classify=True)
    assert done.returncode == 0, done.stderr[-3000:]
    current = (models / "CURRENT").read_text().strip()
    rows = tagged(tmp_path)
    assert len(rows) == len(TITLES)
    for title, sector, confidence, tags, model_id in rows:
        assert sector in LABELS and 0.0 <= confidence <= 1.0, title
        assert tags.split(";")[0] == sector and set(tags.split(";")) <= set(LABELS)
        assert model_id == current


def test_retag_replaces_tags_and_leaves_labels_alone(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))))  # stored untagged
    store = SQLiteStore(tmp_path / "h.sqlite3")
    first_url = next(store.export_rows())["url"]
    store.set_label(str(first_url), "fintech")
    store.close()
    train_model(FIXTURES / "classifier" / "small.csv", tmp_path / "models")
    done = run_headlines("--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(tmp_path / "models"), "retag")
    assert done.returncode == 0, done.stderr
    assert f"{len(TITLES)} headlines re-tagged" in done.stderr
    rows = tagged(tmp_path)
    assert all(sector in LABELS and model_id for _, sector, _, _, model_id in rows)
    labels = sqlite3.connect(tmp_path / "h.sqlite3").execute("SELECT url, label FROM headlines").fetchall()
    assert dict(labels) == {**{url: None for url, _ in labels}, first_url: "fintech"}
