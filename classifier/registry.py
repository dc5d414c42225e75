"""The model registry: ``models/<id>/model.joblib`` + ``metadata.json``, and ``models/CURRENT``.

It saves, lists, loads and promotes models; it does not decide which one should be current (that is the
caller's choice, or a gate's). Saving a candidate and making it current are separate steps.

A joblib file is a pickle, and loading a pickle runs code. So a model is loaded only from inside the
models directory, only if its SHA-256 matches the one its metadata recorded when this code saved it, and
only under the scikit-learn version that saved it (pickles are not portable across versions). Each refusal
is a `ModelError` whose message says to run ``headlines train``. The hash guards against a swapped or
corrupted file, not against someone who can rewrite both files: the directory itself must be trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import shutil
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from classifier import LABELS
from classifier.current import CURRENT_FILE, current_id
from classifier.errors import RETRAIN, ModelError, ModelMissing, ModelTampered, ModelVersionMismatch
from classifier.tagger import Tagger
from classifier.training import Candidate

__all__ = ["CurrentModel", "ModelError", "ModelMissing", "ModelTampered", "ModelVersionMismatch", "current_id",
           "list_models", "load_current", "load_model", "promote", "read_metadata", "save"]
logger = logging.getLogger(__name__)
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")


def save(candidate: Candidate, models_dir: Path, data: dict[str, Any] | None = None,
         extra: dict[str, Any] | None = None) -> Tagger:
    """Save a trained candidate as ``models/<id>/`` (model + metadata), without making it current.

    The folder is written under a temporary name and renamed, so a crash never leaves half a model.
    `data` adds to what the metadata says the model learned from (for example the people's labels);
    `extra` adds other entries (a gate's verdict).
    """
    created = datetime.now(UTC).replace(microsecond=0)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".training-", dir=models_dir))
    staging.chmod(0o755)  # mkdtemp makes it private; models are meant to be shared like any build output
    try:
        model_path = staging / MODEL_FILE
        joblib.dump(candidate.pipeline, model_path, compress=3)
        corpus = {**candidate.data, **(data or {})}
        model_id = _new_id(models_dir, created, str(corpus.get("sha256", "")))
        metadata = {
            "id": model_id,
            "created": created.isoformat().replace("+00:00", "Z"),
            "pipeline": candidate.name,
            "python": platform.python_version(),
            "scikit_learn": sklearn.__version__,
            "joblib": joblib.__version__,
            "numpy": np.__version__,
            "corpus": corpus,
            "labels": list(LABELS),
            "parameters": _parameters(candidate.pipeline),
            "metrics": candidate.evaluation.summary(),
            **candidate.decisions(),
            "stream_metrics": candidate.stream_evaluation.summary(),
            "timings": {"cross_validation_s": candidate.cv_seconds, "fit_s": candidate.fit_seconds},
            "model_sha256": _sha256(model_path),
            "model_bytes": model_path.stat().st_size,
            **(extra or {}),
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True) + "\n", "utf-8")
        staging.rename(models_dir / model_id)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    logger.info("saved model %s in %s", model_id, models_dir)
    return Tagger(candidate.pipeline, metadata)


def promote(models_dir: Path, model_id: str) -> Tagger:
    """Make a saved model the current one (after loading it, so a broken model is never made current)."""
    tagger = load_model(models_dir, model_id)
    fd, tmp = tempfile.mkstemp(prefix=".current-", dir=models_dir)
    os.fchmod(fd, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(model_id + "\n")
    os.replace(tmp, models_dir / CURRENT_FILE)
    logger.info("model %s is now current in %s", model_id, models_dir)
    return tagger


def load_model(models_dir: Path, model_id: str) -> Tagger:
    """Load one model after checking where it is, its hash and the scikit-learn version."""
    root = models_dir.resolve()
    if not _ID.fullmatch(model_id):
        raise ModelTampered(f"{models_dir / CURRENT_FILE} names an invalid model id {model_id!r}; {RETRAIN}")
    folder = (root / model_id).resolve()
    model_path = (folder / MODEL_FILE).resolve()
    if not (folder.is_relative_to(root) and model_path.is_relative_to(folder)):
        raise ModelTampered(f"model {model_id} points outside {models_dir}; refusing to load it; {RETRAIN}")
    if not model_path.is_file():
        raise ModelMissing(f"model {model_id} is not in {models_dir}; {RETRAIN}")
    metadata = read_metadata(folder)
    if _sha256(model_path) != metadata.get("model_sha256"):
        raise ModelTampered(
            f"{model_path} does not match the SHA-256 in its metadata (changed or corrupted); refusing to load "
            f"it because a model file runs code when loaded; {RETRAIN}"
        )
    saved_by = metadata.get("scikit_learn")
    if saved_by != sklearn.__version__:
        raise ModelVersionMismatch(
            f"model {model_id} was saved by scikit-learn {saved_by}, this is {sklearn.__version__}; {RETRAIN}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", InconsistentVersionWarning)
        try:
            pipeline = joblib.load(model_path)
        except InconsistentVersionWarning as exc:
            raise ModelVersionMismatch(f"model {model_id}: {exc}; {RETRAIN}") from None
        except Exception as exc:  # noqa: BLE001 - any failure to unpickle means this model is unusable
            raise ModelTampered(f"model {model_id} cannot be loaded ({type(exc).__name__}: {exc}); {RETRAIN}") from exc
    if not isinstance(pipeline, Pipeline) or tuple(metadata.get("labels", ())) != LABELS:
        raise ModelTampered(f"model {model_id} is not a headline sector pipeline; {RETRAIN}")
    return Tagger(pipeline, metadata)


def load_current(models_dir: Path) -> Tagger:
    """Load the model that ``models/CURRENT`` names."""
    model_id = current_id(models_dir)
    if model_id is None:
        raise ModelMissing(f"no model in {models_dir} ({CURRENT_FILE} is missing); {RETRAIN}")
    return load_model(models_dir, model_id)


class CurrentModel:
    """The current model for a process that lives long (a crawl, a scheduler, a web page).

    `get` loads ``models/CURRENT`` on first use and again whenever that file has changed since, so a model
    promoted by another process is used from the next batch on, without a restart. Checking costs one
    `stat` call.
    """

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self._seen: tuple[int, int, int] | None = None
        self._tagger: Tagger | None = None

    def get(self) -> Tagger:
        try:
            info = (self.models_dir / CURRENT_FILE).stat()
            seen = (info.st_ino, info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            seen = None
        if self._tagger is None or seen != self._seen:
            self._tagger = load_current(self.models_dir)
            self._seen = seen
        return self._tagger


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
        raise ModelMissing(f"{folder / METADATA_FILE} is missing; {RETRAIN}") from None
    except (OSError, ValueError) as exc:
        raise ModelTampered(f"{folder / METADATA_FILE} is unreadable ({exc}); {RETRAIN}") from None
    if not isinstance(metadata, dict) or metadata.get("id") != folder.name:
        raise ModelTampered(f"{folder / METADATA_FILE} does not describe model {folder.name}; {RETRAIN}")
    return metadata


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
