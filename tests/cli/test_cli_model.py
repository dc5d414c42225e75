"""The model commands through click's CliRunner: train, evaluate, classify and models, on odd input too."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from classifier import LABELS
from headlines.cli import main
from headlines.errors import ExitCode
from tests.conftest import SMALL_CORPUS as SMALL


def run(tmp: Path, *args: str, input: str | bytes | None = None) -> Result:  # noqa: A002
    options = ["--db", str(tmp / "h.sqlite3"), "--models-dir", str(tmp / "models")]
    return CliRunner().invoke(main, [*options, *args], input=input, catch_exceptions=False)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    result = run(tmp, "train", "--data", str(SMALL))
    assert result.exit_code == 0, result.output
    return tmp


@pytest.fixture
def tmp(trained: Path, tmp_path: Path) -> Path:
    shutil.copytree(trained / "models", tmp_path / "models")
    return tmp_path


def rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_train_reports_progress_and_metrics(trained: Path, tmp_path: Path) -> None:
    result = run(tmp_path, "train", "--data", str(SMALL))
    assert result.exit_code == 0
    assert "Cross-validating" in result.stderr and "made it current" in result.stderr
    assert "macro-F1" in result.stdout and all(label in result.stdout for label in LABELS)
    assert (tmp_path / "models" / "CURRENT").is_file()


def test_train_on_a_bad_corpus(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("headline,sector\nsomething,robots\n")
    result = run(tmp_path, "train", "--data", str(bad))
    assert result.exit_code == ExitCode.ERROR
    assert "bad.csv:2: unknown label 'robots'" in result.stderr


def test_classify_stdin(tmp: Path) -> None:
    result = run(tmp, "classify", input="Alipay launches wallet for tourists\n\n  \nTaobao shopping festival\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "headline,sector,confidence,tags"
    out = rows(result)
    assert [r["headline"] for r in out] == ["Alipay launches wallet for tourists", "Taobao shopping festival"]
    for r in out:
        assert r["sector"] in LABELS and 0.0 <= float(r["confidence"]) <= 1.0
        assert r["tags"].split(";")[0] == r["sector"] and set(r["tags"].split(";")) <= set(LABELS)


def test_classify_file_with_explanations(tmp: Path) -> None:
    path = tmp / "in.txt"
    path.write_text('Alipay adds "tap to pay", for tourists\r\nSMIC chips\n', encoding="utf-8")
    result = run(tmp, "classify", "--explain", str(path))
    assert result.exit_code == 0
    out = rows(result)
    assert list(out[0]) == ["headline", "sector", "confidence", "tags", "explanation"]
    assert out[0]["headline"] == 'Alipay adds "tap to pay", for tourists'
    assert out[0]["explanation"].startswith("+")


@pytest.mark.parametrize("text", [
    "",                                   # empty input: header only
    "\n\n   \n",                          # only blank lines
    "chips " * 20_000 + "\n",              # very long line (120,000 characters)
    "比亚迪十月销量创新高\n",                # non-Latin script
    "🚗⚡ 🔋📈\n",                          # emoji only
    "\ufeffNIO 🚗 deliveries 📈\n",          # BOM and emoji among words
])
def test_classify_odd_input(tmp: Path, text: str) -> None:
    result = run(tmp, "classify", "--explain", input=text.encode("utf-8"))
    assert result.exit_code == 0, result.output
    out = rows(result)
    expected = [line.strip().lstrip("\ufeff") for line in text.splitlines() if line.strip()]
    assert [r["headline"] for r in out] == expected
    assert all(0.0 <= float(r["confidence"]) <= 1.0 for r in out)


def test_classify_rejects_input_that_is_not_utf8(tmp: Path) -> None:
    result = run(tmp, "classify", input=b"fine\n" + "caf\u00e9\n".encode("latin-1"))
    assert result.exit_code == ExitCode.ERROR
    assert "line 2 is not UTF-8" in result.stderr
    assert result.stdout == ""  # nothing half-written


def test_classify_to_a_file_leaves_no_half_file_when_late_input_is_bad(tmp: Path) -> None:
    from headlines.cli.models import BATCH

    good = b"".join(b"Tesla cuts prices of Model %d\n" % n for n in range(BATCH + 10))
    out = tmp / "tags.csv"
    result = run(tmp, "classify", "-o", str(out), input=good + "caf\u00e9\n".encode("latin-1"))
    assert result.exit_code == ExitCode.ERROR
    assert f"line {BATCH + 11} is not UTF-8" in result.stderr
    assert not out.exists() and list(tmp.glob(".tags.csv.*")) == []  # no file, no temporary left behind

    result = run(tmp, "classify", "-o", str(out), input=good)
    assert result.exit_code == 0 and result.stdout == ""
    with out.open(encoding="utf-8") as f:
        written = list(csv.DictReader(f))
    assert len(written) == BATCH + 10 and written[-1]["headline"] == f"Tesla cuts prices of Model {BATCH + 9}"


def test_classify_without_a_model_trains_one_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import classifier.corpus

    monkeypatch.setattr(classifier.corpus, "DEFAULT_CORPORA", (SMALL,))
    result = run(tmp_path, "classify", input="BYD electric cars\n")
    assert result.exit_code == 0
    assert "No model" in result.stderr and "training" in result.stderr
    assert len(rows(result)) == 1


def test_classify_refuses_a_tampered_model(tmp: Path) -> None:
    current = (tmp / "models" / "CURRENT").read_text().strip()
    with (tmp / "models" / current / "model.joblib").open("ab") as f:
        f.write(b"x")
    result = run(tmp, "classify", input="BYD electric cars\n")
    assert result.exit_code == ExitCode.MODEL
    assert "SHA-256" in result.stderr and "headlines train" in result.stderr


def test_evaluate_text_and_html(tmp: Path) -> None:
    held_out = tmp / "held.csv"
    held_out.write_text("headline,sector\nBYD sells more electric cars,ev\nSMIC adds chip capacity,chips\n"
                        "Alipay wallet grows,fintech\nTemu expands,ecommerce\nTencent game hit,other\n")
    html = tmp / "report.html"
    result = run(tmp, "evaluate", "--data", str(held_out), "--html", str(html))
    assert result.exit_code == 0, result.output
    for part in ("precision", "Confusion matrix", "Reliability", "held.csv"):
        assert part in result.stdout
    page = html.read_text()
    assert "<svg" in page and "<table" in page and "hsl(" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page


def test_evaluate_on_the_training_corpus_cross_validates(tmp: Path) -> None:
    result = run(tmp, "evaluate", "--data", str(SMALL))
    assert result.exit_code == 0
    assert "cross-validation" in result.stdout and "training corpus" in result.stdout


def test_models_lists_and_marks_current(tmp: Path) -> None:
    assert run(tmp, "train", "--data", str(SMALL)).exit_code == 0
    result = run(tmp, "models")
    lines = result.stdout.splitlines()[1:]
    assert len(lines) == 2 and lines[1].startswith("* ") and lines[0].startswith("  ")
    current = (tmp / "models" / "CURRENT").read_text().strip()
    assert current in lines[1]


def test_models_when_there_are_none(tmp_path: Path) -> None:
    result = run(tmp_path, "models")
    assert result.exit_code == 0 and "headlines train" in result.stderr
