"""Loading and validating the sources file, the one door through which sources enter.

The file is TOML, a list of ``[[sources]]`` tables (see DESIGN.md). Every error names the file, the source
and the key, so that a typo in one of forty sources is found at once and nothing is crawled half-configured.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jmespath
from cssselect import SelectorError
from parsel.csstranslator import HTMLTranslator

from crawler.errors import SourcesError

__all__ = ["DEFAULT_SOURCES", "KINDS", "Source", "SourcesError", "load_sources", "parse_every", "parse_sources",
           "parse_tz", "select_sources", "source_from_table", "allowed_host", "sources_toml"]

KINDS = ("portal", "feed", "sitemap", "json")
DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")

_NAME = re.compile(r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$")
_EVERY = re.compile(r"^(\d+)\s*([smhd])$")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Source:
    """One configured source. Fields that do not apply to its kind are None."""

    name: str
    kind: str
    url: str
    every: timedelta | None = None
    cron: str | None = None  # a cron expression (minute hour day month weekday), in UTC
    tz: tzinfo = UTC
    links: str | None = None  # portal: CSS selector of headline links
    next: str | None = None  # portal: CSS selector of the next-page link
    max_pages: int = 1  # portal: how many pages of a paged list to read
    items: str | None = None  # json: JMESPath of the list of items
    title: str | None = None  # json: JMESPath of an item's title
    link: str | None = None  # json: JMESPath of an item's link
    date: str | None = None  # json: JMESPath of an item's date
    base: str | None = None  # json: base URL for relative links
    enabled: bool = True
    table: dict[str, Any] = field(default_factory=dict, compare=False, repr=False, hash=False)
    """The source's table as written (TOML values), so it can be handed to another machine as it was."""


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an absolute http(s) URL, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string")
    return value


def _css(value: Any) -> str:
    _text(value)
    try:
        HTMLTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ValueError(f"is not a valid CSS selector ({exc})") from None
    return str(value)


def _jmespath(value: Any) -> str:
    _text(value)
    try:
        jmespath.compile(value)
    except jmespath.exceptions.JMESPathError as exc:
        detail = " ".join(str(exc).split())
        raise ValueError(f"is not a valid JMESPath expression ({detail})") from None
    return str(value)


def parse_every(value: Any) -> timedelta:
    """Parse an interval such as ``"30m"``, ``"6h"`` or ``"1d"``."""
    match = _EVERY.match(value.strip()) if isinstance(value, str) else None
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"must be a positive number followed by s, m, h or d (e.g. '30m'), got {value!r}")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def parse_tz(value: Any) -> tzinfo:
    """Parse a UTC offset such as ``"+08:00"``, or an IANA zone name such as ``"Asia/Shanghai"``."""
    if not isinstance(value, str):
        raise ValueError("must be a string such as '+08:00'")
    match = _OFFSET.match(value.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        hours, minutes = int(match.group(2)), int(match.group(3))
        if hours > 14 or minutes >= 60:
            raise ValueError(f"is not a valid UTC offset: {value!r}")
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    if value.strip().upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"must be a UTC offset like '+08:00' or a zone like 'Asia/Shanghai', got {value!r}") from None


def parse_cron(value: Any) -> str:
    """A five-field cron expression such as ``"*/30 * * * *"`` (checked by croniter)."""
    from croniter import croniter

    if not isinstance(value, str) or not croniter.is_valid(value.strip()):
        raise ValueError(f"must be a cron expression such as '*/30 * * * *' or '0 7 * * 1-5', got {value!r}")
    return value.strip()


