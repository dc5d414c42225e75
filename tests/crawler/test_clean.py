"""Title and URL cleaning: one story, one canonical form."""

from __future__ import annotations

import pytest

from crawler.clean import canonical_url, clean_title, is_navigation_title


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Chip  exports\n\t rise ", "Chip exports rise"),
        ("<b>BYD</b> &amp; CATL&nbsp;sign deal", "BYD & CATL sign deal"),
        ("&lt;em&gt;Quoted&lt;/em&gt; markup", "Quoted markup"),
        ("比亚迪 销量 创新高", "比亚迪 销量 创新高"),
        ("Ant Group 🚀 IPO", "Ant Group 🚀 IPO"),
        (None, ""),
    ],
)
def test_clean_title(raw: str | None, clean: str) -> None:
    assert clean_title(raw) == clean


@pytest.mark.parametrize("title", ["More", "Read more »", "LOG IN", "更多", "Next ›", "Privacy Policy"])
def test_navigation_titles_are_recognised(title: str) -> None:
    assert is_navigation_title(title)


@pytest.mark.parametrize("title", ["More chip curbs loom", "Next-gen batteries arrive", "Home prices fall"])
def test_headlines_are_not_navigation(title: str) -> None:
    assert not is_navigation_title(title)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://News.Example.COM/a/1.html#comments", "https://news.example.com/a/1.html"),
        ("https://x.test/a?utm_source=rss&utm_medium=feed&id=7", "https://x.test/a?id=7"),
        ("https://x.test/a?id=7&fbclid=abc&gclid=1", "https://x.test/a?id=7"),
        ("http://x.test:80/a", "http://x.test/a"),
        ("https://x.test:8443/a", "https://x.test:8443/a"),
        ("https://x.test", "https://x.test/"),
        ("https://x.test/p?b=2&a=1", "https://x.test/p?b=2&a=1"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", ["/relative/path", "javascript:void(0)", "mailto:a@b.c", "ftp://x.test/f"])
def test_canonical_url_rejects_what_is_not_absolute_http(url: str) -> None:
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url(url)
