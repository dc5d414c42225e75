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
  shares the weight learned from all the others;
* Chinese (and other CJK) text, written without spaces, becomes character n-grams (``cjk=(1, 3)``), and
  the Chinese names of the lexicon (比亚迪, 中芯国际 ...) emit the same concept features;
* a single letter joined by a hyphen stays one word ("e-sports", "e-CNY", "K-pop"), so the "e" of
  "e-sports" is not the "e" of anything else;
* publisher suffixes and kickers (" - Reuters", " | TechNode", "Exclusive:", "UPDATE 2-", "【快讯】") are
  removed first (`strip_kickers`): they say who wrote a headline, not what it is about.

`HeadlineAnalyzer` is a picklable callable for ``TfidfVectorizer(analyzer=...)``; `HeadlineAnalyzer.words`
keeps the surface form of every token so explanations can point at the words of the headline.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from classifier.lexicon import concepts, concepts_zh
from classifier.script import to_simplified

CONCEPT = "\u00a7"  # prefix of lexicon concept features: "§ev", "§chips", ...
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_LETTER = rf"[^\W\d_{CJK}]"  # a letter of any script but Chinese
_TOKEN = re.compile(
    rf"[a-z]+(?:-[a-z]+)?(?!{_LETTER})"  # the common case first: a lower-case ASCII word, maybe hyphenated
    rf"|{_LETTER}+(?:-{_LETTER}+)?"  # a word of any other script
    rf"|[{CJK}]+"  # a run of Chinese characters
    r"|\d+(?:[.,]\d+)*\s?%|\d+(?:[.,]\d+)*|[$¥€£]"
)
_CJK_RUN = re.compile(rf"[{CJK}]")
_CHINESE_STRETCH = re.compile(rf"[{CJK}0-9]*[{CJK}][{CJK}0-9]*")
_KICKER_START = re.compile(
    r"^\s*(?:(?:exclusive|breaking(?: news)?|update\s*\d*|updated|refile|corrected|analysis|explainer|factbox|"
    r"live|watch|video|podcast|opinion|comment|focus|insight|column|brief|in pictures|photos?|just in|"
    r"developing|urgent|flash|report|wrapup\s*\d*)\s*[:\-–—|]+\s*)+",
    re.I,
)
_KICKER_ZH = re.compile(
    rf"^\s*(?:【[^】]{{1,20}}】\s*|[{CJK}\w]{{1,12}}\d{{1,2}}月\d{{1,2}}日(?:电|讯|消息)[，,：:]\s*|[{CJK}]{{1,6}}\s*[丨｜|]\s*)+"
)
_SUFFIX = re.compile(
    r"\s+[|｜\-–—]\s*(?:the\s+)?[\w.&'’]+(?:\s+[\w.&'’]+){0,4}\s*$"  # " - Reuters", " | South China Morning Post"
    r"|\s*\((?:reuters|ap|afp|bloomberg)\)\s*$",
    re.I,
)
_SUFFIX_ZH = re.compile(rf"\s*[|｜]\s*[{CJK}\w]{{2,10}}\s*$")
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


def strip_kickers(text: str) -> str:
    """The headline without the kicker before it ("Exclusive:", "UPDATE 2-", "【快讯】", "财联社11月3日电，")
    or the publisher after it (" - Reuters", " | TechNode", "｜界面新闻"), as long as words remain."""
    chinese = not text.isascii() and _CJK_RUN.search(text) is not None
    stripped = _KICKER_START.sub("", text)
    if chinese:
        stripped = _KICKER_ZH.sub("", stripped)
    if not _may_end_with_publisher(stripped):
        return stripped if stripped.strip() else text
    for suffix in (_SUFFIX_ZH, _SUFFIX) if chinese else (_SUFFIX,):
        shorter = suffix.sub("", stripped)
        if shorter != stripped and _enough(shorter, stripped):
            stripped = shorter
            break
    return stripped if stripped.strip() else text


def _may_end_with_publisher(text: str) -> bool:
    """A cheap look for the separators a publisher's name follows (most headlines have none)."""
    return ("|" in text or "｜" in text or " - " in text or " – " in text or " — " in text
            or text.rstrip().endswith(")"))