def _max_pages(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ValueError("must be a whole number from 1 to 1000")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


_COMMON: dict[str, Callable[[Any], Any]] = {
    "name": _text, "kind": _text, "url": _url, "every": parse_every, "cron": parse_cron, "tz": parse_tz,
    "enabled": _bool,
}
_BY_KIND: dict[str, dict[str, Callable[[Any], Any]]] = {
    "portal": {"links": _css, "next": _css, "max_pages": _max_pages},
    "feed": {},
    "sitemap": {},
    "json": {"items": _jmespath, "title": _jmespath, "link": _jmespath, "date": _jmespath, "base": _url},
}
_REQUIRED: dict[str, tuple[str, ...]] = {"json": ("items", "title", "link")}


def source_from_table(raw: Any, where: str) -> Source:
    """Validate one source table (a TOML table or the same keys from elsewhere); `where` starts errors."""
    if not isinstance(raw, dict):
        raise SourcesError(f"{where}: each [[sources]] entry must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SourcesError(
            f"{where}: key 'name' must be letters, digits and single '-' (e.g. 'caixin-cx-tech'), got {name!r}"
        )
    where = f"{where} ({name!r})"
    kind = raw.get("kind")
    if kind not in KINDS:
        raise SourcesError(f"{where}: key 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    allowed = {**_COMMON, **_BY_KIND[kind]}
    for key in ("url", *_REQUIRED.get(kind, ())):
        if key not in raw:
            raise SourcesError(f"{where}: missing key '{key}' (required for kind '{kind}')")
    if "every" in raw and "cron" in raw:
        raise SourcesError(f"{where}: keys 'every' and 'cron' both set; give one schedule")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        check = allowed.get(key)
        if check is None:
            other = [k for k, keys in _BY_KIND.items() if key in keys]
            hint = f" (it belongs to kind '{other[0]}')" if other else ""
            raise SourcesError(f"{where}: unknown key '{key}'{hint}; allowed: {', '.join(sorted(allowed))}")
        try:
            values[key] = check(value)
        except ValueError as exc:
            raise SourcesError(f"{where}: key '{key}' {exc}") from None
    return Source(**values, table=dict(raw))


def parse_sources(text: str, origin: str = "<string>") -> list[Source]:
    """Parse and validate the text of a sources file; `origin` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{origin}: not valid TOML: {exc}") from None
    unknown = set(data) - {"sources"}
    if unknown:
        raise SourcesError(f"{origin}: unknown top-level key '{sorted(unknown)[0]}'; expected [[sources]] tables")
    raw = data.get("sources")
    if not isinstance(raw, list) or not raw:
        raise SourcesError(f"{origin}: no [[sources]] tables found")
    sources = [source_from_table(entry, f"{origin}: source #{i}") for i, entry in enumerate(raw, 1)]
    seen: set[str] = set()
    for i, source in enumerate(sources, 1):
        if source.name in seen:
            raise SourcesError(f"{origin}: source #{i} ({source.name!r}): key 'name' repeats an earlier source")
        seen.add(source.name)
    return sources


def allowed_host(url: str) -> str:
    """The site a source belongs to, and may stay on (its subdomains too): its URL's host without ``www.``."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


def sources_toml(tables: Iterable[dict[str, Any]]) -> str:
    """A sources file holding these source tables (of TOML's strings, numbers, booleans and lists)."""
    import json

    def value(v: Any) -> str:  # JSON's strings, numbers, booleans and arrays are TOML too
        if isinstance(v, str | int | float | bool) or (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            return json.dumps(v, ensure_ascii=False)
        raise SourcesError(f"cannot write {v!r} into a sources file")

    return "".join("[[sources]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in t.items()) + "\n" for t in tables)


def load_sources(path: Path | str = DEFAULT_SOURCES) -> list[Source]:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourcesError(f"{path}: sources file not found") from None
    except UnicodeDecodeError as exc:
        raise SourcesError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_sources(text, str(path))


def select_sources(sources: Iterable[Source], names: Iterable[str]) -> list[Source]:
    """Pick sources by name, in the order given; all enabled ones when no name is given."""
    wanted = list(names)
    by_name = {s.name: s for s in sources}
    if not wanted:
        return [s for s in by_name.values() if s.enabled]
    missing = [n for n in wanted if n not in by_name]
    if missing:
        raise SourcesError(f"unknown source {missing[0]!r}; known: {', '.join(by_name) or 'none'}")
    return [by_name[n] for n in wanted]
