"""What starting the command costs and leaves behind: no scikit-learn unless a model is used, one log handler."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from headlines.cli import main
from store import open_store
from tests.conftest import FAST, ROOT, Server
from tests.integration.test_crawl import TITLES, list_page, source

PROBE = """
import sys
from click.testing import CliRunner
from headlines.cli import main
from store import open_store
result = CliRunner().invoke(main, {args!r})
print(result.exit_code, "sklearn" in sys.modules, "scrapy" in sys.modules)
"""


@pytest.mark.parametrize("args", [["--help"], ["crawl", "--help"], ["status"], ["export"]])
def test_commands_that_need_no_model_never_import_scikit_learn(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "h.sqlite3"
    open_store(db).close()
    code = PROBE.format(args=["--db", str(db), *args])
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    exit_code, sklearn, _ = done.stdout.split()
    assert exit_code == "0"
    assert sklearn == "False", f"`headlines {' '.join(args)}` imported scikit-learn"


def test_log_handlers_do_not_pile_up_when_the_group_runs_again() -> None:
    before = list(logging.getLogger().handlers)
    for _ in range(3):
        assert CliRunner().invoke(main, ["-v", "models", "--help"]).exit_code == 0
    added = [h for h in logging.getLogger().handlers if h not in before]
    assert len(added) <= 1


def test_a_crawl_with_classification_off_never_imports_scikit_learn(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on: the crawl fails fast, which is all we need
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[sources]]\nname = "gone"\nkind = "feed"\nurl = "http://127.0.0.1:{port}/feed.xml"\n')
    args = ["--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(tmp_path / "models"), "crawl", "--sources",
            str(sources), "-s", "HEADLINES_CLASSIFY=False", "-s", "RETRY_TIMES=0"]
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    exit_code, sklearn, scrapy = done.stdout.split()[-3:]
    assert (exit_code, scrapy) == ("3", "True")  # it did crawl (and the source failed, as arranged)
    assert sklearn == "False", "a crawl with HEADLINES_CLASSIFY=False imported scikit-learn"


def test_a_crawl_that_tags_leaves_scikit_learn_to_its_tagging_process(tmp_path: Path, server: Server,
                                                                     small_models: Path) -> None:
    sources = tmp_path / "s.toml"
    sources.write_text(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    args = ["--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(small_models), "crawl", "--sources",
            str(sources), *FAST[:-2]]
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=ROOT, capture_output=True, text=True,
                          check=True)
    exit_code, sklearn, scrapy = done.stdout.split()[-3:]
    assert (exit_code, scrapy) == ("0", "True")
    assert sklearn == "False", "a crawl that tags imported scikit-learn itself"
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        assert {row.title for row in store.query() if row.sector} == set(TITLES)  # and it did tag
