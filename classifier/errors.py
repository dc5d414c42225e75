"""The classifier's errors, in a module of their own so that catching them imports no scikit-learn."""

from __future__ import annotations

RETRAIN = "run `headlines train` to build a new one"


class CorpusError(ValueError):
    """A corpus file that cannot be used; the message names the file, the line and the problem."""


class ModelError(Exception):
    """The model cannot be used; the message says what to do."""


class ModelMissing(ModelError):
    """No model has been trained (or CURRENT names one that is not there)."""


class ModelTampered(ModelError):
    """The model file does not match its metadata, or the files are unreadable."""


class ModelVersionMismatch(ModelError):
    """The model was saved by another scikit-learn version."""


class TaggingError(Exception):
    """A loaded model failed on a batch of headlines; the message names the model and the fault."""
