"""Does review pay off? Reviewing in uncertainty order against random order, simulated on the corpus.

The English and Chinese corpora are split once (stratified, seeded) into a fixed held-out part (20%) and a
pool. A small labeled start (200 headlines drawn at random from the pool) trains the default pipeline; then
each round "reviews" a batch of pool headlines, adds them with their corpus labels and retrains:

* uncertainty: the batch is the headlines the current model hesitates over most (smallest margin between its
  top two probabilities), with a tenth drawn at random, as `headlines review` builds its queue;
* random: the batch is drawn at random.

Macro-F1 on the held-out part after each round, averaged over seeds, is written to
benchmarks/results/review_payoff.md with a plot (review_payoff.svg).

    python benchmarks/review_payoff.py [--rounds 15] [--batch 200] [--seeds 3]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from classifier import LABELS, label_order
from classifier.corpus import read_training_corpus
from classifier.pipeline import build_pipeline

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"


def margins(proba: np.ndarray) -> np.ndarray:
    two = np.sort(proba, axis=1)[:, -2:]
    return two[:, 1] - two[:, 0]


def simulate(texts: np.ndarray, labels: np.ndarray, held: tuple[np.ndarray, np.ndarray], strategy: str,
             start: int, batch: int, rounds: int, seed: int) -> list[tuple[int, float]]:
    rng = np.random.default_rng(seed)
    pool = np.arange(len(texts))
    labeled = rng.choice(pool, size=start, replace=False)
    unlabeled = np.setdiff1d(pool, labeled)
    curve = []
    for _ in range(rounds + 1):
        model = build_pipeline().fit(list(texts[labeled]), list(labels[labeled]))
        predicted = model.predict(list(held[0]))
        curve.append((len(labeled), float(f1_score(held[1], predicted, average="macro"))))
        if strategy == "random":
            picked = rng.choice(unlabeled, size=min(batch, len(unlabeled)), replace=False)
        else:
            proba = model.predict_proba(list(texts[unlabeled]))[:, label_order(model.classes_)]
            order = unlabeled[np.argsort(margins(proba), kind="stable")]
            random_part = batch // 10
            uncertain = order[: batch - random_part]
            rest = np.setdiff1d(unlabeled, uncertain)
            picked = np.concatenate([uncertain, rng.choice(rest, size=min(random_part, len(rest)), replace=False)])
        labeled = np.concatenate([labeled, picked])
        unlabeled = np.setdiff1d(unlabeled, picked)
    return curve


def svg(curves: dict[str, list[tuple[int, float]]], width: int = 560, height: int = 340) -> str:
    pad = 48
    xs = [n for curve in curves.values() for n, _ in curve]
    ys = [f for curve in curves.values() for _, f in curve]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys) - 0.01, max(ys) + 0.01

    def point(n: float, f: float) -> str:
        x = pad + (n - x0) / (x1 - x0) * (width - 2 * pad)
        y = height - pad - (f - y0) / (y1 - y0) * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    colors = {"uncertainty": "#2a6fdb", "random": "#d9822b"}
    lines = "".join(f'<polyline points="{" ".join(point(n, f) for n, f in curve)}" fill="none" '
                    f'stroke="{colors[name]}" stroke-width="2"/>' for name, curve in curves.items())
    legend = "".join(f'<text x="{width - pad - 110}" y="{pad + 16 * i}" fill="{colors[name]}">{name} order</text>'
                     for i, name in enumerate(curves))
    ticks = "".join(f'<text x="{pad - 6}" y="{height - pad - (v - y0) / (y1 - y0) * (height - 2 * pad) + 4:.1f}" '
                    f'text-anchor="end">{v:.2f}</text>' for v in np.linspace(y0, y1, 5))
    xticks = "".join(f'<text x="{pad + (v - x0) / (x1 - x0) * (width - 2 * pad):.1f}" y="{height - pad + 16}" '
                     f'text-anchor="middle">{int(v)}</text>' for v in np.linspace(x0, x1, 5))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11" '
            f'font-family="sans-serif"><rect x="{pad}" y="{pad}" width="{width - 2 * pad}" '
            f'height="{height - 2 * pad}" fill="none" stroke="#bbb"/>{lines}{legend}{ticks}{xticks}'
            f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle">labeled headlines</text>'
            f'<text x="12" y="{height / 2}" text-anchor="middle" transform="rotate(-90 12 {height / 2})">'
            "macro-F1 on the held-out part</text></svg>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--start", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    corpus = read_training_corpus()
    texts, labels = np.asarray(corpus.texts, dtype=object), np.asarray(corpus.labels)
    pool_t, held_t, pool_y, held_y = train_test_split(texts, labels, test_size=0.2, stratify=labels, random_state=0)
    results: dict[str, list[list[tuple[int, float]]]] = {"uncertainty": [], "random": []}
    with threadpool_limits(limits=1):
        for seed in range(args.seeds):
            for strategy in results:
                curve = simulate(pool_t, pool_y, (held_t, held_y), strategy, args.start, args.batch, args.rounds, seed)
                results[strategy].append(curve)
                print(strategy, seed, " ".join(f"{n}:{f:.3f}" for n, f in curve), flush=True)
    mean = {name: [(runs[0][i][0], float(np.mean([run[i][1] for run in runs]))) for i in range(len(runs[0]))]
            for name, runs in results.items()}
    OUT.mkdir(exist_ok=True)
    (OUT / "review_payoff.svg").write_text(svg(mean), encoding="utf-8")
    rows = "\n".join(f"| {n} | {u:.4f} | {r:.4f} | {u - r:+.4f} |"
                     for (n, u), (_, r) in zip(mean["uncertainty"], mean["random"], strict=True))
    gains = [u - r for (_, u), (_, r) in zip(mean["uncertainty"], mean["random"], strict=True)][1:]
    final_u, final_r = mean["uncertainty"][-1][1], mean["random"][-1][1]
    target = final_r
    reached = next((n for n, f in mean["uncertainty"] if f >= target), None)
    (OUT / "review_payoff.md").write_text(f"""# Does review pay off?

Written by `python benchmarks/review_payoff.py --rounds {args.rounds} --batch {args.batch} --start {args.start}
--seeds {args.seeds}`; do not edit by hand. Corpus: {corpus.name}, {len(corpus)} headlines; held-out part
{len(held_t)} (20%, stratified); the rest is the pool. Each round reviews {args.batch} pool headlines and
retrains the default pipeline (`{build_pipeline().named_steps['features'].analyzer!r}` + calibrated
LinearSVC). Macro-F1 on the held-out part, mean of {args.seeds} seeds. Labels: {", ".join(LABELS)}.

![macro-F1 against labeled headlines](review_payoff.svg)

| labeled | uncertainty order | random order | difference |
|---|---|---|---|
{rows}

Uncertainty order ends at {final_u:.4f} against {final_r:.4f} for random order ({final_u - final_r:+.4f}); it is
ahead in {sum(g > 0 for g in gains)} of {len(gains)} rounds after the start, by {np.mean(gains):+.4f} on average.
It reaches random order's final score with {reached if reached is not None else "more than"} labeled
headlines{"" if reached is None else f" instead of {mean['random'][-1][0]}"}.
""", encoding="utf-8")
    print(f"wrote {OUT / 'review_payoff.md'} and review_payoff.svg")


if __name__ == "__main__":
    main()
