"""Running a command in a child process and reading its peak memory from the kernel (`wait4`'s rusage)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO


def run_measured(argv: Sequence[str], cwd: Path, stdin: IO[bytes] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run of `argv`; fails loudly when the command does."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    error = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({process.returncode}): {error[-2000:]}")
    return seconds, usage.ru_maxrss / 1024
