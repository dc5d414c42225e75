"""`headlines review` through a real pseudo-terminal (pexpect): keys, undo, quitting, a lost terminal, resuming."""

from __future__ import annotations

import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest

from store import Query, open_store
from tests.conftest import ROOT, tagged_store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
# url, title, model's sector, confidence, margin: the queue is least certain (smallest margin) first
ROWS = [
    ("https://x.test/a", "Wallet app and bank tie up on something", "fintech", 0.40, 0.05),
    ("https://x.test/b", "Payment app caps fees for street vendors", "fintech", 0.55, 0.10),
    ("https://x.test/c", "Parcel lockers spread across rural towns", "other", 0.62, 0.30),
    ("https://x.test/d", "Battery maker lines up sodium-ion packs", "ev", 0.91, 0.80),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tagged_store(tmp_path / "h.sqlite3", ROWS, T0)


def review(db: Path, tmp_path: Path) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "headlines", "--db", str(db), "--models-dir", str(tmp_path / "m"),
                                           "review", "--random", "0", "--reviewer", "ana"],
                          cwd=str(ROOT), encoding="utf-8", timeout=30, dimensions=(40, 160))
    return child


def labels(db: Path) -> dict[str, str | None]:
    with open_store(db, "read") as store:
        return {h.url.rsplit("/", 1)[1]: h.label for h in store.query(Query(include_hidden=True, order="id"))}


def test_keys_undo_and_the_summary(db: Path, tmp_path: Path) -> None:
    child = review(db, tmp_path)
    child.expect("4 headlines to review")
    child.expect(r"\[1/4\]")
    child.expect("Wallet app and bank")
    child.expect("pick 1-5")  # 0.40: the model's sector is shown, not offered
    child.send("\r")
    child.expect("not sure enough")
    child.send("2")  # fintech
    child.expect(r"\[2/4\].*Payment app caps fees")
    child.expect(r"\[Enter\] fintech")
    child.send("\r")  # accept the model's fintech
    child.expect(r"\[3/4\].*Parcel lockers")
    child.send("4")  # ecommerce
    child.expect(r"\[4/4\]")
    child.send("u")
    child.expect("undone: Parcel lockers")
    child.expect(r"\[3/4\].*Parcel lockers")
    child.send("x")  # not a headline after all
    child.expect(r"\[4/4\]")
    child.send("?")
    child.expect("not a headline")
    child.send("q")
    child.expect("3 headlines reviewed")
    child.expect(r"model said fintech\s+2 reviewed, right\s+2")
    child.expect(r"model said other\s+1 reviewed, right\s+0")
    child.expect(pexpect.EOF)
    assert labels(db) == {"a": "fintech", "b": "fintech", "c": "not_headline", "d": None}
    with open_store(db, "read") as store:
        history = store.label_history("https://x.test/c")
    assert [(e.label, e.via, e.reviewer) for e in history] == [
        ("ecommerce", "review", "ana"), (None, "undo", "ana"), ("not_headline", "review", "ana")]


def test_a_lost_terminal_loses_nothing_and_the_next_review_carries_on(db: Path, tmp_path: Path) -> None:
    child = review(db, tmp_path)
    child.expect(r"\[1/4\]")
    child.send("5")
    child.expect(r"\[2/4\]")
    child.send("s")  # skipped: still to review next time
    child.expect(r"\[3/4\]")
    child.kill(signal.SIGHUP)
    child.wait()
    assert labels(db) == {"a": "other", "b": None, "c": None, "d": None}
    again = review(db, tmp_path)
    again.expect("3 headlines to review")
    again.expect(r"\[1/3\].*Payment app caps fees")
    again.sendcontrol("c")
    again.expect("0 headlines reviewed")
    again.expect(pexpect.EOF)


def test_review_needs_a_terminal(db: Path, tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run([sys.executable, "-m", "headlines", "--db", str(db), "review"], cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 2 and "headlines labels export" in done.stderr
