"""The digest: what is new in each sector, most confident first, against the period before.

A headline's sector is a person's label where there is one, else the model's. A story that reached the
store through several sources (one URL each) is listed once, under its earliest sighting, with the number
of other sources. Counts per sector are set against the same length of time just before. The HTML form is
one self-contained file (inline styles, no scripts or images), so it reads the same in a browser and in an
e-mail client.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from html import escape

from classifier import LABELS, SECTORS
from store import Query, Store, StoredHeadline


@dataclass(frozen=True)
class Item:
    headline: StoredHeadline
    also: int  # other sources that carried the same headline


@dataclass(frozen=True)
class Digest:
    since: datetime
    until: datetime
    groups: dict[str, list[Item]]  # sector -> items, most confident first
    counts: Counter[str]  # headlines per sector in the period (repeats included)
    previous: Counter[str]  # the same in the period just before


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def _rank(h: StoredHeadline) -> float:
    return 2.0 if h.reviewed else (h.confidence or 0.0)  # a person's label is surer than any model


def build_digest(store: Store, since: datetime, until: datetime) -> Digest:
    """The headlines first seen in [since, until), grouped by sector."""
    period = list(store.query(Query(since=since, until=until, order="first_seen")))
    before = Query(since=since - (until - since), until=since)
    previous = Counter(h.effective_sector or "untagged" for h in store.query(before))
    counts = Counter(h.effective_sector or "untagged" for h in period)
    first: dict[str, StoredHeadline] = {}
    repeats: Counter[str] = Counter()
    for h in period:
        key = _key(h.title)
        if key in first:
            repeats[key] += 1
        else:
            first[key] = h
    groups: dict[str, list[Item]] = {}
    for key, h in first.items():
        groups.setdefault(h.effective_sector or "untagged", []).append(Item(h, repeats[key]))
    for items in groups.values():
        items.sort(key=lambda item: (-_rank(item.headline), item.headline.first_seen_at))
    return Digest(since, until, groups, counts, previous)


def _change(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "–"
    return f"{(now - before) / before:+.0%}"


def _when(h: StoredHeadline) -> str:
    return f"{(h.published_at or h.first_seen_at):%Y-%m-%d %H:%M} UTC"


def _order(digest: Digest, include_other: bool) -> list[str]:
    shown = list(SECTORS) + (["other"] if include_other else [])
    return [s for s in shown if digest.groups.get(s)]


def render_markdown(digest: Digest, include_other: bool = False, per_sector: int = 30) -> str:
    lines = [f"# Headlines {digest.since:%Y-%m-%d %H:%M} – {digest.until:%Y-%m-%d %H:%M} UTC", "",
             "| sector | headlines | the period before | change |", "|---|---|---|---|"]
    for sector in (*LABELS, "untagged"):
        now, before = digest.counts[sector], digest.previous[sector]
        if now or before:
            lines.append(f"| {sector} | {now} | {before} | {_change(now, before)} |")
    for sector in _order(digest, include_other):
        items = digest.groups[sector]
        lines += ["", f"## {sector} ({len(items)})", ""]
        for item in items[:per_sector]:
            h = item.headline
            also = f" (+{item.also} more sources)" if item.also else ""
            sure = "reviewed" if h.reviewed else (f"{h.confidence:.2f}" if h.confidence is not None else "–")
            lines.append(f"- [{h.title}]({h.url}) — {h.source}, {_when(h)}, {sure}{also}")
        if len(items) > per_sector:
            lines.append(f"- … and {len(items) - per_sector} more")
    return "\n".join(lines) + "\n"


_CELL = "padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:left"


def render_html(digest: Digest, include_other: bool = False, per_sector: int = 30) -> str:
    title = f"Headlines {digest.since:%Y-%m-%d %H:%M} – {digest.until:%Y-%m-%d %H:%M} UTC"
    count_rows = "".join(
        f'<tr><td style="{_CELL}">{sector}</td><td style="{_CELL}">{digest.counts[sector]}</td>'
        f'<td style="{_CELL}">{digest.previous[sector]}</td>'
        f'<td style="{_CELL}">{_change(digest.counts[sector], digest.previous[sector])}</td></tr>'
        for sector in (*LABELS, "untagged") if digest.counts[sector] or digest.previous[sector])
    sections = []
    for sector in _order(digest, include_other):
        items = digest.groups[sector]
        entries = []
        for item in items[:per_sector]:
            h = item.headline
            also = f" · +{item.also} more sources" if item.also else ""
            sure = "reviewed" if h.reviewed else (f"{h.confidence:.2f}" if h.confidence is not None else "–")
            entries.append(
                f'<li style="margin:0 0 8px 0"><a href="{escape(h.url)}" style="color:#1a4fa3;'
                f'text-decoration:none">{escape(h.title)}</a><br><span style="color:#666;font-size:13px">'
                f"{escape(h.source)} · {_when(h)} · {sure}{also}</span></li>")
        more = (f'<li style="color:#666">… and {len(items) - per_sector} more</li>'
                if len(items) > per_sector else "")
        sections.append(f'<h2 style="font-size:18px;margin:24px 0 8px 0">{sector} ({len(items)})</h2>'
                        f'<ul style="padding-left:18px;margin:0">{"".join(entries)}{more}</ul>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{escape(title)}</title></head>
<body style="margin:0;padding:24px;font:15px/1.45 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">
<div style="max-width:720px;margin:0 auto">
<h1 style="font-size:22px;margin:0 0 12px 0">{escape(title)}</h1>
<table style="border-collapse:collapse;margin:0 0 8px 0"><tr><th style="{_CELL}">sector</th>
<th style="{_CELL}">headlines</th><th style="{_CELL}">the period before</th><th style="{_CELL}">change</th></tr>
{count_rows}</table>
{"".join(sections)}
</div></body></html>
"""
