"""Sector classifier for headlines: pure machine learning, no Scrapy and no database."""

LABELS: tuple[str, ...] = ("ev", "fintech", "chips", "ecommerce", "other")
SECTORS: tuple[str, ...] = LABELS[:-1]
DEFAULT_MODELS_DIR = "models"
"""Where trained models live unless --models-dir or HEADLINES_MODELS says otherwise."""


def label_order(classes: list[str] | tuple[str, ...]) -> list[int]:
    """Column indices that put an estimator's ``classes_`` (sorted) in LABELS order."""
    return [list(classes).index(label) for label in LABELS]
