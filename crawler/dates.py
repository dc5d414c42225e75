"""Turning the many date formats of news sources into timezone-aware UTC datetimes.

Feeds, sitemaps and JSON endpoints write dates as RFC 822, W3C/ISO 8601, "2026-11-21 09:30" in local time
or epoch numbers. Dates that carry no zone take the source's `tz` (China's portals publish +08:00).
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, tzinfo
from email.utils import parsedate_to_datetime

_HAS_ZONE = re.compile(r"(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT|[ECMP][SD]T|CST|HKT|JST|KST|SGT))\s*$", re.I)
_LOCAL_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
    "%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日",
)
# Earliest and latest plausible publication dates; anything outside is a parsing accident.
_MIN_EPOCH, _MAX_EPOCH = 631152000, 4102444800  # 1990-01-01, 2100-01-01


def has_zone(text: str) -> bool:
    """True when a date string names its zone or offset."""
    return bool(_HAS_ZONE.search(text.strip()))


def from_struct(parsed: time.struct_time, raw: str | None, default_tz: tzinfo) -> datetime:
    """Convert feedparser's UTC struct_time; feedparser reads zone-less dates as UTC, so re-read those
    in the source's zone."""
    moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    if raw and not has_zone(raw) and default_tz is not UTC:
        moment = moment.replace(tzinfo=None).replace(tzinfo=default_tz).astimezone(UTC)
    return moment


def parse_date(value: object, default_tz: tzinfo = UTC) -> datetime | None:
    """Parse a date as written by a source; None when it cannot be read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return _from_epoch(float(text))
    moment = _parse_text(text)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=default_tz)
    return moment.astimezone(UTC)


def _from_epoch(number: float) -> datetime | None:
    if number > _MAX_EPOCH * 10:  # milliseconds
        number /= 1000
    if not _MIN_EPOCH <= number <= _MAX_EPOCH:
        return None
    return datetime.fromtimestamp(number, UTC)


def _parse_text(text: str) -> datetime | None:
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in _LOCAL_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment
