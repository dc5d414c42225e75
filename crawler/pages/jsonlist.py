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
from urllib.parse import urljoin

import jmespath

from crawler.clean import clean_title
from crawler.dates import parse_date
from crawler.items import Headline
from crawler.pages.result import PageResult

_JSONP = re.compile(rb"^\s*[\w$.]+\s*\(\s*(.*?)\s*\)\s*;?\s*$", re.S)


class NotJson(ValueError):
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
    result = PageResult()
    for item in items:
        raw_title = title_expr.search(item)
        title = clean_title(raw_title if isinstance(raw_title, str) else None)
        if not title:
            result.skipped["untitled"] += 1
            continue
        link = link_expr.search(item)
        if not isinstance(link, str) or not link.strip():
            result.skipped["no_link"] += 1
            continue
        published = parse_date(date_expr.search(item), tz) if date_expr else None
        result.headlines.append(
            Headline(title=title, url=urljoin(base, link.strip()), source=source, published_at=published)
        )
    return result
