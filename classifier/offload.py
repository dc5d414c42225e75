"""Tagging in a process of its own, so that a crawl's one thread spends its time on pages.

A Scrapy crawl runs in one Python thread, and on a first crawl the model was about a fifth of what that
thread did per headline (`python benchmarks/crawl_bench.py --breakdown`). Run as
``python -m classifier.offload MODELS_DIR``, this module is a child process that tags batches of titles for
its parent: the crawl hands over a page's titles and goes on with other pages while the child tags them on
another core. The child loads ``models/CURRENT`` itself, so the crawl never imports scikit-learn, and looks
it up again for every batch (`CurrentModel`), so a model promoted during a long crawl is used from then on,
as in-process.

The protocol is requests and replies on the child's stdin and stdout, each a pickle framed by its length
(4 bytes, big-endian, as Twisted's ``Int32StringReceiver`` reads them), answered one by one in order:
``("load", None)`` answers the model's id, ``("tag", [title, ...])`` a `Tagged`; a reply is ``(True,
value)`` or ``(False, exception)``. A plain child process rather than `multiprocessing`: its start methods
either fork a process that runs an event loop or import the parent's ``__main__`` again, which runs a
crawl script that does not guard itself; and its result thread would contend with the crawl's thread for
the GIL on every page.

The child ignores SIGINT and SIGTERM, so a crawl that stops gracefully still tags the pages it finishes; it
ends when its stdin closes and, on Linux, when its parent dies (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from classifier.errors import ModelError, TaggingError

if TYPE_CHECKING:
    from classifier.tagger import Tagger

_PR_SET_PDEATHSIG = 1
_LENGTH = struct.Struct(">I")
LOAD, TAG = "load", "tag"


class Tags(NamedTuple):
    """What a crawl keeps of one headline's prediction (small to send between processes)."""

    sector: str
    confidence: float
    margin: float
    tags: tuple[str, ...]


class Tagged(NamedTuple):
    """A batch's tags, in the order of its titles, and the model that gave them."""

    model_id: str
    tags: list[Tags]


def tag_titles(tagger: Tagger, titles: Sequence[str]) -> Tagged:
    """Tag a batch with one model call; confidences and margins rounded as the store keeps them.

    Any fault of the model on the batch becomes a `TaggingError` that names the model."""
    try:
        predictions = tagger.predict(titles)
    except Exception as exc:
        raise TaggingError(f"tagging failed with model {tagger.model_id}: {type(exc).__name__}: {exc}") from exc
    return Tagged(tagger.model_id, [Tags(p.sector, round(p.confidence, 4), round(p.margin, 4), p.tags)
                                    for p in predictions])


class InProcessTagging:
    """Tagging in the caller's own thread, with the current model of `models_dir`."""

    def __init__(self, models_dir: Path) -> None:
        from classifier.registry import CurrentModel

        self.model = CurrentModel(models_dir)

    def load(self) -> str:
        return self.model.get().model_id

    def tag(self, titles: Sequence[str]) -> Tagged:
        return tag_titles(self.model.get(), titles)


def frame(message: Any) -> bytes:
    """A message as it travels: its pickle, after the pickle's length."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def read_frame(stream: IO[bytes]) -> Any:
    """The next message on `stream`, or None at its end."""
    head = _read(stream, _LENGTH.size)
    if head is None:
        return None
    data = _read(stream, _LENGTH.unpack(head)[0])
    return None if data is None else pickle.loads(data)


def _read(stream: IO[bytes], size: int) -> bytes | None:
    """Exactly `size` bytes (an unbuffered pipe may return fewer at a time), or None at the end."""
    parts, missing = [], size
    while missing:
        part = stream.read(missing)
        if not part:
            return None
        parts.append(part)
        missing -= len(part)
    return b"".join(parts)


def command(models_dir: Path) -> list[str]:
    """The command line that starts a tagging child for `models_dir`."""
    return [sys.executable, "-m", "classifier.offload", str(models_dir)]


def child_environment() -> dict[str, str]:
    """The parent's environment, with this package importable however the parent found it."""
    here = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": here + (os.pathsep + path if path else "")}


def reply(tagging: InProcessTagging, request: tuple[str, Any]) -> tuple[bool, Any]:
    """The answer to one request; a fault is answered, not raised, so the child keeps serving."""
    kind, payload = request
    try:
        if kind == LOAD:
            model_id = tagging.load()
            gc.collect()
            gc.freeze()  # the model's many objects stay out of every later collection (crawler.extensions)
            return True, model_id
        if kind == TAG:
            return True, tagging.tag(payload)
        raise ValueError(f"unknown request {kind!r}")
    except ModelError as exc:  # the parent says why headlines go untagged
        return False, exc
    except Exception as exc:  # noqa: BLE001 - every fault goes back to the parent, which reports it
        traceback.print_exc()  # to the crawl's stderr: the parent has only the message
        if not isinstance(exc, TaggingError):  # one the parent can unpickle without importing anything
            exc = TaggingError(f"{type(exc).__name__}: {exc}")
        return False, exc


def serve(models_dir: Path, requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests until their stream ends."""
    tagging = InProcessTagging(models_dir)
    while (request := read_frame(requests)) is not None:
        replies.write(frame(reply(tagging, request)))
        replies.flush()


def main(argv: Sequence[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the crawl's log, not into the replies
    serve(Path(argv[0]), sys.stdin.buffer, replies)


if __name__ == "__main__":
    from classifier import offload  # under its own name, so that what it sends unpickles in the parent

    offload.main(sys.argv[1:])
