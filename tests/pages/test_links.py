"""Headline links of a portal page: `select_links` with a CSS selector and `detect_links` without one.

Every page here is a small snippet written for the test; the real pages are measured in
tests/realworld/test_portal_detection.py.
"""

from __future__ import annotations

from parsel import Selector

from crawler.pages.detect import detect_links
from crawler.pages.links import Link, select_links

BASE = "https://news.example.com/world/"

HEADLINES = [
    ("Battery maker opens third plant in Hungary as demand rises", "/2024/05/02/battery-maker-opens-third-plant"),
    ("Central bank tests digital currency with two lenders", "/2024/05/02/central-bank-tests-digital-currency"),
    ("Chip foundry raises forecast after strong quarter", "/2024/05/01/chip-foundry-raises-forecast"),
    ("Marketplace cuts fees for small sellers ahead of festival", "/2024/05/01/marketplace-cuts-fees"),
    ("Robotaxi fleet expands to four more cities", "/2024/04/30/robotaxi-fleet-expands"),
    ("Regulator fines payment app over data lapses", "/2024/04/30/regulator-fines-payment-app"),
    ("Memory prices climb for a fifth month", "/2024/04/29/memory-prices-climb-fifth-month"),
    ("Parcel volumes hit record during holiday week", "/2024/04/29/parcel-volumes-hit-record"),
    ("Carmaker recalls sedans over software fault", "/2024/04/28/carmaker-recalls-sedans"),
    ("Lidar start-up files for listing in Hong Kong", "/2024/04/28/lidar-start-up-files-for-listing"),
]


