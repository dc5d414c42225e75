"""Detecting the headline links of a portal page that names no selector.

Detection relies on headline lists being repeated structures: candidate links are grouped by the
tag-and-class path of their ancestors, each group is scored on how headline-like its anchor texts and URLs
are and how navigation-like its place on the page is, and the groups that read like headline lists are
kept, together with single links that are plainly headlines on their own. Nothing here knows any
particular site; pure functions over an already-decoded `parsel.Selector`, no I/O.
"""

from __future__ import annotations

import logging
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import parsel
from lxml import etree

from crawler.pages.links import (
    HEADINGS,
    Link,
    dedupe,
    is_hidden,
    item_date,
    link_title,
    page_base,
    resolve,
    text_weight,
)

logger = logging.getLogger(__name__)


_CHROME_TAGS = frozenset({"nav", "footer", "aside", "menu"})
_CHROME_ROLES = frozenset({"navigation", "menu", "menubar", "banner", "contentinfo", "complementary", "search"})
_CHROME_WORDS = frozenset({
    "nav", "navbar", "navigation", "menu", "submenu", "footer", "breadcrumb", "breadcrumbs", "pagination",
    "pager", "share", "sharing", "social", "login", "signin", "account", "tags", "tag", "sitemap", "masthead",
    "topbar", "toolbar", "dropdown", "megamenu", "flyout", "subnav", "tabs",
})
_NON_ARTICLE = frozenset({
    "tag", "tags", "topic", "topics", "author", "authors", "category", "categories", "section", "login",
    "signin", "sign-in", "register", "signup", "subscribe", "subscription", "search", "about", "contact",
    "privacy", "terms", "help", "account", "user", "profile", "newsletter", "newsletters", "feedback",
    "impressum", "datenschutz", "faq", "careers", "jobs", "advertise", "cookies", "rss", "feed",
})
_HASHED = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])[A-Za-z]{4,8}$")
_STYLED = re.compile(r"^([A-Za-z][A-Za-z0-9]*)-(?:sc-)?[A-Za-z0-9]{4,8}$")
_TOKENS = re.compile(r"[a-z]+")
_ARTICLE_FILE = re.compile(r"\.s?html?$|\.php$|\.aspx?$", re.I)
_DATE_PATH = re.compile(r"/(?:19|20)\d\d[/-]?(?:0?[1-9]|1[0-2])\b|/\d{2}/\d{4}/|(?:19|20)\d{6}")
_LONG_NUMBER = re.compile(r"\d{4,}")


def _class_key(el: etree._Element) -> str:
    """The first meaningful class of an element, with digits and generated hashes removed."""
    for token in (el.get("class") or "").split():
        styled = _STYLED.match(token)
        if styled and (not styled.group(0).islower() or "-sc-" in token):
            token = styled.group(1)
        elif _HASHED.match(token) or token.startswith(("css-", "sc-")):
            continue
        token = re.sub(r"\d+", "", token).strip("-_")
        if token:
            return token.lower()
    return ""


def _signature(anchor: etree._Element, depth: int = 4) -> tuple[str, ...]:
    """Tag and class path of a link and its nearest ancestors: links in one list share it."""
    parts: list[str] = []
    el: etree._Element | None = anchor
    while el is not None and len(parts) < depth and isinstance(el.tag, str):
        parts.append(f"{el.tag.lower()}.{_class_key(el)}")
        el = el.getparent()
    return tuple(parts)


def _words_of(el: etree._Element) -> set[str]:
    text = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return set(_TOKENS.findall(text))


def _is_chrome(anchor: etree._Element, near: int = 5) -> bool:
    """Whether a link sits in navigation, a page header or footer, a sidebar, or a share/tag bar.

    Landmark tags and roles count at any depth; class and id words only on the nearest ancestors, since
    page-wide wrappers often carry names like "nav-col" or "site-navigation".
    """
    in_article = False
    for depth, el in enumerate(anchor.iterancestors()):
        if not isinstance(el.tag, str) or el.tag.lower() in ("body", "html", "main"):
            continue
        tag = el.tag.lower()
        if tag == "article":
            in_article = True
        if tag in _CHROME_TAGS or (el.get("role") or "").lower() in _CHROME_ROLES:
            return True
        if tag == "header" and not in_article:
            return True
        if depth < near and not in_article and _words_of(el) & _CHROME_WORDS:
            return True
    return False


def _in_heading(anchor: etree._Element) -> bool:
    """A link inside a heading (within a few levels) or holding one."""
    for i, el in enumerate(anchor.iterancestors()):
        if i >= 3:
            break
        if isinstance(el.tag, str) and el.tag.lower() in HEADINGS:
            return True
    return any(isinstance(el.tag, str) and el.tag.lower() in HEADINGS for el in anchor.iterdescendants())


