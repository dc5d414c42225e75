"""Rendering an `Evaluation` for people: a plain-text report for the terminal and a self-contained HTML page.

The HTML page has no external files: the confusion matrix is a table coloured by row share and the
reliability curve is an inline SVG, so the page can be mailed or archived as a single file.
"""

from __future__ import annotations

from html import escape
from typing import Any

from classifier import LABELS
from classifier.evaluate import Evaluation


def metrics_table(summary: dict[str, Any]) -> str:
    """Per-class precision/recall/F1 and the overall figures of `Evaluation.summary()`, as aligned text."""
    lines = [f"{'sector':<10} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}"]
    for label in LABELS:
        p, r, f = (summary[key][label] for key in ("precision", "recall", "f1"))
        lines.append(f"{label:<10} {p:>9.3f} {r:>7.3f} {f:>7.3f} {summary['support'][label]:>8}")
    lines.append(f"{'macro-F1':<10} {summary['macro_f1']:>25.3f} {summary['size']:>8}")
    lines.append(f"accuracy {summary['accuracy']:.3f}   ECE {summary['ece']:.3f}   Brier {summary['brier']:.3f}")
    if "false_tags" in summary:
        lines.append(f"false sector tags among other {summary['false_tags']:.3f}   sector precision "
                     f"{summary['sector_precision']:.3f}   sector recall {summary['sector_recall']:.3f}")
    return "\n".join(lines)


def text_report(evaluation: Evaluation, title: str = "") -> str:
    """Metrics, confusion matrix and reliability table as plain text."""
    width = max(len(label) for label in LABELS) + 1
    out = [title or "Evaluation", f"({evaluation.source}, {evaluation.size} headlines)", "",
           metrics_table(evaluation.summary()), "", "Confusion matrix (rows: true sector, columns: predicted)",
           " " * width + " ".join(f"{label:>{width}}" for label in LABELS)]
    for label, row in zip(LABELS, evaluation.confusion, strict=True):
        out.append(f"{label:<{width}}" + " ".join(f"{n:>{width}}" for n in row))
    out += ["", "Reliability of the top probability (a calibrated model has accuracy close to confidence)",
            f"{'bin':<11} {'count':>6} {'confidence':>11} {'accuracy':>9}"]
    for b in evaluation.reliability:
        if b.count:
            out.append(f"{b.lower:.1f}–{b.upper:.1f}    {b.count:>6} {b.confidence:>11.3f} {b.accuracy:>9.3f}")
    return "\n".join(out)


def html_report(evaluation: Evaluation, title: str = "Headline classifier evaluation") -> str:
    """A standalone HTML page: metrics table, coloured confusion grid and an SVG reliability curve."""
    rows = "".join(
        f"<tr><th>{label}</th><td>{s.precision:.3f}</td><td>{s.recall:.3f}</td><td>{s.f1:.3f}</td>"
        f"<td>{s.support}</td></tr>"
        for label, s in ((label, evaluation.per_class[label]) for label in LABELS)
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 56em; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ padding: .35em .7em; text-align: right; border: 1px solid #ddd; }}
th {{ background: #f6f6f6; }}
.grid td {{ min-width: 4em; text-align: center; font-variant-numeric: tabular-nums; }}
.muted {{ color: #666; }}
</style></head><body>
<h1>{escape(title)}</h1>
<p class="muted">{escape(evaluation.source)} — {evaluation.size} headlines</p>
<p>macro-F1 <b>{evaluation.macro_f1:.3f}</b> · accuracy {evaluation.accuracy:.3f} ·
ECE {evaluation.ece:.3f} · Brier {evaluation.brier:.3f}</p>
<h2>Per sector</h2>
<table><tr><th></th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>
<h2>Confusion matrix</h2>
<p class="muted">Rows: true sector; columns: predicted. Colour: share of the row (green on the diagonal,
red off it).</p>
{_confusion_grid(evaluation.confusion)}
<h2>Reliability</h2>
<p class="muted">Accuracy of the predictions in each band of top probability; the dashed diagonal is perfect
calibration; dot area is the number of predictions.</p>
{reliability_svg(evaluation)}
</body></html>
"""


def _confusion_grid(confusion: list[list[int]]) -> str:
    head = "".join(f"<th>{label}</th>" for label in LABELS)
    body = []
    for i, (label, row) in enumerate(zip(LABELS, confusion, strict=True)):
        total = sum(row) or 1
        cells = []
        for j, n in enumerate(row):
            share = n / total
            hue = 130 if i == j else 0
            light = 100 - 55 * share if n else 100
            cells.append(f'<td style="background:hsl({hue},60%,{light:.0f}%)" title="{share:.0%} of {label}">{n}</td>')
        body.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    return f'<table class="grid"><tr><th>true \\ predicted</th>{head}</tr>{"".join(body)}</table>'


def reliability_svg(evaluation: Evaluation, size: int = 320) -> str:
    """The reliability curve (confidence against accuracy per bin) as an inline SVG element."""
    pad = 40
    span = size - 2 * pad

    def xy(conf: float, acc: float) -> tuple[float, float]:
        return pad + conf * span, size - pad - acc * span

    bins = [b for b in evaluation.reliability if b.count]
    most = max((b.count for b in bins), default=1)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(b.confidence, b.accuracy) for b in bins))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{3 + 9 * (b.count / most) ** 0.5:.1f}" fill="#2a6fdb" '
        f'fill-opacity=".7"><title>{b.lower:.1f}–{b.upper:.1f}: {b.count} predictions, confidence '
        f'{b.confidence:.3f}, accuracy {b.accuracy:.3f}</title></circle>'
        for b, (x, y) in ((b, xy(b.confidence, b.accuracy)) for b in bins)
    )
    ticks = "".join(
        f'<text x="{pad + t * span:.1f}" y="{size - pad + 16}" text-anchor="middle">{t:.1f}</text>'
        f'<text x="{pad - 8}" y="{size - pad - t * span + 4:.1f}" text-anchor="end">{t:.1f}</text>'
        for t in (0.0, 0.25, 0.5, 0.75, 1.0)
    )
    x0, y0 = xy(0, 0)
    x1, y1 = xy(1, 1)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}"
 font-size="11" role="img" aria-label="Reliability curve">
<rect x="{pad}" y="{pad}" width="{span}" height="{span}" fill="none" stroke="#bbb"/>
<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" stroke-dasharray="4 4"/>
<polyline points="{points}" fill="none" stroke="#2a6fdb" stroke-width="2"/>{dots}{ticks}
<text x="{size / 2}" y="{size - 6}" text-anchor="middle">confidence (top probability)</text>
<text x="12" y="{size / 2}" text-anchor="middle" transform="rotate(-90 12 {size / 2})">accuracy</text>
</svg>"""
