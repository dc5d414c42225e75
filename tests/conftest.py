"""Shared test fixtures: the real-world inputs next to the repo, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class SmallFs:
    """A real, small file system (tmpfs) mounted for one test: it fills up, and it can turn read-only."""

    path: Path

    def remount(self, *options: str) -> None:
        subprocess.run(["mount", "-o", ",".join(("remount", *options)), str(self.path)], check=True,
                       capture_output=True)


def mount_small_fs(where: Path, size: str) -> SmallFs:
    """Mount a tmpfs of `size` at `where`; skips the test where this machine does not allow mounting."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here (needs root): {done.stderr.strip()}")
    return SmallFs(where)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Callable[[str], SmallFs]]:
    """Mount small file systems under tmp_path (``small_fs("4m")``); all are unmounted afterwards."""
    mounted: list[SmallFs] = []

    def _mount(size: str) -> SmallFs:
        fs = mount_small_fs(tmp_path / f"fs{len(mounted)}", size)
        mounted.append(fs)
        return fs

    yield _mount
    for fs in mounted:
        subprocess.run(["umount", "-l", str(fs.path)], check=False, capture_output=True)


def shared_fixture(name: str) -> Path:
    """Path of a real-world input in ../shared/fixtures; skips the test when the folder is absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip(f"real-world fixtures not found at {SHARED_FIXTURES} (they live next to the repository)")
    return SHARED_FIXTURES / name


@dataclass
class Route:
    """What the test server answers on one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hits: int = 0
    fault: str | None = None  # "drop": close without answering; "truncate": close before the body ends


@dataclass
class InFlight:
    """How many requests the server is answering at once, and the most it ever was."""

    now: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, Route]
    log: list[tuple[str, dict[str, str]]]
    in_flight: InFlight

    def do_GET(self) -> None:  # noqa: N802
        with self.in_flight:
            self._answer()

    def _answer(self) -> None:
        self.log.append((self.path, dict(self.headers)))
        route = self.routes.get(self.path) or self.routes.get(self.path.split("?")[0])
        if route is None:
            route = Route(b"not found", 404, {"Content-Type": "text/plain"})
        route.hits += 1
        if route.delay:
            time.sleep(route.delay)
        if route.fault == "drop":
            self.close_connection = True
            return
        etag = route.headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(route.status)
        for key, value in route.headers.items():
            self.send_header(key, value)
        promised = len(route.body) + (10_000 if route.fault == "truncate" else 0)
        self.send_header("Content-Length", str(promised))
        self.end_headers()
        try:
            self.wfile.write(route.body)
            if route.fault == "truncate":
                self.wfile.flush()
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 whose answers the test sets per path."""

    base: str
    routes: dict[str, Route]
    log: list[tuple[str, dict[str, str]]]
    in_flight: InFlight = field(default_factory=InFlight)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        """The headers of every request the server got for `path` (query ignored), in order."""
        return [headers for logged, headers in self.log if logged.split("?")[0] == path]

    def add(self, path: str, body: bytes | str = b"", status: int = 200, content_type: str | None = "text/html",
            **headers: str) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        hdrs = {k.replace("_", "-"): v for k, v in headers.items()}
        if content_type:
            hdrs.setdefault("Content-Type", content_type)
        self.routes[path] = Route(data, status, hdrs)
        return self.base + path


@pytest.fixture
def server() -> Iterator[Server]:
    routes: dict[str, Route] = {"/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", 200,
                                                     {"Content-Type": "text/plain"})}
    log: list[tuple[str, dict[str, str]]] = []
    in_flight = InFlight()
    handler = type("Handler", (_Handler,), {"routes": routes, "log": log, "in_flight": in_flight})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, log, in_flight)
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_headlines(*args: str, cwd: Path | None = None, timeout: float = 180,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the `headlines` command in a child process, as cron or the scheduler would."""
    return subprocess.run(
        [sys.executable, "-m", "headlines", *args], capture_output=True, text=True, timeout=timeout,
        cwd=cwd or ROOT, env={**os.environ, **(env or {})}, check=False,
    )


def tagged_store(path: Path, rows: list[tuple[str, str, str, float, float]], at: datetime) -> Path:
    """A SQLite store at `path` holding (url, title, model's sector, confidence, margin) rows, seen at `at`."""
    from store import NewHeadline, open_store

    with open_store(path) as store:
        store.add([NewHeadline(t, u, "src", sector=s, confidence=c, margin=m, tags=(s,), model_id="m1")
                   for u, t, s, c, m in rows], at)
    return path


SMALL_CORPUS = FIXTURES / "classifier" / "small.csv"


def train_small(models_dir: Path) -> str:
    """Train, save and promote a model on the 100-headline test corpus; returns its id."""
    from classifier.corpus import read_training_corpus
    from classifier.registry import promote, save
    from classifier.training import train

    saved = save(train(read_training_corpus(SMALL_CORPUS)), models_dir)
    return promote(models_dir, saved.model_id).model_id


@pytest.fixture(scope="session")
def small_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models directory with one current model trained on the small test corpus (do not change it)."""
    models = tmp_path_factory.mktemp("small-models")
    train_small(models)
    return models


FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0",
        "-s", "DOWNLOAD_TIMEOUT=10", "-s", "HEADLINES_CLASSIFY=False")


@pytest.fixture
def crawl(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Crawl a sources file (TOML text) into tmp_path/h.sqlite3 with politeness lifted, untagged."""

    def _crawl(sources: str, *extra: str, classify: bool = False) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "sources.toml"
        path.write_text(sources, encoding="utf-8")
        opts = FAST if not classify else FAST[:-2]
        return run_headlines("--db", str(tmp_path / "h.sqlite3"), "--models-dir", str(tmp_path / "models"),
                             "crawl", "--sources", str(path), *opts, *extra)

    return _crawl


# -- servers: PostgreSQL and Redis --------------------------------------------------------------------

def _server_url(variable: str, what: str) -> str:
    """The URL of a test server from the environment; skipped (or, in CI, failed) when it is not set."""
    url = os.environ.get(variable)
    if url:
        return url
    message = (f"{what} tests need a server: set {variable} (`eval \"$(.ci/services)\"` starts one on "
               "127.0.0.1)")
    if os.environ.get("HEADLINES_REQUIRE_SERVERS"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A libpq URL of an empty PostgreSQL store of this test's own: a fresh schema, dropped afterwards."""
    import uuid

    import psycopg

    base = _server_url("HEADLINES_TEST_POSTGRES", "PostgreSQL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis URL of a database this test may use, emptied before and after."""
    import redis

    url = _server_url("HEADLINES_TEST_REDIS", "Redis")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()


def wait_for(condition: Callable[[], object], timeout: float = 60, what: str = "the condition") -> None:
    """Poll `condition` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def process_ended(pid: int) -> bool:
    """Whether a process is gone or a zombie (dead, waiting for a parent that no longer waits for it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")
