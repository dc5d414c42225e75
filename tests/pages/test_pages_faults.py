"""Page objects on broken, odd and hostile inputs: each fault gives a clear error or a counted skip."""

from __future__ import annotations

import gzip
from datetime import timedelta, timezone

import pytest

from crawler.pages.encoding import decode_html
from crawler.pages.feed import NotAFeed, parse_feed
from crawler.pages.jsonlist import JsonFields, NotJson, parse_json_list
from crawler.pages.portal import NotHtml, parse_portal
from crawler.pages.result import PageError
from crawler.pages.sitemap import NotASitemap, parse_sitemap

FIELDS = JsonFields(items="list", title="t", link="u")


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match="not a readable feed"):
        parse_feed(b"<html><body><p>Hello</p></body></html>", "https://x.test/feed", "s")


def test_empty_body_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed):
        parse_feed(b"", "https://x.test/feed", "s")


def test_truncated_feed_keeps_the_entries_it_could_read() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>First story survives</title><link>https://x.test/1</link></item>"
            b"<item><title>Second story is cut")
    result = parse_feed(body, "https://x.test/feed", "s")
    assert [h.title for h in result.headlines] == ["First story survives"]
    assert result.note and "ill-formed" in result.note


def test_undeclared_gb2312_feed_is_decoded() -> None:
    title = "比亚迪十月销量创新高"
    body = (f'<rss version="2.0"><channel><title>t</title><item><title>{title}</title>'
            f"<link>https://x.test/1</link></item></channel></rss>").encode("gb2312")
    result = parse_feed(body, "https://x.test/feed", "s")
    assert [h.title for h in result.headlines] == [title]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("台積電擴大先進封裝產能計畫", "big5"), ("人民币数字钱包新增离线支付功能", "gb2312"),
     ("Câmbio: exportações de chips crescem", "latin-1")],
)
def test_undeclared_html_encodings_are_detected(text: str, encoding: str) -> None:
    body = f"<html><body><h1>{text}</h1><p>{text} {text} {text}</p></body></html>".encode(encoding)
    decoded, _ = decode_html(body, "text/html")
    assert text in decoded


def test_wrongly_declared_encoding_in_header_loses_to_bom() -> None:
    body = "\ufeff<html><body>芯片</body></html>".encode()
    decoded, _ = decode_html(body, "text/html; charset=iso-8859-1")
    assert "芯片" in decoded


def test_plain_sitemap_is_reported_not_silently_empty() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://x.test/a</loc></url><url><loc>https://x.test/b</loc></url></urlset>")
    result = parse_sitemap(body, "https://x.test/sitemap.xml", "s")
    assert result.headlines == []
    assert result.note and "plain sitemap" in result.note and "2 URLs" in result.note


def test_gzipped_sitemap_is_read() -> None:
    body = gzip.compress(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.test/a</loc>'
        b"<news:news><news:title>Zipped headline</news:title></news:news></url></urlset>"
    )
    assert [h.title for h in parse_sitemap(body, "https://x.test/s.xml.gz", "s").headlines] == ["Zipped headline"]


def test_html_is_not_a_sitemap() -> None:
    with pytest.raises(NotASitemap, match="<html>"):
        parse_sitemap(b"<html><body>hi</body></html>", "https://x.test/s.xml", "s")


def test_sitemap_does_not_expand_external_entities(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<urlset xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.test/a</loc>'
            "<news:news><news:title>&x;</news:title></news:news></url></urlset>").encode()
    result = parse_sitemap(body, "https://x.test/s.xml", "s")
    assert all("TOP-SECRET" not in h.title for h in result.headlines)


def test_jsonp_is_unwrapped() -> None:
    body = b'cb({"list": [{"t": "Wrapped headline", "u": "https://x.test/1"}]});'
    assert [h.title for h in parse_json_list(body, "https://x.test/api", "s", FIELDS).headlines] == [
        "Wrapped headline"
    ]


def test_json_items_expression_that_finds_no_list_names_it() -> None:
    with pytest.raises(NotJson, match="'list' finds dict"):
        parse_json_list(b'{"list": {"a": 1}}', "https://x.test/api", "s", FIELDS)


def test_html_error_page_is_not_json() -> None:
    with pytest.raises(NotJson, match="not JSON"):
        parse_json_list(b"<html>502 Bad Gateway</html>", "https://x.test/api", "s", FIELDS)


GOOD = [f"Headline number {n} about a company that did something today" for n in range(8)]


