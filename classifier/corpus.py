"""The labeled corpus: reading ``headline,sector`` CSV files and finding what would spoil training on them.

`read_corpus` rejects files it cannot read as a corpus (not UTF-8, wrong header, wrong column count) with a
`CorpusError` naming the file and line. `corpus_problems` lists what is readable but wrong: unknown labels,
empty headlines, duplicates and near-duplicates. Near-duplicates (the same story reworded slightly, or a
template with other numbers) would sit on both sides of a cross-validation split and inflate the scores.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from classifier import LABELS
from classifier.errors import CorpusError

__all__ = [
    "DATA", "DEFAULT_CORPORA", "DEFAULT_CORPUS", "Corpus", "CorpusError", "corpus_problems", "fatal_problems",
    "near_duplicates", "read_corpus", "read_training_corpus",
]

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_CORPUS: Path = DATA / "headlines.csv"
DEFAULT_CORPORA: tuple[Path, ...] = (DEFAULT_CORPUS, DATA / "headlines-zh.csv")
"""What `headlines train` learns from: the English and the Chinese corpus, one model for both."""
HEADER = ("headline", "sector")
NEAR_DUPLICATE_JACCARD = 0.8
"""Two headlines whose word sets (numbers folded) overlap this much are near-duplicates."""

_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def overlap_units(text: str) -> set[str]:
    """What two headlines are compared on: words (numbers folded), and character pairs of Chinese text,
    which is written without spaces between words."""
    folded = text.casefold()
    units = {_DIGITS.sub("0", w) for w in _WORD.findall(_CJK_RUN.sub(" ", folded))}
    for run in _CJK_RUN.findall(folded):
        units.update(run[i:i + 2] for i in range(max(len(run) - 1, 1)))
    return units


@dataclass(frozen=True)
class Corpus:
    """Headlines and their labels, in file order; ``sha256`` is the hash of the file's bytes."""

    texts: list[str]
    labels: list[str]
    sha256: str
    path: Path
    lines: tuple[int, ...] = ()
    parts: tuple[Path, ...] = ()  # the files a merged corpus was read from

    @property
    def name(self) -> str:
        """How reports name it: the file name, or the names of the files it was merged from."""
        return "+".join(p.name for p in self.parts) if self.parts else self.path.name

    def __len__(self) -> int:
        return len(self.texts)

    def line(self, index: int) -> int:
        """The file line number of row ``index`` (the header is line 1)."""
        return self.lines[index] if self.lines else index + 2


def read_corpus(path: Path) -> Corpus:
    """Read a UTF-8 CSV with header ``headline,sector``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the corpus: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line}: not UTF-8 (byte {data[exc.start]:#04x})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != HEADER:
        raise CorpusError(f"{path}:1: the header must be 'headline,sector', found {','.join(header or [])!r}")
    texts: list[str] = []
    labels: list[str] = []
    lines: list[int] = []
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != 2:
            raise CorpusError(f"{path}:{line}: expected 2 columns (headline,sector), found {len(row)}")
        texts.append(row[0].strip())
        labels.append(row[1].strip())
        lines.append(line)
    return Corpus(texts, labels, hashlib.sha256(data).hexdigest(), path, tuple(lines))


def corpus_problems(corpus: Corpus) -> list[str]:
    """One message per unknown label, empty headline, duplicate and near-duplicate, in file order."""
    return [p.message for p in _problems(corpus)]


def fatal_problems(corpus: Corpus) -> list[str]:
    """The problems that make training impossible: unknown labels and empty headlines."""
    return [p.message for p in _problems(corpus) if p.kind in ("label", "empty")]


@dataclass(frozen=True)
class _Problem:
    line: int
    kind: str  # label | empty | duplicate | near-duplicate
    message: str


def _problems(corpus: Corpus) -> list[_Problem]:
    where = str(corpus.path)
    problems: list[_Problem] = []
    seen: dict[str, int] = {}
    keys = [" ".join(text.casefold().split()) for text in corpus.texts]
    for i, (key, label) in enumerate(zip(keys, corpus.labels, strict=True)):
        line = corpus.line(i)
        if label not in LABELS:
            expected = ", ".join(LABELS)
            problems.append(_Problem(line, "label", f"{where}:{line}: unknown label {label!r} (expected {expected})"))
        if not key:
            problems.append(_Problem(line, "empty", f"{where}:{line}: empty headline"))
        elif key in seen:
            message = f"{where}:{line}: duplicate of line {seen[key]}: {corpus.texts[i]!r}"
            problems.append(_Problem(line, "duplicate", message))
        else:
            seen[key] = line
    for i, j in near_duplicates(corpus.texts):
        if keys[i] != keys[j]:  # exact duplicates are reported above
            li, lj = corpus.line(i), corpus.line(j)
            message = f"{where}:{lj}: near-duplicate of line {li}: {corpus.texts[j]!r} ~ {corpus.texts[i]!r}"
            problems.append(_Problem(lj, "near-duplicate", message))
    return sorted(problems, key=lambda p: p.line)


def near_duplicates(texts: list[str], threshold: float = NEAR_DUPLICATE_JACCARD) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of non-empty texts whose `overlap_units` have Jaccard similarity >= ``threshold``."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        for w in overlap_units(text):
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    if not rows:
        return []
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab)))
    sizes = np.asarray(x.sum(axis=1)).ravel()
    overlap = sparse.triu(x @ x.T, k=1).tocoo()
    union = sizes[overlap.row] + sizes[overlap.col] - overlap.data
    keep = overlap.data >= threshold * union
    pairs = sorted(zip(overlap.row[keep].tolist(), overlap.col[keep].tolist(), strict=True))
    return [(int(i), int(j)) for i, j in pairs]


def read_training_corpus(*paths: Path) -> Corpus:
    """Read the corpus (or corpora, merged in order) to train on: fatal problems (unknown labels, empty
    headlines) raise `CorpusError`, the others (duplicates, near-duplicates) are logged, since they only
    weaken the cross-validated figures."""
    corpora = [read_corpus(path) for path in paths or DEFAULT_CORPORA]
    for corpus in corpora:
        fatal = fatal_problems(corpus)
        if fatal:
            more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
            raise CorpusError(f"{fatal[0]}{more}")
        for problem in corpus_problems(corpus):
            logger.warning("%s", problem)
    if len(corpora) == 1:
        return corpora[0]
    digest = hashlib.sha256("".join(c.sha256 for c in corpora).encode()).hexdigest()
    return Corpus([t for c in corpora for t in c.texts], [label for c in corpora for label in c.labels], digest,
                  corpora[0].path, parts=tuple(c.path for c in corpora))
