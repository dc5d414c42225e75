"""Decoding HTML the way a browser would, with a fallback for pages that do not say their encoding.

Scrapy guesses UTF-8 or cp1252 for undeclared pages, which turns GB2312 and Big5 headlines into mojibake;
here chardet gets a look at the bytes when neither the headers, a BOM nor a <meta> tag names the charset.
"""

from __future__ import annotations

import re

import chardet
from w3lib.encoding import html_to_unicode

_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""", re.I)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def guess_encoding(body: bytes) -> str | None:
    """UTF-8 when the bytes are valid UTF-8, else chardet's guess (GB2312/GBK read as GB18030)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        guess = chardet.detect(body[:65536])
        encoding = guess.get("encoding")
        if encoding and encoding.lower() in ("gb2312", "gbk"):
            return "gb18030"  # a superset, so characters outside GB2312 survive
        return encoding
    return "utf-8"


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) for an HTML body and its Content-Type header."""
    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=guess_encoding)
    return text, encoding


def utf8_if_undeclared(body: bytes, content_type: str | None) -> bytes:
    """Transcode an XML body to UTF-8 when nothing declares its encoding and it is not UTF-8.

    feedparser falls back to windows-1252 for such bodies, which turns Chinese feeds into mojibake.
    """
    declared = (content_type and "charset=" in content_type.lower()) or body.startswith(_BOMS)
    if declared or _XML_ENCODING.match(body[:512]):
        return body
    encoding = guess_encoding(body)
    if not encoding or encoding == "utf-8":
        return body
    try:
        return body.decode(encoding, errors="replace").encode("utf-8")
    except LookupError:
        return body
