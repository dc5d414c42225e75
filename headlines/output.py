"""Writing a result file whole or not at all.

A report, an export or a CSV of tags is written to a temporary file beside its target and renamed over
it once complete, so a failure midway (a full disk, a killed process, bad input found late) never leaves
half a file where a complete one is expected.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from headlines.errors import InputError


@contextlib.contextmanager
def output_file(path: Path | str, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Open `path` for writing text; ``-`` is stdout. The file appears only if the block completes."""
    if str(path) == "-":
        yield sys.stdout
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as out:
            yield out
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
