"""The offline demo: a bundled sample site served on 127.0.0.1, crawled, tagged and exported.

It shows a newcomer the whole flow without the internet, and it is a smoke test of the real parts: a real
HTTP server, a real crawl in a child process, a real SQLite file and the current model.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from headlines.errors import ExitCode
from headlines.export import write_csv
from store import open_store

SITE = Path(__file__).with_name("demo_site")
SOURCES = """\
[[sources]]
name = "demo-tech-live"
kind = "portal"
url = "{base}/live.html"

[[sources]]
name = "demo-feed"
kind = "feed"
url = "{base}/feed.xml"
tz = "+08:00"

[[sources]]
name = "demo-news-sitemap"
kind = "sitemap"
url = "{base}/news-sitemap.xml"
"""


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the demo site, writing the server's own address into the XML files' absolute links."""

    def __init__(self, *args: object, base: str, **kwargs: object) -> None:
        self.base = base
        super().__init__(*args, directory=str(SITE), **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = Path(self.translate_path(self.path))
        if path.suffix != ".xml" or not path.is_file():
            super().do_GET()
            return
        body = path.read_bytes().replace(b"__BASE__", self.base.encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        pass


@contextmanager
def serve_site() -> Iterator[str]:
    """Serve the demo site on a free port of 127.0.0.1; yield its base URL."""
    holder: dict[str, str] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _SiteHandler(*a, base=holder["base"]))
    holder["base"] = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["base"]
    finally:
        server.shutdown()
        server.server_close()


def run_demo(out_dir: Path, models_dir: Path, echo: Callable[[str], None] = print) -> ExitCode:
    """Serve, crawl, show and export the demo site; return the crawl's exit code."""
    from headlines.models import ensure_model

    out_dir.mkdir(parents=True, exist_ok=True)
    db = out_dir / "headlines.sqlite3"
    for stale in out_dir.glob("headlines.sqlite3*"):
        stale.unlink()
    ensure_model(models_dir, progress=echo)
    with serve_site() as base:
        sources = out_dir / "sources.toml"
        sources.write_text(SOURCES.format(base=base), encoding="utf-8")
        echo(f"Serving the demo site at {base}; crawling it into {db}")
        done = subprocess.run(
            [sys.executable, "-m", "headlines", "--db", str(db), "--models-dir", str(models_dir), "crawl",
             "--sources", str(sources), "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"],
            check=False,
        )
    csv_path = out_dir / "headlines.csv"
    with open_store(db, "read") as store:
        rows = list(store.query())
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        write_csv(rows, out)
    echo("")
    echo(f"{'sector':<10} {'conf':>5}  {'source':<18} title")
    for row in rows:
        conf = f"{row.confidence:.2f}" if row.confidence is not None else "-"
        echo(f"{row.sector or '-':<10} {conf:>5}  {row.source:<18} {row.title}")
    echo("")
    echo(f"{len(rows)} headlines stored in {db}; CSV written to {csv_path}")
    return ExitCode(done.returncode) if done.returncode in ExitCode._value2member_map_ else ExitCode.ERROR