def page(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>", type="html")


def portal(items: str) -> str:
    """A portal page: header with a nav menu, a main list, a footer."""
    return f"""
    <header class="site-header"><a href="/">News Example</a>
      <nav><ul>
        <li><a href="/world/">World</a></li><li><a href="/business/">Business</a></li>
        <li><a href="/technology/">Technology</a></li><li><a href="/login">Log in</a></li>
        <li><a href="/subscribe">Subscribe to our newsletter today</a></li>
      </ul></nav>
    </header>
    <main><h2 class="section-title"><a href="/latest/">Latest news</a></h2>
      <ul class="story-list">{items}</ul>
      <a class="more" href="/latest/?page=2">More</a>
    </main>
    <footer><ul>
      <li><a href="/about/">About us</a></li><li><a href="/privacy-policy/">Privacy policy</a></li>
      <li><a href="/terms/">Terms and conditions of use for this website</a></li>
      <li><a href="https://twitter.com/newsexample">Follow us on Twitter for the latest stories</a></li>
    </ul></footer>"""


def story_items(headlines: list[tuple[str, str]]) -> str:
    return "".join(
        f'<li class="story-item"><a class="story-link" href="{href}">{title}</a>'
        f'<span class="byline">By <a href="/author/jane-doe/">Jane Doe</a></span></li>'
        for title, href in headlines
    )


def urls(links: list[Link]) -> list[str]:
    return [link.url for link in links]


def test_detect_finds_the_headline_list_and_skips_nav_more_author_and_footer() -> None:
    found = detect_links(page(portal(story_items(HEADLINES))), BASE)
    assert urls(found) == [f"https://news.example.com{href}" for _, href in HEADLINES]
    assert [link.title for link in found] == [title for title, _ in HEADLINES]


def test_detect_keeps_short_headlines_when_they_form_a_list() -> None:
    short = [(" ".join(title.split()[:3]), href) for title, href in HEADLINES]  # "Battery maker opens"
    found = detect_links(page(portal(story_items(short))), BASE)
    assert len(found) == 10
    assert found[0] == Link("Battery maker opens", "https://news.example.com/2024/05/02/battery-maker-opens-third-plant")


def test_detect_counts_cjk_characters_not_spaces() -> None:
    titles = [
        "宁德时代发布新一代快充电池", "央行扩大数字人民币试点范围", "中芯国际上调全年营收预期",
        "拼多多旗下平台下调商家佣金", "萝卜快跑无人车进入更多城市", "支付平台因数据问题被罚款",
        "存储芯片价格连续第五个月上涨", "假期快递业务量创新高",
    ]
    items = "".join(f'<li><a href="/20/0802/{i:02d}/ABC{i}0001899O.html">{t}</a></li>' for i, t in enumerate(titles))
    nav = "".join(f'<a href="/{slug}/">{name}</a>' for slug, name in
                  [("domestic", "国内"), ("world", "国际"), ("war", "军事"), ("money", "财经"), ("tech", "科技")])
    found = detect_links(page(f'<div class="channels">{nav}</div><ul class="newslist">{items}</ul>'),
                         "https://news.example.cn/")
    assert [link.title for link in found] == titles
    assert all(link.url.startswith("https://news.example.cn/20/0802/") for link in found)


def test_a_heading_inside_the_link_is_the_title() -> None:
    teaser = """<article><a class="teaser" href="/story/2000108150923/blue-networks">
        <figure><img src="a.jpg" alt="photo"></figure><p class="kicker">Postenschacher</p><span>361 Postings</span>
        <h1 class="teaser-title">Von blauen Netzwerken im Innenministerium</h1>
        <p class="teaser-text">Ein langer Vorspann, der nicht zur Schlagzeile gehört.</p></a></article>"""
    sel = page(teaser * 1 + teaser.replace("2000108150923/blue", "2000108150924/red"))
    expected = "Von blauen Netzwerken im Innenministerium"
    assert [link.title for link in select_links(sel, BASE, "article a.teaser")] == [expected, expected]
    assert [link.title for link in detect_links(sel, BASE)] == [expected, expected]


def test_relative_urls_resolve_against_base_href_and_lose_their_fragment() -> None:
    body = '<ul><li><a href="2024/slug-one.html#comments">One</a></li><li><a href="/top/two">Two</a></li></ul>'
    with_base = page(body, head='<base href="https://cdn.example.org/edition/">')
    assert urls(select_links(with_base, BASE, "li a")) == [
        "https://cdn.example.org/edition/2024/slug-one.html", "https://cdn.example.org/top/two"]
    assert urls(select_links(page(body), BASE, "li a")) == [
        "https://news.example.com/world/2024/slug-one.html", "https://news.example.com/top/two"]


def test_javascript_mailto_and_empty_links_are_skipped() -> None:
    bad = ['javascript:void(0)', 'JavaScript:openStory(3)', 'mailto:desk@example.com', '', '  ', '#top']
    items = "".join(f'<li><a href="{href}">Share this story with a friend by email now</a></li>' for href in bad)
    items += '<li><a>No href at all, just a long piece of anchor text here</a></li>'
    items += '<li><a href="/2024/05/02/real-story-slug">A real story that survived the filter</a></li>'
    sel = page(f'<ul class="list">{items}</ul>')
    assert urls(select_links(sel, BASE, "li a")) == ["https://news.example.com/2024/05/02/real-story-slug"]
    assert urls(detect_links(sel, BASE)) == ["https://news.example.com/2024/05/02/real-story-slug"]


def test_duplicated_links_come_back_once_at_their_first_place() -> None:
    image_then_text = "".join(
        f'<li><a href="{href}"><img src="t.jpg" alt=""></a><a href="{href}#c">{title}</a></li>'
        for title, href in HEADLINES[:4]
    )
    again = f'<li><a href="{HEADLINES[0][1]}">Earlier story</a></li>'
    sel = page(f'<ul class="list">{image_then_text}{again}</ul>')
    picked = select_links(sel, BASE, "ul.list a")
    assert urls(picked) == [f"https://news.example.com{href}" for _, href in HEADLINES[:4]]
    assert picked[0].title == HEADLINES[0][0]  # the untitled image link takes the text link's title
    assert urls(detect_links(sel, BASE)) == urls(picked)


def test_the_headline_wins_over_an_image_credit_linking_the_same_story() -> None:
    title, href = HEADLINES[0]
    items = (f'<li><a href="{href}"><img src="t.jpg" alt="Photo: BYD"></a><a href="{href}">{title}</a></li>'
             f'<li><a href="{HEADLINES[1][1]}">{HEADLINES[1][0]}</a><a href="{HEADLINES[1][1]}">Image: '
             "a factory in Hefei / Getty Images</a></li>")
    sel = page(f'<ul class="list">{items}</ul>')
    for links in (select_links(sel, BASE, "ul.list a"), detect_links(sel, BASE)):
        assert [link.title for link in links][:2] == [title, HEADLINES[1][0]]


def test_select_links_with_a_selector_picking_list_items() -> None:
    items = '<li class="s"><a href="/a-1.html">First</a></li><li class="s"><span>no link</span></li>'
    items += '<li class="s" href="/b-2.html">Item that is itself a link target</li>'
    items += '<li class="t"><a href="/c-3.html">Not picked</a></li>'
    picked = select_links(page(f"<ul>{items}</ul>"), BASE, "li.s")
    assert picked == [Link("First", "https://news.example.com/a-1.html"),
                      Link("Item that is itself a link target", "https://news.example.com/b-2.html")]


def test_select_links_takes_exactly_what_the_selector_picks() -> None:
    sel = page(portal(story_items(HEADLINES)))
    assert urls(select_links(sel, BASE, "nav a")) == [
        "https://news.example.com/world/", "https://news.example.com/business/",
        "https://news.example.com/technology/", "https://news.example.com/login",
        "https://news.example.com/subscribe"]


def test_detect_finds_an_aggregator_list_of_short_off_site_links() -> None:
    rows = "".join(
        f'<tr class="athing"><td class="title"><a class="storylink" href="https://site{i}.example/{path}">{title}</a>'
        f'<span class="sitebit"> (<a href="from?site=site{i}.example">site{i}.example</a>)</span></td></tr>'
        f'<tr><td class="subtext"><a class="hnuser" href="user?id=u{i}">u{i}</a> '
        f'<a href="item?id={1000 + i}">{i} hours ago</a> | <a href="hide?id={1000 + i}">hide</a> | '
        f'<a href="item?id={1000 + i}">{10 + i}&nbsp;comments</a></td></tr>'
        for i, (title, path) in enumerate([
            ("FreeBSD on a Thinkpad", "misc/t480-freebsd"), ("Show HN: A tiny database", ""),
            ("Why Rust", "blog/why"), ("Timeline of logic", "SSFT15/Timeline.pages.pdf"),
            ("A better grep", "tools"), ("Notes on memory manipulation", "article/notes-on-memory"),
        ])
    )
    found = detect_links(page(f'<table class="itemlist">{rows}</table>'), "https://news.aggregator.example/")
    assert [link.title for link in found] == ["FreeBSD on a Thinkpad", "Show HN: A tiny database", "Why Rust",
                                              "Timeline of logic", "A better grep", "Notes on memory manipulation"]


def test_detect_finds_a_dated_headline_list_like_a_live_page() -> None:
    entries = "".join(
        f'<dl class="entry"><dt>2024-05-0{i % 9 + 1} 10:{i:02d}</dt>'
        f'<dd><a href="/2024-05-0{i % 9 + 1}/{title.lower().replace(" ", "-")}-10220{i}.html">{title}</a></dd></dl>'
        for i, (title, _) in enumerate(HEADLINES)
    )
    sidebar = '<aside><a href="/most-read/">Most read</a><a href="/newsletters/">Newsletters</a></aside>'
    found = detect_links(page(f'<div class="live-list">{entries}</div>{sidebar}'), "https://www.example-global.com/live/")
    assert [link.title for link in found] == [title for title, _ in HEADLINES]


def test_detect_ignores_a_page_without_headlines() -> None:
    nav = '<nav><a href="/">Home</a><a href="/news/">News</a><a href="/about/">About</a></nav>'
    assert detect_links(page(nav + '<p>Nothing to read here today.</p>'), BASE) == []


def test_dates_printed_with_links_are_picked_up_per_list_item() -> None:
    html = """<ul class="live">
      <li><span class="t">2026-11-20 18:42</span>
          <a href="/a/1.html">Battery maker lines up sodium-ion packs for small cars</a></li>
      <li><time datetime="2026-11-19T09:00:00+08:00">Nov 19</time>
          <a href="/a/2.html">Wallet app adds offline payments for subway riders</a></li>
      <li><a href="/a/3.html">Foundry orders for mature nodes pick up again</a> 2026年11月18日</li>
      <li><a href="/a/4.html">Marketplace merchants count returns after the shopping festival</a></li>
    </ul>"""
    sel = Selector(text=html)
    dates = [link.date for link in select_links(sel, "https://news.example.com/", "ul.live a")]
    assert dates == ["2026-11-20 18:42", "2026-11-19T09:00:00+08:00", "2026年11月18日", None]


def test_a_date_in_a_neighbouring_item_is_not_borrowed() -> None:
    html = """<div class="list"><span>2026-11-20</span>
      <a href="/a/1.html">First headline with enough words to count</a>
      <a href="/a/2.html">Second headline with enough words to count</a></div>"""
    links = select_links(Selector(text=html), "https://news.example.com/", "div.list a")
    assert [link.date for link in links] == [None, None]
