"""Training models and choosing the current one, for the commands that need a model.

The classifier trains a candidate and the registry saves and promotes; deciding when to do which is the
application's job, and happens here. A command that needs a model when none exists trains one first, says
so, and only then starts its real work (a crawl never trains a model as a side effect).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from classifier import LABELS
from headlines.gate import MARGIN, Verdict, is_held_out, judge

if TYPE_CHECKING:
    from classifier.corpus import Corpus
    from classifier.tagger import Tagger
    from store import Store

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class Training:
    """What `train` did: the candidate saved, whether it became current, and why."""

    tagger: Tagger
    promoted: bool
    verdict: Verdict | None  # None: there was no current model to compare with, or --force
    labels: int  # people's labels it learned from


def people_labels(store: Store | None) -> Corpus:
    """The headlines people labeled with a sector (not those marked as no headline), as a corpus."""
    from classifier.corpus import Corpus
    from store import Query

    texts, labels = [], []
    if store is not None:
        for h in store.query(Query(reviewed=True, order="id")):
            if h.label in LABELS:
                texts.append(h.title)
                labels.append(str(h.label))
    return Corpus(texts, labels, hashlib.sha256("\n".join(texts).encode()).hexdigest(), Path("people's labels"))


def training_sets(corpus: Corpus, labeled: Corpus) -> tuple[Corpus, Corpus, Corpus]:
    """(what to train on, the corpus's held-out slice, the labels' held-out slice).

    A person's label wins over the corpus for the same text, and near-identical texts count once: a corpus
    headline the same as, or a near-duplicate of, a labeled one is left out.
    """
    from classifier.corpus import Corpus, near_duplicates

    keys = {" ".join(t.casefold().split()) for t in labeled.texts}
    kept = [i for i, t in enumerate(corpus.texts) if " ".join(t.casefold().split()) not in keys]
    if labeled.texts:
        texts = labeled.texts + [corpus.texts[i] for i in kept]
        echoes = {j - len(labeled) for i, j in near_duplicates(texts) if i < len(labeled) <= j}
        kept = [k for n, k in enumerate(kept) if n not in echoes]
    rows = [(labeled.texts[i], labeled.labels[i]) for i in range(len(labeled))]
    rows += [(corpus.texts[i], corpus.labels[i]) for i in kept]

    def part(pairs: list[tuple[str, str]], name: str) -> Corpus:
        digest = hashlib.sha256("\n".join(f"{t}\t{y}" for t, y in pairs).encode()).hexdigest()
        return Corpus([t for t, _ in pairs], [y for _, y in pairs], digest, Path(name))

    train_rows = [r for r in rows if not is_held_out(r[0])]
    held_corpus = [(corpus.texts[i], corpus.labels[i]) for i in kept if is_held_out(corpus.texts[i])]
    held_labels = [r for r in zip(labeled.texts, labeled.labels, strict=True) if is_held_out(r[0])]
    trained = part(train_rows, corpus.name + (" + people's labels" if labeled.texts else ""))
    trained = Corpus(trained.texts, trained.labels, trained.sha256, corpus.path, parts=corpus.parts)
    return trained, part(held_corpus, "the corpus's held-out slice"), part(held_labels, "people's held-out labels")


def stream_holdouts() -> dict[str, Corpus]:
    from classifier.corpus import DATA, read_corpus

    found = {}
    for name in ("stream-holdout.csv", "stream-holdout-zh.csv"):
        if (DATA / name).is_file():
            found[name] = read_corpus(DATA / name)
    return found


def train_and_promote(corpus_paths: Sequence[Path], models_dir: Path, progress: Progress | None = None,
                      store: Store | None = None, margin: float = MARGIN, force: bool = False) -> Training:
    """Train the default pipeline on the corpora (the project's own when none is given) and people's labels,
    save it, and make it current if it passes the gate against the current model (or `force`)."""
    from classifier.corpus import read_training_corpus
    from classifier.errors import ModelError
    from classifier.registry import load_current, promote, save
    from classifier.training import train

    say = progress or (lambda message: logger.info("%s", message))
    corpus = read_training_corpus(*corpus_paths)
    labeled = people_labels(store)
    trained, held_corpus, held_labels = training_sets(corpus, labeled)
    counts = Counter(trained.labels)
    say(f"Learning from {len(trained)} headlines of {corpus.name}" + (f" and {len(labeled)} people's labels"
        if len(labeled) else "") + f" ({', '.join(f'{k} {counts[k]}' for k in LABELS)}); holding out "
        f"{len(held_corpus)} corpus headlines and {len(held_labels)} labels for the gate")
    candidate = train(trained, progress=say)
    try:
        current: Tagger | None = load_current(models_dir)
    except ModelError:
        current = None
    verdict = None
    if current is not None and not force:
        sets = {"the corpus's held-out slice": held_corpus, "people's held-out labels": held_labels,
                **stream_holdouts()}
        verdict = judge(candidate.tagger(), current, sets, margin)
    data = {"labels": len(labeled), "held_out": {"corpus": len(held_corpus), "labels": len(held_labels)},
            "files_sha256": corpus.sha256}
    saved = save(candidate, models_dir, data=data, extra={"gate": verdict.to_dict() if verdict else None})
    promoted = verdict is None or verdict.passed
    if promoted:
        saved = promote(models_dir, saved.model_id)
        say(f"Saved model {saved.model_id} in {models_dir} and made it current")
    else:
        say(f"Saved model {saved.model_id} in {models_dir}; the current model stays: {verdict.reason()}"
            if verdict else "")
    return Training(saved, promoted, verdict, len(labeled))


def has_model(models_dir: Path) -> bool:
    """Whether a current model is named (it may still fail to load; loading says why)."""
    from classifier.current import current_id

    return current_id(models_dir) is not None


def ensure_model(models_dir: Path, progress: Progress | None = None, corpus_paths: Sequence[Path] = ()) -> None:
    """Train and promote a model from the corpus when there is none yet, and say so; else do nothing.

    Only a missing model is trained: a tampered or mismatched one is refused when loaded, since silently
    replacing a model someone chose would change every tag without anyone noticing.
    """
    from classifier.corpus import DEFAULT_CORPORA

    if has_model(models_dir):
        return
    corpora = tuple(corpus_paths) or DEFAULT_CORPORA
    models_dir.mkdir(parents=True, exist_ok=True)
    with _lock(models_dir):
        if has_model(models_dir):  # another process trained it while we waited
            return
        names = ", ".join(str(p) for p in corpora)
        message = f"No model in {models_dir}: training one from {names} first (once; later runs load it)"
        (progress or logger.warning)(message)
        train_and_promote(corpora, models_dir, progress)  # nothing to gate against: it becomes current


@contextlib.contextmanager
def _lock(models_dir: Path) -> Iterator[None]:
    """Serialize first-use training between processes."""
    import fcntl

    with (models_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
