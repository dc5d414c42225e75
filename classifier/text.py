"""Headline tokenization: the cheap normalization that lets word features generalize.

A character n-gram analyzer makes a classifier robust to new company names and inflections, but costs
about ten times the throughput of word features. Most of that robustness comes from a few regularities
that a word tokenizer can apply directly:

* case and Unicode width are folded (NFKC, casefold), and ``’s`` possessives dropped;
* numbers, percentages, years and currency symbols become placeholder tokens (``<num>``, ``<pct>``,
  ``<year>``, ``<cur>``), so "21,000 vehicles" and "9,500 vehicles" look alike;
* digits and letters are split ("7nm" -> ``<num> nm``, "5G" -> ``<num> g``), hyphens separate words;
* plurals are folded by an S-stemmer (Harman 1991): "chips" -> "chip", "batteries" -> "battery";
* optionally, words also emit their first letters (``chipmakers`` -> ``chi~``, ``chipm~``), a cheap
  stand-in for character n-grams that ties "chipmaking", "chipset" and "chipmakers" together;
* optionally, every name or term of the sector lexicon (`classifier.lexicon`) found in the headline emits
  a concept feature for its sector (``"Hua Hong"`` -> ``§chips``), so a company the corpus mentions once
  shares the weight learned from all the others.

`HeadlineAnalyzer` is a picklable callable for ``TfidfVectorizer(analyzer=...)``; `HeadlineAnalyzer.words`
keeps the surface form of every token so explanations can point at the words of the headline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from classifier.lexicon import concepts

CONCEPT = "\u00a7"  # prefix of lexicon concept features: "§ev", "§chips", ...
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*\s?%|\d+(?:[.,]\d+)*|[$¥€£]|[^\W\d_]+")
_POSSESSIVE = re.compile(r"['’]s\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_SPECIAL = {
    "percent": "<pct>", "pct": "<pct>",
    "yuan": "<cur>", "rmb": "<cur>", "usd": "<cur>", "dollar": "<cur>", "dollars": "<cur>", "euro": "<cur>",
    "euros": "<cur>", "yen": "<cur>", "won": "<cur>", "rupee": "<cur>", "rupees": "<cur>",
    "bn": "billion", "mn": "million", "mln": "million", "tn": "trillion",
}
_KEEP_S = ("ss", "us", "is", "os", "as")
_STEM_CACHE_LIMIT = 200_000


def stem(word: str) -> str:
    """Fold English plurals (Harman's S-stemmer): batteries -> battery, chips -> chip, bus -> bus."""
    if len(word) <= 3 or not word.endswith("s"):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith(_KEEP_S):
        return word
    return word[:-1]


def _fold(text: str) -> str:
    """Unicode width and case folded, possessive 's dropped: the text every tokenization starts from."""
    return _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text).casefold())


class HeadlineAnalyzer:
    """Turn a headline into word (and word-bigram) features; a callable for TfidfVectorizer.

    Parameters are stored as given (so the analyzer compares, copies and pickles by value):
    ``bigrams`` adds adjacent token pairs; for each n in ``prefixes``, words longer than n letters also
    emit their first n letters as a feature ending in ``~``; ``lexicon`` adds one ``§<sector>`` feature per
    lexicon term found.
    """

    def __init__(self, bigrams: bool = True, prefixes: tuple[int, ...] = (), lexicon: bool = False) -> None:
        self.bigrams = bigrams
        self.prefixes = tuple(prefixes)
        self.lexicon = lexicon
        self._cache: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"HeadlineAnalyzer(bigrams={self.bigrams}, prefixes={self.prefixes}, lexicon={self.lexicon})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HeadlineAnalyzer) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __getstate__(self) -> dict[str, Any]:
        # the cache is rebuilt, never saved
        return {"bigrams": self.bigrams, "prefixes": self.prefixes, "lexicon": self.lexicon}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.bigrams = state["bigrams"]
        self.prefixes = tuple(state["prefixes"])
        self.lexicon = state.get("lexicon", False)
        self._cache = {}

    def words(self, text: str) -> list[tuple[str, str]]:
        """The tokens of ``text`` as (surface form, normalized token) pairs, in order."""
        surfaces = _TOKEN.findall(_fold(text))
        return list(zip(surfaces, self._normalized(surfaces), strict=True))

    def tokens(self, text: str) -> list[str]:
        """The normalized tokens of ``text``, in order."""
        return self._normalized(_TOKEN.findall(_fold(text)))

    def features(self, tokens: list[str]) -> list[str]:
        """The features of a token list: tokens, then bigrams, then prefixes."""
        feats = list(tokens)
        if self.bigrams:
            feats.extend([f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)])
        for n in self.prefixes:
            feats.extend([t[:n] + "~" for t in tokens if len(t) > n and t[0] != "<"])
        return feats

    def __call__(self, text: str) -> list[str]:
        surfaces = _TOKEN.findall(_fold(text))
        feats = self.features(self._normalized(surfaces))
        if self.lexicon:
            feats.extend([CONCEPT + sector for sector in concepts(surfaces)])
        return feats

    def _normalized(self, surfaces: list[str]) -> list[str]:
        get = self._cache.get
        return [get(s) or self._normalize(s) for s in surfaces]

    def _normalize(self, token: str) -> str:
        """Normalize a token missing from the cache; words (not numbers, which vary endlessly) are cached."""
        if token[-1] == "%":
            return "<pct>"
        if token[0].isdigit():
            return "<year>" if _YEAR.fullmatch(token) else "<num>"
        if token in "$¥€£":
            return "<cur>"
        normal = _SPECIAL.get(token) or stem(token)
        if len(self._cache) < _STEM_CACHE_LIMIT:
            self._cache[token] = normal
        return normal
