"""Speed, size and accuracy of the default pipeline against a reference, trained on the same corpus in one run.

The reference is the conventional strong baseline: word (1-2) + char_wb (2-5) TF-IDF with an uncalibrated
LinearSVC (the cheapest form of it: no calibration to pay for). Ours is the default pipeline as
`headlines` serves it: loaded from the registry, through `Tagger.predict` (calibrated probabilities, tags).

Measured on one core (BLAS thread pools limited to 1; TF-IDF and sparse products are single-threaded):

* batch throughput: headlines/s for one call on BATCH headlines (best of 3);
* single headline: median latency of one call with one headline, over 1,000 headlines;
* macro-F1: 5-fold stratified cross-validation of the whole pipeline (same folds for both);
* model size: the joblib file (compress=3); train time: `headlines train` (CV + fit + save) wall clock.

    python benchmarks/classifier_bench.py [--data CSV ...]   (default: the English and Chinese corpora)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from classifier.corpus import read_training_corpus
from classifier.pipeline import RANDOM_STATE
from classifier.registry import MODEL_FILE, load_current
from headlines.models import train_and_promote

BATCH = 20_000
SINGLES = 1_000


def reference_pipeline() -> Pipeline:
    """Word + char_wb TF-IDF with LinearSVC: the usual strong baseline for short texts."""
    union = FeatureUnion([
        ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)),
    ])
    return Pipeline([("features", union),
                     ("model", LinearSVC(class_weight="balanced", random_state=RANDOM_STATE))])


def batch_rate(predict: Callable[[Sequence[str]], object], texts: Sequence[str], repeat: int = 3) -> float:
    """Headlines per second of one call on ``texts`` (best of ``repeat``)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        predict(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def single_latency(predict: Callable[[Sequence[str]], object], texts: Sequence[str]) -> float:
    """Median seconds of one call with one headline."""
    for text in texts[:50]:
        predict([text])  # warm caches
    times = []
    for text in texts:
        started = time.perf_counter()
        predict([text])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cv_macro_f1(pipeline: Pipeline, texts: Sequence[str], labels: Sequence[str]) -> float:
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=RANDOM_STATE)
    predicted = cross_val_predict(pipeline, list(texts), list(labels), cv=folds)
    return float(f1_score(labels, predicted, average="macro"))


def joblib_size(obj: object) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.joblib"
        joblib.dump(obj, path, compress=3)
        return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, nargs="*", default=())
    args = parser.parse_args()
    corpus = read_training_corpus(*args.data)
    texts, labels = corpus.texts, corpus.labels
    rng = np.random.default_rng(RANDOM_STATE)
    batch = [texts[i] for i in rng.integers(0, len(texts), BATCH)]
    singles = batch[:SINGLES]
    print(f"corpus: {corpus.name} ({len(texts)} headlines, sha256 {corpus.sha256[:12]})")

    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as models:
        started = time.perf_counter()
        train_and_promote(args.data, Path(models))
        train_s = time.perf_counter() - started
        ours = load_current(Path(models))
        ours_size = next(Path(models).glob(f"*/{MODEL_FILE}")).stat().st_size
        ours_f1 = ours.metadata["metrics"]["macro_f1"]

        started = time.perf_counter()
        reference = reference_pipeline().fit(texts, labels)
        ref_fit_s = time.perf_counter() - started
        ref_size = joblib_size(reference)
        ref_f1 = cv_macro_f1(reference_pipeline(), texts, labels)

        ours_rate = batch_rate(ours.predict, batch)
        ref_rate = batch_rate(reference.predict, batch)
        ours_sk_rate = batch_rate(ours.pipeline.predict_proba, batch)
        ours_one = single_latency(ours.predict, singles)
        ref_one = single_latency(reference.predict, singles)

    mb = 1024 * 1024
    print(f"{'':<34} {'ours':>12} {'reference':>12} {'ratio':>8}")
    print(f"{'batch throughput (headlines/s)':<34} {ours_rate:>12,.0f} {ref_rate:>12,.0f} "
          f"{ours_rate / ref_rate:>7.1f}x")
    print(f"{'single headline (ms, median)':<34} {ours_one * 1e3:>12.3f} {ref_one * 1e3:>12.3f} "
          f"{ref_one / ours_one:>7.1f}x")
    print(f"{'macro-F1 (5-fold CV)':<34} {ours_f1:>12.4f} {ref_f1:>12.4f} {ours_f1 - ref_f1:>+8.4f}")
    print(f"{'model file (MB, joblib z3)':<34} {ours_size / mb:>12.2f} {ref_size / mb:>12.2f} "
          f"{ref_size / ours_size:>7.1f}x")
    print(f"{'train (s)':<34} {train_s:>12.2f} {ref_fit_s:>12.2f}   (ours: CV + fit + save; reference: fit only)")
    print(f"ours through plain sklearn predict_proba: {ours_sk_rate:,.0f} headlines/s")
    print(f"ours = {ours.metadata['pipeline']} (calibrated, tags); reference = word+char TF-IDF + LinearSVC "
          f"(predict only); one core, batch {BATCH:,}, {SINGLES:,} single calls")
    goals = [
        ("batch >= 3x reference", ours_rate >= 3 * ref_rate),
        ("batch >= 50,000/s (stretch)", ours_rate >= 50_000),
        ("single < 1 ms", ours_one < 1e-3),
        ("macro-F1 >= reference", ours_f1 >= ref_f1),
        ("model file < 10 MB", ours_size < 10 * mb),
        ("train < 60 s", train_s < 60),
    ]
    print("goals: " + "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in goals))


if __name__ == "__main__":
    main()
