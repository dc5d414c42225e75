"""Re-tagging stored headlines with the current model, a batch per transaction.

Only the model's tags change; a person's label is never touched. Rows are read in id order a batch at a
time (keyset pagination), so retagging a large store keeps memory flat and never re-reads what it wrote.
"""

from __future__ import annotations

from collections.abc import Callable

from classifier.tagger import Tagger
from store import Query, Store, Tagging


def retag(store: Store, tagger: Tagger, batch_size: int = 2000, untagged_only: bool = False,
          progress: Callable[[int], None] | None = None) -> int:
    """Tag every stored headline (or only the untagged ones) with `tagger`; returns how many."""
    done = 0
    last = 0
    while True:
        batch = list(store.query(Query(after_id=last, order="id", limit=batch_size, include_hidden=True,
                                       tagged=False if untagged_only else None)))
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
