"""Rules: systematic corrections of the model, written as `pattern -> sector`, without waiting for a retrain.

A rules file is TOML, a list of ``[[rules]]`` tables::

    [[rules]]
    name    = "parcel-lockers"        # optional; shown in previews
    pattern = "parcel locker"         # what to look for in a title
    match   = "phrase"                # word (default) | phrase | regex; case is ignored
    sector  = "ecommerce"             # or not_headline, to hide such rows
    source  = "scmp-tech"             # optional: only this source's headlines

A word or phrase matches at word boundaries (anywhere in Chinese text, which has none). The first rule that
matches a title decides. A rule's label is recorded with provenance ``rule``; it never overrides a person's
label, and it is not training data. `plan` says what applying would change, so that a preview and the
apply that follows it are the same list.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headlines.errors import InputError
from headlines.labels import VALID_LABELS
from store import LabelEvent, Query, Store, StoredHeadline

MATCHES = ("word", "phrase", "regex")
_KEYS = {"name", "pattern", "match", "sector", "source"}
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str
    match: str
    sector: str
    source: str | None
    compiled: re.Pattern[str]

    def applies(self, headline: StoredHeadline) -> bool:
        return (self.source is None or headline.source == self.source) and bool(self.compiled.search(headline.title))


def _compile(pattern: str, match: str) -> re.Pattern[str]:
    if match == "regex":
        return re.compile(pattern, re.IGNORECASE)
    escaped = r"\s+".join(re.escape(word) for word in pattern.split())
    if _CJK.search(pattern):
        return re.compile(escaped, re.IGNORECASE)
    return re.compile(rf"(?<!\w){escaped}(?!\w)", re.IGNORECASE)


def _rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: each [[rules]] entry must be a table")
    unknown = set(raw) - _KEYS
    if unknown:
        raise InputError(f"{where}: unknown key '{sorted(unknown)[0]}'; allowed: {', '.join(sorted(_KEYS))}")
    pattern, sector = raw.get("pattern"), raw.get("sector")
    if not isinstance(pattern, str) or not pattern.strip():
        raise InputError(f"{where}: key 'pattern' must be a non-empty string")
    if sector not in VALID_LABELS:
        raise InputError(f"{where}: key 'sector' must be one of {', '.join(VALID_LABELS)}, got {sector!r}")
    match = raw.get("match", "word")
    if match not in MATCHES:
        raise InputError(f"{where}: key 'match' must be one of {', '.join(MATCHES)}, got {match!r}")
    source = raw.get("source")
    if source is not None and (not isinstance(source, str) or not source):
        raise InputError(f"{where}: key 'source' must be a source name")
    try:
        compiled = _compile(pattern.strip(), match)
    except re.error as exc:
        raise InputError(f"{where}: key 'pattern' is not a valid regular expression ({exc})") from None
    return Rule(str(raw.get("name") or pattern.strip()), pattern.strip(), match, str(sector), source, compiled)


def load_rules(path: Path) -> list[Rule]:
    """Read and check a rules file; every error names the file, the rule and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: rules file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    if set(data) - {"rules"}:
        raise InputError(f"{path}: unknown top-level key '{sorted(set(data) - {'rules'})[0]}'; expected [[rules]]")
    raw = data.get("rules")
    if not isinstance(raw, list):
        raise InputError(f"{path}: no [[rules]] tables found")
    return [_rule(entry, f"{path}: rule #{i}") for i, entry in enumerate(raw, 1)]


@dataclass(frozen=True)
class Change:
    rule: Rule
    headline: StoredHeadline

    @property
    def shown_changes(self) -> bool:
        """Whether the sector people see changes (not only the provenance of an agreeing tag)."""
        return self.headline.effective_sector != self.rule.sector


def plan(rules: list[Rule], headlines: Iterable[StoredHeadline]) -> Iterator[Change]:
    """What applying the rules would do: the first matching rule of each headline no person labeled,
    unless that rule's label is already there."""
    for headline in headlines:
        if headline.reviewed:
            continue
        rule = next((r for r in rules if r.applies(headline)), None)
        if rule is None or (headline.label_via == "rule" and headline.label == rule.sector):
            continue
        yield Change(rule, headline)


def candidates(store: Store, query: Query | None = None) -> Iterator[StoredHeadline]:
    """The stored headlines rules may touch (hidden rows included: a rule may bring them back)."""
    base = query or Query()
    yield from store.query(Query(sources=base.sources, since=base.since, until=base.until, reviewed=False,
                                 include_hidden=True, order="id"))


def apply(store: Store, changes: list[Change]) -> int:
    """Record the planned changes as labels with provenance ``rule``, in one transaction."""
    events = [LabelEvent(c.headline.url, c.rule.sector, "rule", f"rule:{c.rule.name}",
                         model_sector=c.headline.sector, model_confidence=c.headline.confidence,
                         model_id=c.headline.model_id) for c in changes]
    return store.add_labels(events) if events else 0
