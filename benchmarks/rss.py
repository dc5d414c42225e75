"""Running a command in a child process and reading its peak memory (RSS) as GNU time reports it.

`/usr/bin/time` starts the command from its own small process: the peak counted is the command's alone.
(`wait4` on a child forked from a large benchmark process counts the pages it shared with its parent
before it exec'd, which inflated the figure.)
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO


def run_measured(argv: Sequence[str], cwd: Path, stdin: IO[bytes] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run of `argv`; fails loudly when the command does."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        started = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], cwd=cwd, stdin=stdin,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:].decode()}")
        kib = int(Path(report.name).read_text().split()[-1])
    return seconds, kib / 1024
