"""Re-tagging stored headlines with the current model, a batch per transaction.

Only the model's tags change; a person's label is never touched. Rows are read in id order a batch at a
time (keyset pagination), so retagging a large store keeps memory flat and never re-reads what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from classifier.tagger import Tagger
from store import Query, Store, Tagging


def retag(store: Store, tagger: Tagger, batch_size: int = 2000, query: Query | None = None,
          progress: Callable[[int], None] | None = None) -> int:
    """Tag the stored headlines `query` selects (default: all, hidden ones too) with `tagger`; returns how
    many."""
    base = query or Query(include_hidden=True)
    done = 0
    last = 0
    while True:
        batch = list(store.query(replace(base, after_id=last, order="id", limit=batch_size)))
        if not batch:
            return done
        last = batch[-1].id
        predictions = tagger.predict([h.title for h in batch])
        store.set_tags(
            Tagging(h.url, p.sector, round(p.confidence, 4), p.tags, tagger.model_id, round(p.margin, 4))
            for h, p in zip(batch, predictions, strict=True)
        )
        done += len(batch)
        if progress is not None:
            progress(len(batch))
