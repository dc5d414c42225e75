"""Headline links on a news portal's list page: the `Link` value, link titles and URLs, and `select_links`.

A portal source names its headline links with a CSS selector (`select_links`, here) or leaves them to be
found (`crawler.pages.detect.detect_links`, which builds on the helpers here). Pure functions over an
already-decoded `parsel.Selector`, no I/O.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin

import parsel
from lxml import etree

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Link:
    """One headline link: its cleaned title and absolute URL."""

    title: str  # cleaned headline text (whitespace collapsed, no tags)
    url: str  # absolute URL (urljoin with the page URL / <base href>), fragment removed
    date: str | None = None  # a date printed with the link (its list item's <time> or date text), unparsed


# --- text -----------------------------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASS = re.compile(r"(?:^|[-_])(?:title|hed)$", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "is-hidden", "display-none", "none"})


def is_hidden(el: etree._Element) -> bool:
    """Hidden by attribute, inline style, or a class that plainly means hidden."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if _HIDDEN_CLASSES.intersection((el.get("class") or "").lower().split()):
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _texts(el: etree._Element) -> Iterator[str]:
    """The visible text pieces under `el`, in document order."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag.lower() not in _SKIP_TAGS and not is_hidden(child):
            yield from _texts(child)
        if child.tail:
            yield child.tail


def clean_text(pieces: Iterable[str]) -> str:
    """Join text pieces and collapse whitespace (including non-breaking and zero-width spaces)."""
    return " ".join(" ".join(pieces).replace("\u200b", " ").split())


def _title_child(anchor: etree._Element) -> etree._Element | None:
    """A heading inside the link, or else an element whose class says it holds the title."""
    for el in anchor.iter():
        if isinstance(el.tag, str) and el.tag.lower() in HEADINGS:
            return el
    for el in anchor.iter():
        if el is not anchor and isinstance(el.tag, str):
            if any(_TITLE_CLASS.search(token) for token in (el.get("class") or "").split()):
                return el
    return None


def link_title(anchor: etree._Element) -> str:
    """The headline text of a link: its heading/title child if it has one, else all its visible text."""
    child = _title_child(anchor)
    if child is not None:
        title = clean_text(_texts(child))
        if title:
            return title
    return clean_text(_texts(anchor))


def _fallback_title(anchor: etree._Element) -> str:
    """For links without text (image links): the title or aria-label attribute, or an image's alt text."""
    for value in (anchor.get("title"), anchor.get("aria-label"), *anchor.xpath(".//img/@alt")):
        if value and value.strip():
            return clean_text([value])
    return ""


def text_weight(text: str) -> float:
    """How long a text reads, in words; CJK characters count half a word each (no spaces between words)."""
    cjk = len(_CJK.findall(text))
    words = sum(1 for word in _WORD.findall(_CJK.sub(" ", text)) if _LETTER.search(word))
    return words + cjk / 2


# --- URLs -----------------------------------------------------------------------------------------------

_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "sms:", "data:", "about:", "#")


def page_base(sel: parsel.Selector, base_url: str) -> str:
    """The URL relative links resolve against: <base href> if the page has a usable one, else the page URL."""
    href = sel.xpath("//base/@href").get()
    if not href or not href.strip():
        return base_url
    try:
        return urljoin(base_url, href.strip())
    except ValueError:
        return base_url


def resolve(href: str | None, base: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for empty, javascript:, mailto: and similar links.

    A malformed link (``http://[broken/x``) comes back as written: it is still a link in the page's
    structure, and the page result counts it as ``bad_url`` instead of losing the page to it.
    """
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
    except ValueError:
        return href
    return url if url.startswith(("http://", "https://")) else None


_CAPTION = re.compile(
    r"^(?:photo|image|picture|pic|video|credit|file photo|图片?|摄影|视频|圖片?|攝影|視頻)\s*[:：|/]"
    r"|\b(?:getty images|ap photo|afp|reuters|xinhua|visual china|vcg|imaginechina|istock|shutterstock)\b\s*$",
    re.I,
)


def is_caption(title: str) -> bool:
    """Whether a link text reads like an image caption or credit ("Photo: BYD", "... / Getty Images")."""
    return bool(_CAPTION.search(title.strip()))


def _headline_text(a: str, b: str) -> str:
    """Of two texts of links to one URL, the one that reads like the headline: not a caption, then longest."""
    return max((a, b), key=lambda text: (bool(text) and not is_caption(text), len(text)))


def dedupe(links: Iterable[Link]) -> list[Link]:
    """One link per URL, at its first position, with the headline-like text of all the URL's anchors.

    A list item often links one story twice, from its image and from its title; the image link's text
    (an alt text, a photo credit) must not become the headline. Malformed links (kept as written, see
    `resolve`) are not merged.
    """
    found: dict[object, Link] = {}
    for position, link in enumerate(links):
        key: object = link.url if link.url.startswith(("http://", "https://")) else position
        kept = found.get(key)
        if kept is None:
            found[key] = link
        else:
            found[key] = Link(_headline_text(kept.title, link.title), link.url, kept.date or link.date)
    return list(found.values())


# --- dates ---------------------------------------------------------------------------------------------

_DATE_TEXT = re.compile(
    r"(?<!\d)(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?![\d])"
    r"(?:[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?"
    r"|(?:19|20)\d\d年\d{1,2}月\d{1,2}日(?:\s*(?:[01]?\d|2[0-3]):[0-5]\d)?"
)
_ITEM_DEPTH = 4


def _list_item(anchor: etree._Element) -> etree._Element:
    """The largest ancestor (a few levels up at most) that links to nothing but the anchor's own URL."""
    href = anchor.get("href")
    item = anchor
    for depth, parent in enumerate(anchor.iterancestors()):
        if depth >= _ITEM_DEPTH or any(a.get("href") not in (href, None) for a in parent.iter("a", "A")):
            break
        item = parent
    return item


def item_date(anchor: etree._Element) -> str | None:
    """A date printed with a headline link: a <time> in its list item, else date-like text there.

    Returned as written (the page object parses it with the source's time zone); None when there is none.
    """
    item = _list_item(anchor)
    for time_el in item.iter("time"):
        value = (time_el.get("datetime") or "".join(time_el.itertext())).strip()
        if value:
            return value
    match = _DATE_TEXT.search(" ".join(item.itertext()))
    return match.group(0) if match else None


# --- selector --------------------------------------------------------------------------------------------


def _anchors_of(el: etree._Element) -> list[etree._Element]:
    """The <a> elements a selector match stands for: itself, or the links inside it."""
    if isinstance(el.tag, str) and (el.tag.lower() == "a" or el.get("href") is not None):
        return [el]
    return [a for a in el.iter("a", "A") if a.get("href") is not None]


def select_links(sel: parsel.Selector, base_url: str, css: str) -> list[Link]:
    """The links a CSS selector picks, in page order, one per URL."""
    base = page_base(sel, base_url)
    picked: list[Link] = []
    for match in sel.css(css):
        if not isinstance(match.root, etree._Element):
            continue
        for anchor in _anchors_of(match.root):
            url = resolve(anchor.get("href"), base)
            if url:
                picked.append(Link(link_title(anchor) or _fallback_title(anchor), url, item_date(anchor)))
    links = dedupe(picked)
    logger.debug("selector %r picked %d links", css, len(links))
    return links
