"""The store under test: every backend runs the same suite through the `Store` interface."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store, open_store

BACKENDS = ["sqlite"]


def location(backend: str, tmp_path: Path) -> str:
    """A fresh, empty store location of one backend."""
    if backend == "sqlite":
        return str(tmp_path / "sub" / "h.sqlite3")
    raise AssertionError(backend)


@pytest.fixture(params=BACKENDS)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return location(request.param, tmp_path)


@pytest.fixture
def store(where: str) -> Iterator[Store]:
    with open_store(where) as opened:
        yield opened
