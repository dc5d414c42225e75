"""The model commands: train, evaluate, classify and models.

Each is a thin layer over `classifier` and `headlines.models`: it reads its input, calls one or two library
functions and prints the result. Progress goes to stderr and results to stdout, so
``headlines classify < in > out.csv`` keeps the CSV clean.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from headlines.cli.context import AppContext
from headlines.errors import InputError

if TYPE_CHECKING:
    from classifier.tagger import Tagger
    from headlines.gate import Verdict
    from store import Store

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
@click.option("--margin", type=click.FloatRange(0, 1), default=0.005, show_default=True,
              help="How much lower than the current model's macro-F1, on any held-out set, still passes.")
@click.option("--force", is_flag=True, help="Make the new model current even if it scores worse.")
@click.option("--no-retag", is_flag=True, help="Leave stored headlines with their old tags.")
@click.pass_obj
def train(app: AppContext, data: tuple[Path, ...], margin: float, force: bool, no_retag: bool) -> None:
    """Train a model on the corpora and people's labels; make it current if it is not worse.

    A person's label wins over the corpus for the same headline. One headline in ten of the corpus and of
    people's labels (always the same ones) is held out; the new model becomes current only if its macro-F1
    on those slices and on the stream holdouts is not lower than the current model's by more than --margin.
    Otherwise the current model stays and the scores per sector say why (--force overrides). Once a new model
    is current, stored headlines no person labeled are re-tagged with it.
    """
    from classifier.report import metrics_table
    from headlines.models import train_and_promote

    store = app.store("write") if app.has_store() else None
    try:
        done = train_and_promote(data, app.models_dir, progress=_progress, store=store, margin=margin, force=force)
        tagger = done.tagger
        metrics = tagger.metadata["metrics"]
        click.echo(f"Model {tagger.model_id} ({tagger.metadata['pipeline']}), {metrics['source']}:")
        click.echo(metrics_table(metrics))
        thresholds = ", ".join(f"{k} {v:.2f}" for k, v in tagger.metadata["thresholds"].items())
        click.echo(f"tag thresholds: {thresholds}; auto-accept above confidence {tagger.auto_accept:.2f}")
        if done.verdict is not None:
            click.echo(gate_table(done.verdict))
        if not done.promoted:
            assert done.verdict is not None
            click.echo(f"The current model stays: {done.verdict.reason()}. Use --force to make {tagger.model_id} "
                       "current anyway, or `headlines models use ID` later.")
            return
        if store is not None and not no_retag:
            _retag_after_promotion(store, tagger)
    finally:
        if store is not None:
            store.close()


def gate_table(verdict: Verdict) -> str:
    """The gate's scores: per held-out set, the new and the current model's macro-F1 and per-sector F1."""
    from classifier import LABELS

    lines = [f"{'held-out set':<30} {'size':>5}  {'new':>6} {'current':>7}  per sector F1 (new / current)"]
    for s in verdict.scores:
        sectors = "  ".join(f"{label} {s.candidate_f1[label]:.2f}/{s.current_f1[label]:.2f}" for label in LABELS)
        lines.append(f"{s.name:<30} {s.size:>5}  {s.candidate:>6.3f} {s.current:>7.3f}  {sectors}")
    lines += [f"(skipped: {note})" for note in verdict.skipped]
    return "\n".join(lines)


def _retag_after_promotion(store: Store, tagger: Tagger) -> None:
    from headlines.retag import retag
    from store import Query

    total = store.count(Query(reviewed=False, include_hidden=True))
    with click.progressbar(length=total, label=f"Re-tagging with {tagger.model_id}", file=sys.stderr) as bar:
        done = retag(store, tagger, query=Query(reviewed=False, include_hidden=True), progress=bar.update)
    _progress(f"{done} stored headlines without a person's label re-tagged with {tagger.model_id}")


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
@click.option("-o", "--output", default="-", show_default=True, metavar="PATH",
              type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the CSV here instead of stdout. The file appears only once all input is tagged: "
                   "bad input or a full disk leaves no half file.")
@click.pass_obj
def classify(app: AppContext, file: IO[bytes], explain: bool, output: str) -> None:
    """Tag headlines, one per line, from FILE or stdin; write CSV to stdout or --output.

    Columns: headline,sector,confidence,tags (confidence is a probability in [0, 1]; tags are the sectors
    that cleared their threshold, the top one first, separated by ';'). Blank lines are skipped. Input must
    be UTF-8: a line that is not stops the command with its number (exit 1). Input is streamed, a batch of
    2,000 lines at a time, so memory stays flat however long it is; on stdout, the rows of the batches
    before a bad line have already been written. The first use with no model trains one from the corpus.
    """
    from headlines.output import output_file

    tagger = _current(app)
    name = getattr(file, "name", "<stdin>")
    label = "<stdin>" if name in ("<stdin>", "-") else str(name)
    header = ",".join(CLASSIFY_HEADER + (("explanation",) if explain else ())) + "\n"
    typed = hasattr(file, "isatty") and file.isatty()  # typed lines: answer each as it comes
    with output_file(output) as out:
        started = False
        for batch in _batches(_lines(file, label), size=1 if typed else BATCH):
            if not started:  # the header goes with the first rows: bad input in the first batch writes nothing
                out.write(header)
                started = True
            out.write(_rows(tagger, batch, explain))
            if typed:
                out.flush()
        if not started:
            out.write(header)


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


@click.group(invoke_without_command=True)
@click.pass_context
def models(ctx: click.Context) -> None:
    """List the trained models: created, data, cross-validated and gate scores; * marks the current one.

    `headlines models use ID` makes another saved model current (a rollback, or a model the gate kept out).
    """
    if ctx.invoked_subcommand is not None:
        return
    from classifier.registry import list_models

    app: AppContext = ctx.obj
    found = list_models(app.models_dir)
    if not found:
        click.echo(f"No models in {app.models_dir}. Run `headlines train`.", err=True)
        return
    click.echo(f"  {'id':<30} {'created':<21} {'headlines':>9} {'labels':>6} {'CV F1':>6}  gate")
    for m in found:
        f1 = m.get("metrics", {}).get("macro_f1")
        corpus = m.get("corpus", {})
        gate = m.get("gate")
        if gate:
            worst = min(gate["scores"].items(), key=lambda kv: kv[1]["candidate"] - kv[1]["current"], default=None)
            verdict = "passed" if gate["passed"] else "kept out"
            detail = f"{verdict}" + (f" ({worst[0]}: {worst[1]['candidate']:.3f} vs {worst[1]['current']:.3f})"
                                     if worst else "")
        else:
            detail = m.get("error", "first model or forced" if "metrics" in m else "")
        mark = "*" if m["current"] else " "
        f1_text = f"{f1:.3f}" if isinstance(f1, float) else "-"
        click.echo(f"{mark} {m['id']:<30} {m.get('created', ''):<21} {corpus.get('size', ''):>9} "
                   f"{corpus.get('labels', 0):>6} {f1_text:>6}  {detail}")


@models.command("use")
@click.argument("model_id")
@click.option("--no-retag", is_flag=True, help="Leave stored headlines with their old tags.")
@click.pass_obj
def models_use(app: AppContext, model_id: str, no_retag: bool) -> None:
    """Make the saved model MODEL_ID current, then re-tag stored headlines no person labeled."""
    from classifier.registry import promote

    tagger = promote(app.models_dir, model_id)
    click.echo(f"Model {tagger.model_id} is now current.")
    if app.has_store() and not no_retag:
        with app.store("write") as store:
            _retag_after_promotion(store, tagger)
