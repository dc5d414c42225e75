"""What every command needs to know about where things live, set once by the global options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AppContext:
    """Global options of the `headlines` command, passed to subcommands as ``ctx.obj``."""

    db: Path
    models_dir: Path
