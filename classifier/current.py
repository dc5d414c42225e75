"""Which model is current: ``models/CURRENT`` names it. Read without loading scikit-learn, for `status`."""

from __future__ import annotations

from pathlib import Path

from classifier.errors import RETRAIN, ModelMissing

CURRENT_FILE = "CURRENT"


def current_id(models_dir: Path) -> str | None:
    """The id ``models/CURRENT`` names (as written, even if invalid), or None when there is no such file."""
    try:
        return (models_dir / CURRENT_FILE).read_text("utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ModelMissing(f"cannot read {models_dir / CURRENT_FILE}: {exc.strerror}; {RETRAIN}") from None