def site_of(url: str) -> str:
    """The registrable part of a URL's host, roughly: example.com, example.co.uk."""
    labels = (urlsplit(url).hostname or "").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def _offsite(url: str, page: str) -> str:
    site = site_of(url)
    return site if site != site_of(page) else ""


def url_score(url: str, page: str) -> float:
    """How much a URL looks like an article's: slugs, ids, dates and .html count for; bare sections against.

    Links to other sites never score below zero: aggregators link to stories on any kind of URL.
    """
    score = _shape_score(url)
    return max(score, 0.0) if _offsite(url, page) else score


def _shape_score(url: str) -> float:
    """URL shape alone: +1 for a long slug, +1 for an id or a date, +0.5 for .html or a long path."""
    parts = urlsplit(url)
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not segments:
        return -1.0 if not parts.query else 0.0
    score = 0.0
    last = segments[-1]
    lowered = {s.lower() for s in segments}
    if lowered & _NON_ARTICLE:
        score -= 1.0
    if max(len(re.split(r"[-_+]", s)) for s in segments) >= 4:
        score += 1.0
    if _LONG_NUMBER.search(path) or _DATE_PATH.search(path):
        score += 1.0
    if _ARTICLE_FILE.search(last):
        score += 0.5
    if len(path) >= 30:
        score += 0.5
    if len(segments) == 1 and len(last) < 20 and not _LONG_NUMBER.search(last):
        score -= 0.5
    if parts.query and not segments[-1:]:
        score -= 0.5
    return score


@dataclass(slots=True)
class _Candidate:
    """A visible link with text, and what detection needs to know about it."""

    url: str
    title: str
    weight: float
    heading: bool
    chrome: bool
    article: float
    signature: tuple[str, ...]
    offsite: str  # the other site a link leads to, "" for links within the page's site
    anchor: etree._Element


def _candidates(sel: parsel.Selector, base_url: str) -> list[_Candidate]:
    """Every visible link to an http(s) URL that has text, in page order."""
    base = page_base(sel, base_url)
    root = sel.root
    found: list[_Candidate] = []
    if not isinstance(root, etree._Element):
        return found
    for anchor in root.iter("a", "A"):
        url = resolve(anchor.get("href"), base)
        if not url or any(is_hidden(el) for el in (anchor, *anchor.iterancestors())):
            continue
        title = link_title(anchor)
        if not title:
            continue
        try:
            article, offsite = url_score(url, base), _offsite(url, base)
        except ValueError:  # a malformed link: kept in its group so the page result counts it as bad_url
            article, offsite = 0.0, ""
        found.append(_Candidate(url, title, text_weight(title), _in_heading(anchor), _is_chrome(anchor),
                                article, _signature(anchor), offsite, anchor))
    return found


@dataclass(slots=True)
class _Group:
    """Figures of the links sharing one path signature."""

    urls: int
    weight: float
    article: float
    heading: float
    chrome: float

    @classmethod
    def of(cls, members: list[_Candidate]) -> _Group:
        size = len(members)
        return cls(
            len({m.url for m in members}),
            statistics.median(m.weight for m in members),
            max(sum(m.article > 0 for m in members) / size, _aggregated(members)),
            sum(m.heading for m in members) / size,
            sum(m.chrome for m in members) / size,
        )

    def is_headline_list(self) -> bool:
        """Several links, mostly to article-like URLs, whose texts read like sentences rather than names."""
        if self.urls < 2 or self.article < 0.5:
            return False
        needed = 3.0 if self.heading >= 0.5 or self.article >= 0.8 else 4.0
        if self.chrome > 0.5:
            needed += 2
        return self.weight >= needed


def _aggregated(members: list[_Candidate]) -> float:
    """Share of a group's links that go to other sites, each to a different one: an aggregator's list."""
    sites = [m.offsite for m in members if m.offsite]
    if len(members) < 3 or len(set(sites)) < 0.8 * len(sites):
        return 0.0
    return len(sites) / len(members)


def _is_strong(c: _Candidate) -> bool:
    """A headline on its own: long enough text (shorter in a heading) to an article-like URL, not in chrome."""
    if c.chrome or c.article <= 0:
        return False
    return c.weight >= (3 if c.heading else 5)


def detect_links(sel: parsel.Selector, base_url: str) -> list[Link]:
    """Headline links found without a selector: the page's headline lists and stand-alone headlines."""
    candidates = _candidates(sel, base_url)
    groups: dict[tuple[str, ...], list[_Candidate]] = defaultdict(list)
    for c in candidates:
        groups[c.signature].append(c)
    keep: set[int] = set()
    for members in groups.values():
        group = _Group.of(members)
        listed = group.is_headline_list()
        keep.update(id(m) for m in members if (listed and m.article >= 0) or _is_strong(m))
    links = dedupe(Link(c.title, c.url, item_date(c.anchor)) for c in candidates if id(c) in keep)
    logger.debug("detected %d headline links among %d candidates", len(links), len(candidates))
    return links