def _enough(shorter: str, longer: str) -> bool:
    """A suffix is a publisher only if most of the headline is left once it is gone."""
    words = len(shorter.split()) + len(_CJK_RUN.findall(shorter)) / 2
    return words >= 4 and len(shorter) >= 0.5 * len(longer)


def _fold(text: str) -> str:
    """Kickers gone, Unicode width and case folded, possessive 's dropped, traditional Chinese written as
    simplified (臺積電 and 台积电 are one company): where every tokenization starts."""
    text = strip_kickers(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        if _CJK_RUN.search(text):
            text = to_simplified(text)
    text = text.casefold()
    return _POSSESSIVE.sub("", text) if "'" in text or "’" in text else text


class HeadlineAnalyzer:
    """Turn a headline into word (and word-bigram) features; a callable for TfidfVectorizer.

    Parameters are stored as given (so the analyzer compares, copies and pickles by value):
    ``bigrams`` adds adjacent token pairs; for each n in ``prefixes``, words longer than n letters also
    emit their first n letters as a feature ending in ``~``; ``lexicon`` adds one ``§<sector>`` feature per
    lexicon term found; ``cjk`` is the (smallest, largest) length of the character n-grams a run of Chinese
    text becomes, or None to keep such a run as one token.
    """

    def __init__(self, bigrams: bool = True, prefixes: tuple[int, ...] = (), lexicon: bool = False,
                 cjk: tuple[int, int] | None = None) -> None:
        self.bigrams = bigrams
        self.prefixes = tuple(prefixes)
        self.lexicon = lexicon
        self.cjk = tuple(cjk) if cjk else None
        self._cache: dict[str, str] = {}
        self._features_cache: dict[str, tuple[str | None, tuple[str, ...]]] = {}

    def __repr__(self) -> str:
        return (f"HeadlineAnalyzer(bigrams={self.bigrams}, prefixes={self.prefixes}, lexicon={self.lexicon}, "
                f"cjk={self.cjk})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HeadlineAnalyzer) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __getstate__(self) -> dict[str, Any]:
        # the cache is rebuilt, never saved
        return {"bigrams": self.bigrams, "prefixes": self.prefixes, "lexicon": self.lexicon, "cjk": self.cjk}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.bigrams = state["bigrams"]
        self.prefixes = tuple(state["prefixes"])
        self.lexicon = state.get("lexicon", False)
        self.cjk = tuple(state["cjk"]) if state.get("cjk") else None
        self._cache = {}
        self._features_cache = {}

    def words(self, text: str) -> list[tuple[str, str]]:
        """The units of ``text`` an explanation can name, as (surface form, normalized) pairs, in order:
        words, and the character pairs of Chinese text (which has no spaces to find words by)."""
        units: list[tuple[str, str]] = []
        for surface, normal in zip(surfaces := _surfaces(_fold(text)), self._normalized(surfaces), strict=True):
            if self.cjk and surface[0] >= "\u3400" and _CJK_RUN.match(surface):
                units.extend((pair, pair) for pair in _ngrams(surface, 2, 2))
            else:
                units.append((surface, normal))
        return units

    def tokens(self, text: str) -> list[str]:
        """The normalized tokens of ``text``, in order (a run of Chinese text is one token)."""
        return self._normalized(_surfaces(_fold(text)))

    def features(self, tokens: list[str], chinese: bool | None = None) -> list[str]:
        """The features of a token list: tokens (Chinese runs as character n-grams), bigrams, prefixes.
        `chinese` says whether any token is a run of Chinese text, when the caller already knows."""
        return self._features(tokens, chinese)[0]

    def _features(self, tokens: list[str], chinese: bool | None) -> tuple[list[str], int]:
        """Features, the headline's own units first (`is_evidence`), and how many units there are."""
        if chinese is None:
            chinese = any(t[0] >= "\u3400" and _CJK_RUN.match(t) for t in tokens)
        if self.cjk and chinese:
            low, high = self.cjk
            words: list[str] = []
            feats: list[str] = []
            extras: list[str] = []
            for t in tokens:
                if t[0] < "\u3400" or not _CJK_RUN.match(t):
                    words.append(t)
                    (extras if t[0] == "<" else feats).append(t)
                elif len(t) < max(low, 2):
                    (feats if len(t) > 1 else extras).append(t)
                else:
                    if low == 1:
                        extras.extend(t)  # single characters: features, not units
                    for n in range(max(low, 2), high + 1):
                        feats.extend([t[i:i + n] for i in range(len(t) - n + 1)])
            units = len(feats)
            feats += extras
            tokens = words
        else:
            feats = [t for t in tokens if t[0] != "<"]
            units = len(feats)
            if units < len(tokens):
                feats += [t for t in tokens if t[0] == "<"]
        if self.bigrams:
            feats.extend([f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)])
        for n in self.prefixes:
            feats.extend([t[:n] + "~" for t in tokens if len(t) > n and t[0] != "<"])
        return feats, units

    def __call__(self, text: str) -> list[str]:
        return self.analyze(text)[0]

    def analyze(self, text: str) -> tuple[list[str], int]:
        """The features of a headline, its own units first (`is_evidence`), and how many of them there are:
        what the fast scorer needs to tell how much of a headline the model knows, at no extra cost."""
        folded = _fold(text)
        chinese = not folded.isascii() and _CJK_RUN.search(folded) is not None
        surfaces = _surfaces(folded)
        if chinese or self.bigrams:
            feats, units = self._features(self._normalized(surfaces), chinese)
        else:  # the common case, a token at a time from the cache
            words: list[str] = []
            extras: list[str] = []
            get = self._features_cache.get
            for surface in surfaces:
                unit, more = get(surface) or self._token_features(surface)
                if unit is not None:
                    words.append(unit)
                extras.extend(more)
            units = len(words)
            feats = words + extras
        if self.lexicon:
            pieces = [p for s in surfaces for p in s.split("-")] if "-" in folded else surfaces
            feats.extend([CONCEPT + sector for sector in concepts(pieces)])
            if self.cjk and chinese:
                for stretch in _CHINESE_STRETCH.findall(folded):
                    feats.extend([CONCEPT + sector for sector in concepts_zh(stretch)])
        return feats, units

    @staticmethod
    def is_evidence(feature: str) -> bool:
        """Whether a feature is one of the headline's own units (a word, a pair or triple of Chinese
        characters), the kind whose being known or unknown says how much the model knows of a headline.
        Concepts, placeholders, prefixes, word pairs and single Chinese characters are not."""
        first = feature[0]
        if first in "§<" or feature[-1] == "~" or " " in feature:
            return False
        return not (len(feature) == 1 and first >= "\u3400")

    def _token_features(self, surface: str) -> tuple[str | None, tuple[str, ...]]:
        """A word's unit (None for a placeholder) and its other features (prefixes, or the placeholder);
        cached for words, which repeat, not for numbers, which vary endlessly."""
        normal = self._normalized([surface])[0]
        if normal[0] == "<":
            return None, (normal,)
        found = (normal, tuple(normal[:n] + "~" for n in self.prefixes if len(normal) > n))
        if len(self._features_cache) < _STEM_CACHE_LIMIT:
            self._features_cache[surface] = found
        return found

    def _normalized(self, surfaces: list[str]) -> list[str]:
        get = self._cache.get
        return [get(s) or self._normalize(s) for s in surfaces]

    def _normalize(self, token: str) -> str:
        """Normalize a token missing from the cache; words (not numbers, which vary endlessly) are cached."""
        if _CJK_RUN.match(token):
            return token
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


def _surfaces(folded: str) -> list[str]:
    """The tokens of folded text as written; a hyphen joins two words only after a single letter."""
    found = _TOKEN.findall(folded)
    if "-" not in folded:
        return found
    return [part for token in found for part in ((token,) if token.find("-") in (-1, 1) else token.split("-"))]


def _ngrams(run: str, low: int, high: int) -> list[str]:
    """The character n-grams of a run of Chinese text, low <= n <= high (the run itself if shorter)."""
    if len(run) < low:
        return [run]
    return [run[i:i + n] for n in range(low, high + 1) for i in range(len(run) - n + 1)]
