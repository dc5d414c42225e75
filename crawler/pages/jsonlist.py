"""Reading headline lists from JSON endpoints with JMESPath expressions.

Many China portals (Caixin's gateway, Yicai, CLS) fill their list pages from a JSON endpoint; reading that
is sturdier than the rendered HTML. Some answer JSONP (`callback({...})`), which is unwrapped first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

import jmespath

from crawler.dates import parse_date
from crawler.pages.result import PageError, PageResult

_JSONP = re.compile(rb"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)


class NotJson(PageError):
    """The body is not JSON, or the `items` expression finds no list in it."""


@dataclass(frozen=True)
class JsonFields:
    """The JMESPath expressions of a json source."""

    items: str
    title: str
    link: str
    date: str | None = None
    base: str | None = None


def _load(body: bytes) -> Any:
    text = body.lstrip(b"\xef\xbb\xbf")
    match = _JSONP.match(text) if text.lstrip()[:1] not in (b"{", b"[") else None
    try:
        return json.loads(match.group(1) if match else text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotJson(f"not JSON ({exc})") from None


def parse_json_list(
    body: bytes, url: str, source: str, fields: JsonFields, tz: tzinfo = UTC
) -> PageResult:
    """Extract headlines from a JSON list endpoint."""
    data = _load(body)
    items = jmespath.search(fields.items, data)
    if not isinstance(items, list):
        kind = type(items).__name__ if items is not None else "nothing"
        raise NotJson(f"items expression {fields.items!r} finds {kind}, not a list")
    title_expr, link_expr = jmespath.compile(fields.title), jmespath.compile(fields.link)
    date_expr = jmespath.compile(fields.date) if fields.date else None
    base = fields.base or url
    result = PageResult(source)
    for item in items:
        raw_title, link = title_expr.search(item), link_expr.search(item)
        published = parse_date(date_expr.search(item), tz) if date_expr else None
        result.add(raw_title if isinstance(raw_title, str) else None, link if isinstance(link, str) else None,
                   base, published)
    return result
