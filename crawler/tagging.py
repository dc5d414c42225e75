"""The crawl's end of a tagging child process (`classifier.offload`), driven by the reactor.

The child is started and asked to load the model as early as the crawl command can (`prestart`, before
Scrapy builds the crawl), and the engine starts once it has answered, as it would for a model loaded
in-process. From then on its pipes belong to the reactor (Twisted's
`StandardIO` over the two pipe ends): a page's titles are written and the crawl goes on; the reply fires
that page's Deferred when it arrives. No thread of the crawl's waits for it.

If the child ends, every batch waiting for it and every later one fails with `TaggingProcessEnded`; the
classify middleware reports that as it reports any other tagging failure, and stores the headlines untagged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
from collections import deque
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.stdio import StandardIO
from twisted.protocols.basic import Int32StringReceiver
from twisted.python.failure import Failure

from classifier.offload import LOAD, TAG, Tagged, child_environment, command, frame, read_frame

logger = logging.getLogger(__name__)


class TaggingProcessEnded(Exception):
    """The tagging child is gone; the message says how it ended."""


class TaggingChild(Int32StringReceiver):
    """A tagging child for the models of `models_dir`: `load` once, blocking; then `tag` returns Deferreds."""

    MAX_LENGTH = 2**31 - 1  # the tags of a feed with tens of thousands of entries are one reply

    def __init__(self, models_dir: Path) -> None:
        self.process = subprocess.Popen(command(models_dir), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        env=child_environment(), bufsize=0)
        assert self.process.stdin is not None
        # asked at once, so the model loads while the crawl sets itself up (`load` reads the answer; a child
        # that died at once leaves an end of file there)
        with contextlib.suppress(OSError):
            self.process.stdin.write(frame((LOAD, None)))
        self.waiting: deque[Deferred[Any]] = deque()
        self.ended: str | None = None
        self.closed: Deferred[None] | None = None
        self.pipes: StandardIO | None = None
        self.fds: tuple[int, ...] = ()  # StandardIO leaves closing its descriptors to their owner

    def load(self) -> str:
        """Have the child load the current model and say its id (or raise its `ModelError`), then hand the
        pipes to the reactor. Blocks: call it before the reactor runs, as the crawl is set up."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            answer = read_frame(stdout)
        except OSError:
            answer = None
        if answer is None:
            self.ended = self.how_it_ended()
        else:
            self.fds = (os.dup(stdout.fileno()), os.dup(stdin.fileno()))
            # (typeshed knows only the Windows signature; POSIX takes the two descriptors)
            self.pipes = StandardIO(self, stdin=self.fds[0], stdout=self.fds[1])  # type: ignore[call-arg]
        stdin.close()
        stdout.close()
        if answer is None:
            raise TaggingProcessEnded(self.ended)
        ok, value = answer
        if not ok:
            raise value
        return str(value)

    def tag(self, titles: list[str]) -> Deferred[Tagged]:
        if self.ended is not None:
            return defer.fail(TaggingProcessEnded(self.ended))
        waiting: Deferred[Tagged] = Deferred()
        self.waiting.append(waiting)
        self.sendString(pickle.dumps((TAG, titles), protocol=pickle.HIGHEST_PROTOCOL))
        return waiting

    def stringReceived(self, string: bytes) -> None:
        waiting = self.waiting.popleft()
        try:
            ok, value = pickle.loads(string)
        except Exception:  # noqa: BLE001 - that batch fails; the replies after it are framed apart
            waiting.errback(Failure())
            return
        if ok:
            waiting.callback(value)
        else:
            waiting.errback(Failure(value))

    def connectionLost(self, reason: Failure | None = None) -> None:
        for fd in self.fds:  # the child reads the end of its input, and exits
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds = ()
        self.ended = self.ended or self.how_it_ended()
        while self.waiting:
            self.waiting.popleft().errback(Failure(TaggingProcessEnded(self.ended)))
        if self.closed is not None:
            self.how_it_ended()  # reaped
            self.closed.callback(None)

    def how_it_ended(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the tagging process stopped answering"
        return f"the tagging process ended with exit code {code}"

    def close(self) -> Deferred[None]:
        """End the child: its stdin closes once what was written is flushed, and it exits. The Deferred fires
        when it has (at once if it is already gone)."""
        if self.pipes is None or self.closed is not None or self.process.poll() is not None:
            for pipe in (self.process.stdin, self.process.stdout):  # (closed once the reactor has them)
                if pipe is not None:
                    pipe.close()
            self.how_it_ended()
            return defer.succeed(None)
        self.ended = self.ended or "the crawl closed the tagging process"
        self.closed = Deferred()
        self.pipes.loseConnection()
        return self.closed


_prestarted: dict[Path, TaggingChild] = {}


def prestart(models_dir: Path) -> None:
    """Start the tagging child of a crawl that is about to be set up, so that it loads the model while Scrapy
    builds the crawl (a quarter of a second off the start-up here); `tagging_child` hands it over."""
    if models_dir.resolve() not in _prestarted:
        _prestarted[models_dir.resolve()] = TaggingChild(models_dir)


def tagging_child(models_dir: Path) -> TaggingChild:
    """The child `prestart` started for `models_dir`, or a new one."""
    return _prestarted.pop(models_dir.resolve(), None) or TaggingChild(models_dir)
