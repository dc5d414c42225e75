"""Naming what went wrong with a request: a status from `crawler.status` and a plain one-line message.

Scrapy and Twisted report failures as exception objects whose reprs mean little to a reader
(``[<twisted.python.failure.Failure twisted.web._newclient.ParseError ...>]``); a person reading the crawl
summary needs "connection closed by 127.0.0.1:8080 before the response ended".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost, DNSLookupError, TCPTimedOutError
from twisted.internet.error import ConnectionRefusedError as TxConnectionRefused
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

_CLOSED = (ConnectionDone, ConnectionLost, ResponseFailed, ResponseNeverReceived, ResponseDataLossError)


def describe_failure(failure: Failure) -> tuple[str, str]:
    """Name what went wrong with a request: (status, one-line message)."""
    exc = failure.value
    request = getattr(failure, "request", None)
    url = request.url if request is not None else ""
    netloc = urlsplit(url).netloc or url
    if isinstance(exc, HttpError):
        return "http_error", f"HTTP {exc.response.status} for {exc.response.url}"
    if isinstance(exc, CannotResolveHostError | DNSLookupError):
        return "dns_error", f"cannot resolve host {urlsplit(url).hostname or url}"
    if isinstance(exc, DownloadTimeoutError | TxTimeoutError | TCPTimedOutError):
        return "timeout", f"no answer in time from {url}"
    if isinstance(exc, DownloadConnectionRefusedError | TxConnectionRefused):
        return "connection_error", f"connection refused by {netloc}"
    if isinstance(exc, _CLOSED) or (isinstance(exc, DownloadFailedError) and "closed" in str(exc).lower()):
        return "connection_error", f"connection closed by {netloc} before the response ended"
    if isinstance(exc, DownloadCancelledError):
        return "too_large", f"response too large, download cancelled: {url}"
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        if "offsite" in text.lower():
            return "offsite", f"redirected to another site, not followed: {url}"
        if "robots.txt" in text:
            return "robots", f"forbidden by robots.txt: {url}"
        if "redirection" in text:
            return "http_error", f"too many redirects at {url}"
        return "download_error", f"{text}: {url}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return "download_error", f"{type(exc).__name__}: {text} ({url})"
