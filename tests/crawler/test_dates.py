"""Dates from sources become timezone-aware UTC; zone-less ones take the source's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.dates import parse_date

CHINA = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20 18:42:00", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        ("2026-11-20 18:42", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        ("2026/11/20 18:42", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        ("2026-11-20T18:42:00+09:00", datetime(2026, 11, 20, 9, 42, tzinfo=UTC)),
        ("2026-11-20T10:42:00Z", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 18:42:00 +0800", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        ("2026年11月20日 18:42", datetime(2026, 11, 20, 10, 42, tzinfo=UTC)),
        (1763635200, datetime(2025, 11, 20, 10, 40, tzinfo=UTC)),
        (1763635200000, datetime(2025, 11, 20, 10, 40, tzinfo=UTC)),
        ("1763635200", datetime(2025, 11, 20, 10, 40, tzinfo=UTC)),
    ],
)
def test_parse_date(value: object, expected: datetime) -> None:
    got = parse_date(value, CHINA)
    assert got == expected and got.tzinfo is UTC


@pytest.mark.parametrize("value", [None, "", "yesterday", "Seg, 24 Set 2018", 12, True, {"a": 1}])
def test_unreadable_dates_are_none(value: object) -> None:
    assert parse_date(value, CHINA) is None
