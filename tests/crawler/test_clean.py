"""Title and URL cleaning: one story, one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from w3lib.url import canonicalize_url

from crawler.clean import canonical_url, clean_title, is_navigation_title

_HOST = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?){1,3}", fullmatch=True)
_PATH = st.from_regex(r"/[A-Za-z0-9._~/-]{0,40}", fullmatch=True)


@settings(max_examples=2000)
@given(scheme=st.sampled_from(["http", "https"]), host=_HOST, path=_PATH,
       port=st.one_of(st.none(), st.integers(1, 65535), st.sampled_from([80, 443])))
def test_plain_article_links_are_already_what_w3lib_makes_of_them(scheme: str, host: str, path: str,
                                                                  port: int | None) -> None:
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    default = port == {"http": 80, "https": 443}[scheme]
    expected = canonicalize_url(url).replace(f":{port}/", "/", 1) if default else canonicalize_url(url)
    assert canonical_url(url) == expected
    if "/." not in path and not default:
        assert canonical_url(url) == url


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Chip  exports\n\t rise ", "Chip exports rise"),
        ("<b>BYD</b> &amp; CATL&nbsp;sign deal", "BYD & CATL sign deal"),
        ("&lt;em&gt;Quoted&lt;/em&gt; markup", "Quoted markup"),
        ("比亚迪 销量 创新高", "比亚迪 销量 创新高"),
        ("Ant Group 🚀 IPO", "Ant Group 🚀 IPO"),
        ("• Chipmaker raises prices", "Chipmaker raises prices"),
        ("· 比亚迪发布新车", "比亚迪发布新车"),
        ("-5% is not a bullet", "-5% is not a bullet"),
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
        ("https://x.test/p?b=2&a=1", "https://x.test/p?a=1&b=2"),  # one order for the same parameters
        ("https://x.test/%7Euser/a%2fb?q=%e4%b8%ad", "https://x.test/~user/a%2Fb?q=%E4%B8%AD"),
        ("https://Bücher.example/neu", "https://xn--bcher-kva.example/neu"),
        ("https://user:pw@x.test/a", "https://x.test/a"),
        ("https://x.test/a?id=7&hpt=1&ktm_source=tw&wt_mc=abc&spm=a2.b3&from=timeline", "https://x.test/a?id=7"),
        ("https://x.test/a?aid=12&msclkid=1&igshid=2&mkt_tok=3", "https://x.test/a?aid=12"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize("url", ["/relative/path", "javascript:void(0)", "mailto:a@b.c", "ftp://x.test/f"])
def test_canonical_url_rejects_what_is_not_absolute_http(url: str) -> None:
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url(url)
