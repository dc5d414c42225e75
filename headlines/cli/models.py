"""The model commands: train, evaluate, classify and models.

Each is a thin layer over `classifier` and `headlines.models`: it reads its input, calls one or two library
functions and prints the result. Progress goes to stderr and results to stdout, so
``headlines classify < in > out.csv`` keeps the CSV clean.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from headlines.cli.context import AppContext
from headlines.errors import InputError

if TYPE_CHECKING:
    from classifier.tagger import Tagger

CLASSIFY_HEADER = ("headline", "sector", "confidence", "tags")
HOLDOUTS = ("holdout.csv", "holdout-zh.csv", "stream-holdout.csv", "stream-holdout-zh.csv")
BATCH = 2000
_DATA = click.Path(exists=True, dir_okay=False, path_type=Path)


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@click.option("--data", type=_DATA, multiple=True, metavar="CSV",
              help="Labeled corpus (header headline,sector); repeat for several. Default: headlines.csv and "
                   "headlines-zh.csv in classifier/data (one model for English and Chinese).")
@click.pass_obj
def train(app: AppContext, data: tuple[Path, ...]) -> None:
    """Train a model on the labeled corpora and make it the current one.

    Cross-validates the pipeline (5 folds) for honest metrics, chooses its tag and auto-accept thresholds
    on the out-of-fold predictions restated for a real stream (85% of headlines in no sector), fits it on
    every headline, saves models/<id>/model.joblib with metadata.json and points models/CURRENT at it.
    """
    from classifier.report import metrics_table
    from headlines.models import train_and_promote

    tagger = train_and_promote(data, app.models_dir, progress=_progress)
    metrics = tagger.metadata["metrics"]
    click.echo(f"Model {tagger.model_id} ({tagger.metadata['pipeline']}), {metrics['source']}:")
    click.echo(metrics_table(metrics))
    thresholds = ", ".join(f"{k} {v:.2f}" for k, v in tagger.metadata["thresholds"].items())
    click.echo(f"tag thresholds: {thresholds}; auto-accept above confidence {tagger.auto_accept:.2f}")


def _current(app: AppContext) -> Tagger:
    """The current model, trained first (and said so) when there is none."""
    from classifier.registry import load_current
    from headlines.models import ensure_model

    ensure_model(app.models_dir, progress=_progress)
    return load_current(app.models_dir)


@click.command()
@click.option("--data", type=_DATA, multiple=True, metavar="CSV",
              help="Labeled headlines to score the current model on; repeat for several. Default: the holdouts "
                   "in classifier/data (balanced English and Chinese, and the two streams). The model's own "
                   "training corpus is cross-validated, since a model cannot be judged on what it learned from.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
              help="Also write a self-contained HTML report (confusion grid, reliability curve).")
@click.pass_obj
def evaluate(app: AppContext, data: tuple[Path, ...], html_file: Path | None) -> None:
    """Score the current model: per-sector precision/recall/F1, confusion matrix and calibration; on a
    stream, how many headlines of no sector got one (false tags) and how often sector tags are right."""
    from classifier.corpus import DATA, read_corpus
    from classifier.report import html_report, text_report
    from classifier.training import evaluate_tagger

    holdouts = [DATA / name for name in HOLDOUTS if (DATA / name).is_file()]
    tagger = _current(app)
    evaluations = [evaluate_tagger(tagger, read_corpus(path)) for path in data or holdouts]
    title = f"Model {tagger.model_id}"
    click.echo("\n\n".join(text_report(evaluation, title=title) for evaluation in evaluations))
    if html_file is not None:
        from headlines.output import output_file

        with output_file(html_file) as out:
            out.write(html_report(evaluations[0], title=f"Headline classifier: {title}"))
        _progress(f"HTML report of {evaluations[0].source} written to {html_file}")


@click.command()
@click.argument("file", type=click.File("rb"), default="-", required=False)
@click.option("--explain", is_flag=True, help="Add an `explanation` column: the words that pushed toward the "
                                              "sector (+) and the strongest one against (−).")
@click.pass_obj
def classify(app: AppContext, file: IO[bytes], explain: bool) -> None:
    """Tag headlines, one per line, from FILE or stdin; write CSV to stdout.

    Columns: headline,sector,confidence,tags (confidence is a probability in [0, 1]; tags are the sectors
    that cleared their threshold, the top one first, separated by ';'). Blank lines are skipped. Input must
    be UTF-8. The first use with no model trains one from the corpus.
    """
    tagger = _current(app)
    name = getattr(file, "name", "<stdin>")
    label = "<stdin>" if name in ("<stdin>", "-") else str(name)
    header = CLASSIFY_HEADER + (("explanation",) if explain else ())
    if hasattr(file, "isatty") and file.isatty():  # typed lines: answer each as it comes
        lines: Iterable[str] = _lines(file, label)
        size = 1
    else:  # a file or pipe: read it all first, so bad input fails before any CSV is written
        lines, size = list(_lines(file, label)), BATCH
    click.echo(",".join(header))
    for batch in _batches(iter(lines), size=size):
        click.echo(_rows(tagger, batch, explain), nl=False)


def _lines(stream: IO[bytes], name: str) -> Iterator[str]:
    """Non-blank, stripped lines; a line that is not UTF-8 stops with an error naming it."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: line {number} is not UTF-8 text (byte {raw[exc.start]:#04x} at column {exc.start + 1}); "
                "convert it first, e.g. with iconv -t UTF-8"
            ) from None
        line = line.strip()
        if line:
            yield line


def _batches(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _rows(tagger: Tagger, texts: list[str], explain: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for text, p in zip(texts, tagger.predict(texts), strict=True):
        row = [text, p.sector, f"{p.confidence:.4f}", ";".join(p.tags)]
        if explain:
            row.append(str(tagger.explain(text, p.sector)))
        writer.writerow(row)
    return out.getvalue()


@click.command()
@click.pass_obj
def models(app: AppContext) -> None:
    """List the trained models: id, created, pipeline, cross-validated macro-F1; * marks the current one."""
    from classifier.registry import list_models

    found = list_models(app.models_dir)
    if not found:
        click.echo(f"No models in {app.models_dir}. Run `headlines train`.", err=True)
        return
    click.echo(f"  {'id':<30} {'created':<21} {'macro-F1':>8}  pipeline")
    for m in found:
        f1 = m.get("metrics", {}).get("macro_f1")
        mark = "*" if m["current"] else " "
        f1_text = f"{f1:.3f}" if isinstance(f1, float) else "-"
        detail = m.get("pipeline", m.get("error", ""))
        click.echo(f"{mark} {m['id']:<30} {m.get('created', ''):<21} {f1_text:>8}  {detail}")