def portal_page(extra: str) -> bytes:
    items = "".join(f'<li><a href="/news/2026/11/{n}-story.html">{t}</a></li>' for n, t in enumerate(GOOD))
    return f'<html><body><ul class="list">{items}{extra}</ul></body></html>'.encode()


@pytest.mark.parametrize("links", [None, "ul.list a"])
def test_one_malformed_link_costs_that_link_only(links: str | None) -> None:
    body = portal_page('<li><a href="http://[broken/x">A broken link in the middle of the headline list</a></li>')
    result = parse_portal(body, "https://x.test/live/", "s", "text/html", links=links)
    assert [h.title for h in result.headlines] == GOOD
    assert result.skipped == {"bad_url": 1}


def test_a_malformed_link_in_a_json_list_is_skipped_and_counted() -> None:
    body = b'{"list": [{"t": "Good one", "u": "/a/1"}, {"t": "Bad one", "u": "http://[broken/x"}]}'
    result = parse_json_list(body, "https://x.test/api", "s", FIELDS)
    assert [h.url for h in result.headlines] == ["https://x.test/a/1"] and result.skipped == {"bad_url": 1}


def test_a_malformed_next_page_link_is_not_followed() -> None:
    body = portal_page("").replace(b"</ul>", b'</ul><a class="next" href="http://[bad/2">Next</a>')
    result = parse_portal(body, "https://x.test/live/", "s", "text/html", links="ul.list a", next_page="a.next")
    assert len(result.headlines) == 8 and result.follow == []


def test_page_errors_mean_not_of_this_kind_and_nothing_else() -> None:
    for error in (NotAFeed, NotASitemap, NotJson, NotHtml):
        assert issubclass(error, PageError) and not issubclass(error, ValueError)


def test_a_non_html_response_is_not_a_portal_page() -> None:
    with pytest.raises(NotHtml, match="image/png"):
        parse_portal(b"\x89PNG", "https://x.test/logo.png", "s", "image/png")


def test_the_news_title_wins_over_an_image_title_before_it() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://x.test/a</loc>'
            b"<image:image><image:loc>https://x.test/a.jpg</image:loc><image:title>Photo: the new sedan"
            b"</image:title></image:image><news:news><news:publication_date>2026-11-20</news:publication_date>"
            b"<news:title>Carmaker starts sales of its new sedan</news:title></news:news></url></urlset>")
    (headline,) = parse_sitemap(body, "https://x.test/s.xml", "s").headlines
    assert headline.title == "Carmaker starts sales of its new sedan"


def test_a_sitemap_with_only_image_titles_has_no_headlines() -> None:
    body = (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"><url><loc>https://x.test/a</loc>'
            b"<image:image><image:title>Photo: a sedan</image:title></image:image></url></urlset>")
    result = parse_sitemap(body, "https://x.test/s.xml", "s")
    assert result.headlines == [] and result.skipped == {"untitled": 1}


def test_a_selector_that_matches_nothing_says_so() -> None:
    result = parse_portal(portal_page(""), "https://x.test/live/", "s", "text/html", links="div.headlines a")
    assert result.headlines == [] and result.note == "selector 'div.headlines a' matched no links"


def test_a_page_without_a_headline_list_says_so() -> None:
    body = b'<html><body><nav><a href="/">Home</a><a href="/about">About</a></nav></body></html>'
    result = parse_portal(body, "https://x.test/live/", "s", "text/html")
    assert result.note == "no headline list detected among the page's 2 links"


@pytest.mark.parametrize(
    ("written", "utc"),
    [("2020/1/10 14:33:00", "2020-01-10T06:33:00+00:00"),  # feedparser alone reads this as 2020-12-01
     ("Fri, 20 Nov 2026 08:30:00 +0800", "2026-11-20T00:30:00+00:00"),
     ("2026-11-20T08:30:00Z", "2026-11-20T08:30:00+00:00")],
)
def test_feed_dates_are_read_as_written_in_the_sources_zone(written: str, utc: str) -> None:
    body = (f'<rss version="2.0"><channel><title>t</title><item><title>A story</title>'
            f"<link>https://x.test/1</link><pubDate>{written}</pubDate></item></channel></rss>").encode()
    (headline,) = parse_feed(body, "https://x.test/f", "s", tz=timezone(timedelta(hours=8))).headlines
    assert headline.published_at is not None and headline.published_at.isoformat() == utc
