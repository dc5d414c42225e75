"""The store under test: every backend runs the same suite through the `Store` interface.

The PostgreSQL half needs a server: set HEADLINES_TEST_POSTGRES to a libpq URL of a database the tests
may use (`eval "$(.ci/services)"` starts one on 127.0.0.1). Without it those tests are skipped, and
the skip says why; with HEADLINES_REQUIRE_SERVERS=1 (as in CI) a missing server fails them instead, so
the suite can never pass on SQLite alone where PostgreSQL was meant to be tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store, open_store

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def where(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store location of one backend."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return str(tmp_path / "sub" / "h.sqlite3")


@pytest.fixture
def store(where: str) -> Iterator[Store]:
    with open_store(where) as opened:
        yield opened
