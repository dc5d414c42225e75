"""Word-level explanations of a linear model's decision on one headline.

For a linear model over TF-IDF features the score of class c is a sum of ``x_j * w[c, j]``; each term is
the push of feature j toward (positive) or away from (negative) class c. Features are not always words
(bigrams, word prefixes, character n-grams), so each feature's push is shared out equally among the words
of the headline it was made from, and pushes are summed per word. The result names words a reviewer can
see in the headline, whatever the features were.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from classifier.lexicon import TERM_WORDS
from classifier.linear import linear_parts
from classifier.text import CONCEPT, HeadlineAnalyzer

TOP_WORDS = 4
_PLAIN_WORD = re.compile(r"(?u)\b\w+\b")


@dataclass(frozen=True)
class Explanation:
    """Words that pushed toward the predicted sector (strongest first) and the strongest one against."""

    toward: list[tuple[str, float]]
    against: tuple[str, float] | None

    def __str__(self) -> str:
        parts = [f"+{word}" for word, _ in self.toward]
        if self.against is not None:
            parts.append(f"\u2212{self.against[0]}")
        return " ".join(parts)


class WordAttributor:
    """Share feature contributions out to the words of a headline; built once per loaded pipeline."""

    def __init__(self, pipeline: Pipeline) -> None:
        parts = linear_parts(pipeline)
        self.features = pipeline.named_steps["features"]
        self.weights = parts.coef - parts.coef.mean(axis=0, keepdims=True)  # relative to the other classes
        self.classes = list(parts.classes)
        self.blocks = list(parts.blocks)
        self.names: list[str] = []
        for _, vectorizer in self.blocks:
            self.names.extend(vectorizer.get_feature_names_out().tolist())
        self.analyzer = next((v.analyzer for _, v in self.blocks if isinstance(v.analyzer, HeadlineAnalyzer)),
                             None)

    def explain(self, text: str, label: str, top: int = TOP_WORDS) -> Explanation:
        row = self.features.transform([text]).tocsr()
        w = self.weights[self.classes.index(label)]
        words = self.analyzer.words(text) if self.analyzer else [(m, m) for m in _PLAIN_WORD.findall(text.lower())]
        norms = [norm for _, norm in words]
        per_word = np.zeros(len(words))
        for j, x in zip(row.indices.tolist(), row.data.tolist(), strict=True):
            positions = self._positions(j, words, norms)
            if positions:
                per_word[positions] += x * w[j] / len(positions)
        scores: dict[str, float] = defaultdict(float)
        for (surface, _), score in zip(words, per_word.tolist(), strict=True):
            scores[surface] += score
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        toward = [(word, round(s, 4)) for word, s in ranked if s > 1e-6][:top]
        low = min(scores.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        against = (low[0], round(low[1], 4)) if low is not None and low[1] < -1e-6 else None
        return Explanation(toward, against)

    def _positions(self, j: int, words: list[tuple[str, str]], norms: list[str]) -> list[int]:
        """Word positions that feature j was built from (a position appears once per use)."""
        offset, vectorizer = max((b for b in self.blocks if b[0] <= j), key=lambda b: b[0])
        name = self.names[j]
        kind = vectorizer.analyzer
        if kind in ("char", "char_wb"):
            return [i for i, (surface, _) in enumerate(words) if name.strip() and name.strip() in surface]
        if name.startswith(CONCEPT):  # a lexicon concept: the words of the headline that belong to its terms
            vocabulary = TERM_WORDS.get(name[len(CONCEPT):], frozenset())
            return [i for i, (surface, _) in enumerate(words) if surface in vocabulary]
        if name.endswith("~") and isinstance(kind, HeadlineAnalyzer):
            stem = name[:-1]
            return [i for i, norm in enumerate(norms) if norm.startswith(stem) and len(norm) > len(stem)]
        parts = name.split(" ")
        n = len(parts)
        return [i + k for i in range(len(norms) - n + 1) if norms[i:i + n] == parts for k in range(n)]
