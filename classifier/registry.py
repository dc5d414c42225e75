"""The model registry: ``models/<id>/model.joblib`` + ``metadata.json``, and ``models/CURRENT``.

A joblib file is a pickle, and loading a pickle runs code. So a model is loaded only from inside the
models directory, only if its SHA-256 matches the one its metadata recorded when this code saved it, and
only under the scikit-learn version that saved it (pickles are not portable across versions). Each refusal
is a `ModelError` whose message says to run ``headlines train``. The hash guards against a swapped or
corrupted file, not against someone who can rewrite both files: the directory itself must be trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from classifier import LABELS
from classifier.corpus import DEFAULT_CORPUS, CorpusError, corpus_problems, fatal_problems, read_corpus
from classifier.tagger import Tagger
from classifier.training import train

logger = logging.getLogger(__name__)
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
CURRENT_FILE = "CURRENT"
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")
_RETRAIN = "run `headlines train` to build a new one"


class ModelError(Exception):
    """The model cannot be used; the message says what to do."""


class ModelMissing(ModelError):
    """No model has been trained (or CURRENT names one that is not there)."""


class ModelTampered(ModelError):
    """The model file does not match its metadata, or the files are unreadable."""


class ModelVersionMismatch(ModelError):
    """The model was saved by another scikit-learn version."""


def train_model(corpus_path: Path, models_dir: Path, progress: Callable[[str], None] | None = None) -> Tagger:
    """Train the default pipeline on a corpus, cross-validate it, save it and make it CURRENT."""
    say = progress or (lambda message: logger.info("%s", message))
    corpus = read_corpus(corpus_path)
    fatal = fatal_problems(corpus)
    if fatal:
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise CorpusError(f"{fatal[0]}{more}")
    for problem in corpus_problems(corpus):
        logger.warning("%s", problem)
    say(f"Read {len(corpus)} headlines from {corpus_path} ({_counts(corpus.labels)})")
    trained = train(corpus.texts, corpus.labels, source=corpus_path.name, progress=say)
    created = datetime.now(UTC).replace(microsecond=0)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".training-", dir=models_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; models are meant to be shared like any build output
    try:
        model_path = staging / MODEL_FILE
        joblib.dump(trained.pipeline, model_path, compress=3)
        model_id = _new_id(models_dir, created, corpus.sha256)
        metadata = {
            "id": model_id,
            "created": created.isoformat().replace("+00:00", "Z"),
            "pipeline": trained.name,
            "python": platform.python_version(),
            "scikit_learn": sklearn.__version__,
            "joblib": joblib.__version__,
            "numpy": np.__version__,
            "corpus": {"path": str(corpus_path), "sha256": corpus.sha256, "size": len(corpus),
                       "per_label": dict(Counter(corpus.labels))},
            "labels": list(LABELS),
            "parameters": _parameters(trained.pipeline),
            "metrics": trained.evaluation.summary(),
            "thresholds": trained.thresholds,
            "timings": {"cross_validation_s": trained.cv_seconds, "fit_s": trained.fit_seconds},
            "model_sha256": _sha256(model_path),
            "model_bytes": model_path.stat().st_size,
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", "utf-8")
        staging.rename(models_dir / model_id)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    _set_current(models_dir, model_id)
    say(f"Saved model {model_id} in {models_dir} and made it current")
    return Tagger(trained.pipeline, metadata)


def load_model(models_dir: Path, model_id: str) -> Tagger:
    """Load one model after checking where it is, its hash and the scikit-learn version."""
    root = models_dir.resolve()
    if not _ID.fullmatch(model_id):
        raise ModelTampered(f"{models_dir / CURRENT_FILE} names an invalid model id {model_id!r}; {_RETRAIN}")
    folder = (root / model_id).resolve()
    model_path = (folder / MODEL_FILE).resolve()
    if not (folder.is_relative_to(root) and model_path.is_relative_to(folder)):
        raise ModelTampered(f"model {model_id} points outside {models_dir}; refusing to load it; {_RETRAIN}")
    if not model_path.is_file():
        raise ModelMissing(f"model {model_id} is not in {models_dir}; {_RETRAIN}")
    metadata = read_metadata(folder)
    if _sha256(model_path) != metadata.get("model_sha256"):
        raise ModelTampered(
            f"{model_path} does not match the SHA-256 in its metadata (changed or corrupted); refusing to load "
            f"it because a model file runs code when loaded; {_RETRAIN}"
        )
    saved_by = metadata.get("scikit_learn")
    if saved_by != sklearn.__version__:
        raise ModelVersionMismatch(
            f"model {model_id} was saved by scikit-learn {saved_by}, this is {sklearn.__version__}; {_RETRAIN}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            pipeline = joblib.load(model_path)
        except InconsistentVersionWarning as exc:
            raise ModelVersionMismatch(f"model {model_id}: {exc}; {_RETRAIN}") from None
        except Exception as exc:  # noqa: BLE001 - any failure to unpickle means this model is unusable
            raise ModelTampered(f"model {model_id} cannot be loaded ({type(exc).__name__}: {exc}); {_RETRAIN}") from exc
    if not isinstance(pipeline, Pipeline) or tuple(metadata.get("labels", ())) != LABELS:
        raise ModelTampered(f"model {model_id} is not a headline sector pipeline; {_RETRAIN}")
    return Tagger(pipeline, metadata)


def load_current(models_dir: Path) -> Tagger:
    """Load the model that ``models/CURRENT`` names."""
    current = models_dir / CURRENT_FILE
    try:
        model_id = current.read_text("utf-8").strip()
    except FileNotFoundError:
        raise ModelMissing(f"no model in {models_dir} ({CURRENT_FILE} is missing); {_RETRAIN}") from None
    except OSError as exc:
        raise ModelMissing(f"cannot read {current}: {exc.strerror}; {_RETRAIN}") from None
    return load_model(models_dir, model_id)


def ensure_model(models_dir: Path, corpus_path: Path | None = None,
                 progress: Callable[[str], None] | None = None) -> Tagger:
    """Load the current model; when there is none, train one from the corpus and say so.

    Only a missing model is trained; a tampered or mismatched one is refused, since silently replacing
    a model someone chose would change every tag without anyone noticing.
    """
    with contextlib.suppress(ModelMissing):
        return load_current(models_dir)
    corpus = corpus_path or DEFAULT_CORPUS
    models_dir.mkdir(parents=True, exist_ok=True)
    with _lock(models_dir):
        with contextlib.suppress(ModelMissing):
            return load_current(models_dir)  # another process trained it while we waited
        message = f"No model in {models_dir}: training one from {corpus} (once; later runs load it)"
        if progress:
            progress(message)
        logger.warning("%s", message)
        return train_model(corpus, models_dir, progress)


def list_models(models_dir: Path) -> list[dict[str, Any]]:
    """The metadata of every saved model, oldest first, each with a ``current`` flag."""
    if not models_dir.is_dir():
        return []
    try:
        current = (models_dir / CURRENT_FILE).read_text("utf-8").strip()
    except OSError:
        current = ""
    found = []
    for folder in sorted(p for p in models_dir.iterdir() if p.is_dir() and _ID.fullmatch(p.name)):
        try:
            metadata = read_metadata(folder)
        except ModelError as exc:
            metadata = {"id": folder.name, "created": "", "error": str(exc)}
        found.append({**metadata, "current": folder.name == current})
    return sorted(found, key=lambda m: (m.get("created", ""), m["id"]))


def read_metadata(folder: Path) -> dict[str, Any]:
    """A model's metadata.json (ModelTampered when it is unreadable)."""
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise ModelMissing(f"{folder / METADATA_FILE} is missing; {_RETRAIN}") from None
    except (OSError, ValueError) as exc:
        raise ModelTampered(f"{folder / METADATA_FILE} is unreadable ({exc}); {_RETRAIN}") from None
    if not isinstance(metadata, dict) or metadata.get("id") != folder.name:
        raise ModelTampered(f"{folder / METADATA_FILE} does not describe model {folder.name}; {_RETRAIN}")
    return metadata


def _set_current(models_dir: Path, model_id: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".current-", dir=models_dir)
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(model_id + "\n")
    os.replace(tmp, models_dir / CURRENT_FILE)


def _new_id(models_dir: Path, created: datetime, corpus_sha: str) -> str:
    base = f"{created:%Y%m%d-%H%M%S}-{corpus_sha[:8]}"
    candidate, n = base, 1
    while (models_dir / candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parameters(pipeline: Pipeline) -> dict[str, Any]:
    """The pipeline's hyper-parameters as JSON values (nested estimators appear through their own keys)."""
    params: dict[str, Any] = {}
    for key, value in sorted(pipeline.get_params(deep=True).items()):
        if value is None or isinstance(value, str | bool | int | float):
            params[key] = value
        elif isinstance(value, tuple) and all(isinstance(v, str | int | float) for v in value):
            params[key] = list(value)
        elif not hasattr(value, "get_params") and not isinstance(value, list):
            params[key] = repr(value)
    return params


def _counts(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{label} {counts[label]}" for label in LABELS)


@contextlib.contextmanager
def _lock(models_dir: Path) -> Iterator[None]:
    """Serialize first-use training between processes (a no-op where fcntl is unavailable)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with (models_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
