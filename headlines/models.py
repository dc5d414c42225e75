"""Training models and choosing the current one, for the commands that need a model.

The classifier trains a candidate and the registry saves and promotes; deciding when to do which is the
application's job, and happens here. A command that needs a model when none exists trains one first, says
so, and only then starts its real work (a crawl never trains a model as a side effect).
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from classifier import LABELS
from classifier.tagger import Tagger

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]


def train_and_promote(corpus_paths: Sequence[Path], models_dir: Path, progress: Progress | None = None) -> Tagger:
    """Train the default pipeline on the corpora (the project's own when none is given), save the model and
    make it current."""
    from classifier.corpus import read_training_corpus
    from classifier.registry import promote, save
    from classifier.training import train

    say = progress or (lambda message: logger.info("%s", message))
    corpus = read_training_corpus(*corpus_paths)
    counts = Counter(corpus.labels)
    say(f"Read {len(corpus)} headlines from {corpus.name} ({', '.join(f'{k} {counts[k]}' for k in LABELS)})")
    candidate = train(corpus, progress=say)
    saved = save(candidate, models_dir)
    tagger = promote(models_dir, saved.model_id)
    say(f"Saved model {tagger.model_id} in {models_dir} and made it current")
    return tagger


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
        train_and_promote(corpora, models_dir, progress)


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
