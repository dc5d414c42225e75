"""What every command knows from the global options: where the store and the models live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from store import Store, open_store


@dataclass(frozen=True)
class AppContext:
    """Global options of the `headlines` command, passed to subcommands as ``ctx.obj``."""

    db: str
    models_dir: Path

    def has_store(self) -> bool:
        """Whether there is a store already (reading commands report its absence instead)."""
        return "://" in self.db or Path(self.db).exists()

    def store(self, mode: Literal["write", "read"] = "read") -> Store:
        """Open the store: reading commands never create or change it; writing ones create it on first use."""
        return open_store(self.db, mode)
