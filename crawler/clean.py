"""Cleaning of titles and URLs, shared by every kind of source.

The same story reaches us through a feed, a portal page and a sitemap, with tracking parameters, upper-case
hosts, ``%7E`` for ``~``, internationalized host names and HTML entities in the title. Cleaning them the
same way everywhere is what lets the store keep one row per story.

URL normalization is w3lib's `canonicalize_url` (Scrapy's own: percent-encoding, IDNA hosts, sorted query,
no fragment). Tracking parameters are those of courlan's list (drawn from AdGuard's, ClearURLs' and
Firefox's query-stripping lists), plus the ones Chinese portals add that it lacks.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan.clean import TRACKERS_RE
from w3lib.url import canonicalize_url

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_BULLET = re.compile(r"^[\u2022\u00b7\u25cf\u25aa\u25a0\u25b6\u25ba\u2023\u2043\u30fb\u2014\u2013*>-]+\s+")
# Where a click came from, on Chinese portals and elsewhere, that courlan's list does not name.
_TRACKING_NAMES = frozenset({"spm", "scm", "from", "hpt", "wt_mc", "wt.mc_id", "share", "sr_share", "rss",
                             "cmpid", "icid", "ncid", "ocid", "guccounter", "share_token", "fr", "tt_from"})
_TRACKING_PREFIXES = ("utm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci", "ktm_", "__")
# Already canonical: lower-case host, no port, a path of unreserved characters (no dot segments), no query.
_PLAIN = re.compile(r"(https?)://[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::([1-9][0-9]{0,4}))?/[A-Za-z0-9._~/-]*\Z")
_DEFAULT_PORT = {"http": "80", "https": "443"}
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
    text = _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()
    return _BULLET.sub("", text)  # list markers: "• Headline"


def is_navigation_title(title: str) -> bool:
    """True when a title is the label of a link to somewhere, not a headline."""
    return title.casefold().strip(" .:>»›→…|") in NAVIGATION_TITLES


def is_tracking(name: str) -> bool:
    """Whether a query parameter says where a click came from rather than which page it is."""
    low = name.lower()
    return low in _TRACKING_NAMES or low.startswith(_TRACKING_PREFIXES) or TRACKERS_RE.search(low) is not None


def canonical_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL.

    w3lib's canonical form (lower-case scheme and host, IDNA host, normalized percent-encoding, sorted
    query, no fragment) without default ports, userinfo or tracking parameters. Raises ValueError when the
    URL is not absolute http(s) or cannot be parsed.
    """
    url = url.strip()
    plain = _PLAIN.match(url)
    if plain and "/." not in url and plain.group(2) != _DEFAULT_PORT[plain.group(1)]:
        return url  # the usual article link: canonicalize_url returns it as it is
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    host = parts.hostname or ""
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not is_tracking(k)]
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
