"""Cleaning of titles and URLs, shared by every kind of source.

The same story reaches us through a feed, a portal page and a sitemap, with tracking parameters, upper-case
hosts and HTML entities in the title. Cleaning them the same way everywhere is what lets the store keep one
row per story.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# Query parameters that say where a click came from, not what the page is.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hmsr", "spm", "__")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "_hsenc", "_hsmi",
        "ref", "ref_src", "ref_url", "cmpid", "cmp", "icid", "ncid", "ocid", "sr_share", "share",
        "from", "source", "scm", "wt.mc_id", "at_medium", "at_campaign", "guccounter", "rss",
    }
)
# Anchor texts that name a place on the site rather than a story.
NAVIGATION_TITLES = frozenset(
    {
        "more", "more news", "read more", "see more", "see all", "view all", "show more", "load more",
        "next", "previous", "prev", "home", "login", "log in", "sign in", "sign up", "register",
        "subscribe", "share", "tweet", "email", "print", "comments", "contact", "contact us",
        "about", "about us", "privacy", "privacy policy", "terms", "terms of use", "cookies",
        "advertise", "careers", "newsletter", "newsletters", "rss", "top", "back to top", "menu",
        "search", "更多", "首页", "登录", "注册", "下一页", "上一页", "返回顶部", "查看更多",
    }
)


def clean_title(raw: str | None) -> str:
    """Return a headline as a reader sees it: tags and entities gone, whitespace collapsed.

    Text stays in its own language and script; nothing is transliterated or lower-cased.
    """
    if not raw:
        return ""
    text = _TAG.sub(" ", raw) if "<" in raw else raw
    text = html.unescape(text)
    if "<" in text:  # entities that decoded into markup, as in "&lt;b&gt;"
        text = _TAG.sub(" ", text)
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def is_navigation_title(title: str) -> bool:
    """True when a title is the label of a link to somewhere, not a headline."""
    return title.casefold().strip(" .:>»›→…|") in NAVIGATION_TITLES


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_NAMES or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL.

    Lower-cases scheme and host, drops default ports, the fragment and tracking parameters, and keeps the
    remaining query parameters in their order. Raises ValueError when the URL is not absolute http(s).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    if parts.username or parts.password:
        host = f"{parts.username or ''}{':' if parts.password else ''}{parts.password or ''}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def absolute_url(link: str, base: str) -> str | None:
    """The canonical absolute URL of a link found on the page at `base`; None when it cannot be one
    (a malformed address such as ``http://[broken/x``, or a scheme other than http(s))."""
    try:
        return canonical_url(urljoin(base, link.strip()))
    except ValueError:
        return None
