"""Real crawls against a real HTTP server on 127.0.0.1, into a real SQLite file, in child processes."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from store import RunRecord, StoredHeadline, StoreError, open_store
from tests.conftest import FAST, ROOT, Server, run_headlines

Crawl = Callable[..., subprocess.CompletedProcess[str]]

LIST_PAGE = """<html><head><meta charset="utf-8"><title>Tech live</title></head><body>
<nav><a href="/">Home</a> <a href="/tech/">Tech</a> <a href="/login">Log in</a></nav>
<ul class="list">{items}</ul>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer></body></html>"""
TITLES = [
    "Battery maker lines up sodium-ion packs for small cars",
    "Payment app caps fees charged to street vendors",
    "Foundry orders for mature nodes pick up again",
    "Marketplace merchants count returns after festival",
    "City cuts mortgage down payments to revive sales",
    "Robotaxi operator wins permit to cross the river",
    "Memory prices climb for a third straight month",
    "Handset shipments slip in the third quarter",
]


def list_page(titles: list[str], prefix: str = "/news/2026/11/") -> str:
    items = "".join(
        f'<li><span>2026-11-20</span> <a href="{prefix}{i:03d}-story.html?utm_source=x">{t}</a></li>'
        for i, t in enumerate(titles, 1)
    )
    return LIST_PAGE.format(items=items)


def rss(titles: list[str], base: str) -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{base}/feed/{i}.html</link>"
        f"<pubDate>Fri, 20 Nov 2026 0{i % 10}:00:00 +0800</pubDate></item>"
        for i, t in enumerate(titles, 1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def source(name: str, kind: str, url: str, **extra: str) -> str:
    lines = [f'[[sources]]\nname = "{name}"\nkind = "{kind}"\nurl = "{url}"']
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "\n".join(lines) + "\n\n"


def rows(tmp_path: Path) -> list[StoredHeadline]:
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        return list(store.query())


def last_runs(tmp_path: Path) -> dict[str, RunRecord]:
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        return store.last_runs()


def statuses(tmp_path: Path) -> dict[str, str]:
    return {name: run.status for name, run in last_runs(tmp_path).items()}


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_all_kinds_and_faults_in_one_crawl(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    good = {
        "portal": server.add("/live/", list_page(TITLES)),
        "feed": server.add("/feed.xml", rss(TITLES[:3], server.base), content_type="application/rss+xml"),
        "sitemap": server.add("/news.xml", (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"<url><loc>{server.base}/s/1.html</loc><news:news><news:title>Chip tool orders jump</news:title>"
            "<news:publication_date>2026-11-20</news:publication_date></news:news></url></urlset>"
        ), content_type="application/xml"),
        "json": server.add("/api/list", '{"datas": [{"desc": "Wallet adds offline mode", "link": "/j/1.html",'
                           ' "time": "2026-11-20 09:00"}]}', content_type="application/json"),
    }
    server.add("/missing", "gone", status=404)
    server.add("/broken", "oops", status=500)
    server.add("/away", "", status=302, Location=f"http://localhost:{server.base.rsplit(':', 1)[1]}/live/")
    server.add("/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    server.add("/huge", "<html><body>" + "<p>filler text</p>" * 20000 + "</body></html>")
    server.add("/blank", "<html><body><p>No headlines today.</p></body></html>")
    server.add("/bad-feed", "<html><body>Not a feed at all</body></html>")
    sources = "".join([
        source("ok-portal", "portal", good["portal"]),
        source("ok-feed", "feed", good["feed"], tz="+08:00"),
        source("ok-sitemap", "sitemap", good["sitemap"]),
        f'[[sources]]\nname = "ok-json"\nkind = "json"\nurl = "{good["json"]}"\nitems = "datas"\n'
        'title = "desc"\nlink = "link"\ndate = "time"\ntz = "+08:00"\n\n',
        source("http-404", "feed", server.base + "/missing"),
        source("http-500", "portal", server.base + "/broken"),
        source("refused", "feed", f"http://127.0.0.1:{closed_port()}/feed"),
        source("offsite", "portal", server.base + "/away"),
        source("not-html", "portal", server.base + "/logo.png"),
        source("oversized", "portal", server.base + "/huge"),
        source("no-headlines", "portal", server.base + "/blank"),
        source("not-a-feed", "feed", server.base + "/bad-feed"),
    ])
    done = crawl(sources, "-s", "DOWNLOAD_MAXSIZE=100000")
    assert done.returncode == 3, done.stderr[-3000:]
    assert statuses(tmp_path) == {
        "ok-portal": "ok", "ok-feed": "ok", "ok-sitemap": "ok", "ok-json": "ok",
        "http-404": "http_error", "http-500": "http_error",
        "refused": "connection_error", "offsite": "offsite", "not-html": "unparsable",
        "oversized": "too_large", "no-headlines": "empty", "not-a-feed": "unparsable",
    }
    stored = rows(tmp_path)
    titles = {r.title for r in stored}
    assert set(TITLES) <= titles
    assert {"Chip tool orders jump", "Wallet adds offline mode"} <= titles
    assert len(stored) == len(TITLES) + 3 + 2  # the feed repeats three portal titles under its own URLs
    assert all("utm_" not in r.url for r in stored)
    portal_row = next(r for r in stored if r.source == "ok-portal")
    assert portal_row.published_at == datetime(2026, 11, 20, tzinfo=UTC)  # the date printed next to the link
    json_row = next(r for r in stored if r.title == "Wallet adds offline mode")
    assert json_row.published_at == datetime(2026, 11, 20, 1, tzinfo=UTC)
    table = done.stdout
    assert "HTTP 404" in table and "4/12 sources ok" in table


def test_paged_portal_follows_next_up_to_max_pages(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    for n in range(1, 5):
        page = list_page([f"{t} (page {n})" for t in TITLES], prefix=f"/news/p{n}/")
        server.add(f"/list/{n}", page.replace("</ul>", f'</ul><a class="next" href="/list/{n + 1}">Next</a>'))
    done = crawl(f'[[sources]]\nname = "paged"\nkind = "portal"\nurl = "{server.base}/list/1"\n'
                 'links = "ul.list a"\nnext = "a.next"\nmax_pages = 3\n')
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(rows(tmp_path)) == 3 * len(TITLES)
    assert "/list/4" not in [path for path, _ in server.log]


def test_a_silent_server_times_out_and_says_so(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    server.add("/slow", list_page(TITLES))
    server.routes["/slow"].delay = 5
    done = crawl(source("too-slow", "portal", server.base + "/slow"), "-s", "DOWNLOAD_TIMEOUT=2")
    assert done.returncode == 3
    assert statuses(tmp_path) == {"too-slow": "timeout"}
    assert "no answer in time" in done.stdout


def test_robots_txt_is_obeyed(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    server.add("/private/list", list_page(TITLES))
    done = crawl(source("robots", "portal", server.base + "/private/list"))
    assert done.returncode == 3
    assert statuses(tmp_path) == {"robots": "robots"}
    assert "forbidden by robots.txt" in done.stdout
    assert "/private/list" not in [path for path, _ in server.log]


def test_second_crawl_adds_no_duplicates_and_revalidates(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    portal = server.add("/live/", list_page(TITLES))
    feed = server.add("/feed.xml", rss(TITLES[:4], server.base), content_type="application/rss+xml",
                      ETag='"v1"')
    sources = source("portal", "portal", portal) + source("feed", "feed", feed)
    first = crawl(sources)
    assert first.returncode == 0, first.stderr[-3000:]
    before = rows(tmp_path)
    assert len(before) == len(TITLES) + 4
    second = crawl(sources)
    assert second.returncode == 0, second.stderr[-3000:]
    after = rows(tmp_path)
    assert [(r.id, r.url, r.title, r.first_seen_at) for r in after] == [
        (r.id, r.url, r.title, r.first_seen_at) for r in before]
    feed_requests = [headers for path, headers in server.log if path == "/feed.xml"]
    assert feed_requests[-1].get("If-None-Match") == '"v1"'
    assert statuses(tmp_path) == {"portal": "ok", "feed": "not_modified"}
    portal = last_runs(tmp_path)["portal"]
    assert (portal.found, portal.new, portal.duplicates) == (len(TITLES), 0, len(TITLES))


def test_changed_title_on_a_known_url_is_kept_as_history(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    portal = server.add("/live/", list_page(TITLES))
    crawl(source("portal", "portal", portal))
    server.add("/live/", list_page(["Battery maker delays sodium-ion packs for small cars", *TITLES[1:]]))
    crawl(source("portal", "portal", portal))
    assert len(rows(tmp_path)) == len(TITLES)
    with open_store(tmp_path / "h.sqlite3", "read") as store:
        changed = next(r for r in store.query() if r.title.startswith("Battery maker delays"))
        assert [title for title, _ in store.title_history(changed.url)] == [TITLES[0]]


def test_only_empty_sources_exit_4(server: Server, crawl: Crawl) -> None:
    url = server.add("/blank", "<html><body><p>Nothing here.</p></body></html>")
    done = crawl(source("blank", "portal", url))
    assert done.returncode == 4
    assert "empty" in done.stdout


def test_invalid_sources_file_changes_nothing(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    url = server.add("/live/", list_page(TITLES))
    assert crawl(source("portal", "portal", url)).returncode == 0
    done = crawl(source("portal", "portal", url) + '[[sources]]\nname = "x"\nkind = "feed"\n')
    assert done.returncode == 1
    assert "sources.toml: source #2 ('x'): missing key 'url'" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(rows(tmp_path)) == len(TITLES)


def test_sigkill_leaves_a_database_that_opens_with_what_was_committed(server: Server, tmp_path: Path) -> None:
    children = [f"/sm/{i}.xml" for i in range(40)]
    server.add("/index.xml", '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
        f"<sitemap><loc>{server.base}{c}</loc></sitemap>" for c in children) + "</sitemapindex>",
        content_type="application/xml")
    for n, child in enumerate(children):
        urls = "".join(
            f"<url><loc>{server.base}/n/{n}/{i}.html</loc><news:news><news:title>Story {n}-{i} about chips"
            "</news:title></news:news></url>" for i in range(200))
        server.add(child, '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                   f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>',
                   content_type="application/xml")
        server.routes[child].delay = 0.3
    (tmp_path / "s.toml").write_text(source("big", "sitemap", server.base + "/index.xml"))
    db = tmp_path / "h.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-m", "headlines", "--db", str(db), "crawl", "--sources", str(tmp_path / "s.toml"),
         *FAST, "-s", "HEADLINES_STORE_BATCH=100", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    committed = 0
    while time.monotonic() < deadline and committed < 400:
        time.sleep(0.2)
        try:
            with open_store(db, "read") as store:
                committed = store.count()
        except StoreError:
            committed = 0
    assert child.poll() is None, "the crawl ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    with open_store(db, "read") as store:
        assert store.count() >= committed >= 400
        assert [r.status for r in store.running()] == ["running"]


def test_export_writes_the_contract_columns(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    crawl(source("portal", "portal", server.add("/live/", list_page(TITLES))))
    out = tmp_path / "out.csv"
    done = run_headlines("--db", str(tmp_path / "h.sqlite3"), "export", "-o", str(out))
    assert done.returncode == 0, done.stderr
    reader = csv.reader(io.StringIO(out.read_text(encoding="utf-8")))
    header = next(reader)
    assert header[:10] == ["title", "url", "source", "published_at", "first_seen_at", "sector", "confidence",
                      "tags", "label", "model_id"]
    body = list(reader)
    assert {r[0] for r in body} == set(TITLES)
    assert len(body) == len(TITLES)
    assert all(r[4].endswith("+00:00") for r in body)


def test_scrapy_commands_use_the_same_extraction(server: Server, tmp_path: Path) -> None:
    url = server.add("/feed.xml", rss(TITLES[:3], server.base), content_type="application/rss+xml")
    env = {**os.environ, "HEADLINES_DB": str(tmp_path / "h.sqlite3"), "HEADLINES_MODELS": str(tmp_path / "m")}
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                            env=env, check=True)
    assert listed.stdout.split() == ["feed", "json", "portal", "sitemap", "sources"]
    out = tmp_path / "out.csv"
    subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "feed", "-a", f"url={url}", "-O", str(out),
         "-s", "HEADLINES_CLASSIFY=False", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
        cwd=ROOT, capture_output=True, text=True, env=env, check=True, timeout=120,
    )
    exported = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["title"] for r in exported] == TITLES[:3]
    assert exported[0]["source"] == "feed-127-0-0-1"


def test_one_malformed_link_does_not_sink_the_page(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    page = list_page(TITLES).replace("</ul>", '<li><a href="http://[broken/x">A broken link that reads like a '
                                              "headline about chips</a></li></ul>")
    done = crawl(source("portal", "portal", server.add("/live/", page)))
    assert done.returncode == 0, done.stderr[-3000:]
    run = last_runs(tmp_path)["portal"]
    assert (run.status, run.found, run.new, run.dropped) == ("ok", len(TITLES), len(TITLES), {"bad_url": 1})


def test_an_empty_source_saves_no_validators_and_stays_empty(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    url = server.add("/feed.xml", empty, content_type="application/rss+xml", ETag='"e1"',
                     Last_Modified="Fri, 20 Nov 2026 08:00:00 GMT")
    for _ in range(2):
        done = crawl(source("feed", "feed", url))
        assert done.returncode == 4, done.stderr[-3000:]
        assert statuses(tmp_path) == {"feed": "empty"}
    assert [h.get("If-None-Match") for h in server.requests_to("/feed.xml")] == [None, None]


def test_sources_on_one_site_share_its_politeness_and_its_robots_txt(server: Server, crawl: Crawl,
                                                                    tmp_path: Path) -> None:
    names = [f"section-{n}" for n in range(6)]
    text = ""
    for n, name in enumerate(names):
        url = server.add(f"/s{n}/", list_page([f"{t} ({name})" for t in TITLES], prefix=f"/news/{n}/"))
        server.routes[f"/s{n}/"].delay = 0.3
        text += source(name, "portal", url)
    done = crawl(text, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(statuses(tmp_path).values()) == {"ok"}
    assert server.in_flight.most <= 2
    assert len(server.requests_to("/robots.txt")) == 1


def test_two_sources_may_read_the_same_page(server: Server, crawl: Crawl, tmp_path: Path) -> None:
    url = server.add("/live/", list_page(TITLES))
    done = crawl(source("first", "portal", url) + source("second", "portal", url))
    assert done.returncode == 0, done.stderr[-3000:]
    runs = last_runs(tmp_path)
    assert (runs["first"].status, runs["second"].status) == ("ok", "ok")
    assert runs["first"].new + runs["second"].new == len(TITLES)
    assert runs["first"].found == runs["second"].found == len(TITLES)


def test_the_contact_setting_reaches_the_user_agent(server: Server, crawl: Crawl) -> None:
    url = server.add("/live/", list_page(TITLES))
    done = crawl(source("portal", "portal", url), "-s", "HEADLINES_CONTACT_URL=mailto:desk@example.org")
    assert done.returncode == 0, done.stderr[-3000:]
    agents = {h.get("User-Agent") for h in server.requests_to("/live/")}
    assert agents == {"headlines/0.1 (+mailto:desk@example.org)"}
    assert "HEADLINES_CONTACT_URL is not set" not in done.stderr
