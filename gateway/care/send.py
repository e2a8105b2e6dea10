"""Delivering one message to the owner's apprise URLs, and what came of it per URL.

`AppriseSender.send` hands the message to gateway/care/apprise_send.py, run
as a child process (the daemon itself never imports apprise: it would keep
~35 MB of plugins for a message a week), and gives one `Outcome` per URL.
The child stays for a minute after its last message, so a burst of alerts
starts it once; a child that dies, garbles or overruns `timeout` is killed
and fails every URL of that message with the reason (the caller tries again
later). `Sender` is the seam the alert worker sends through.
"""
from __future__ import annotations

from dataclasses import dataclass
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apprise_send.py")
ANSWER_MAX = 1 << 20        # bytes of one answer line


@dataclass(frozen=True)
class Outcome:
    """What came of sending to one URL: the URL with its secrets masked, ok, why not."""

    url: str
    ok: bool
    error: str = ""


class Sender(Protocol):
    """Sends a message to every URL; gives one Outcome per URL, in order. Blocks up to
    its timeout; never raises for a failed delivery."""

    def send(self, urls: tuple[str, ...], title: str, body: str) -> list[Outcome]: ...

    def close(self) -> None: ...


def scheme_only(url: str, number: int) -> str:
    """Gives a URL as a log may show it when apprise did not: its scheme alone."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://... (URL {number})"


class SendFailed(Exception):
    """The child gave no usable answer; the message says why."""


class AppriseSender:
    """Sends through apprise in a child process (see the module docstring). Thread-safe."""

    def __init__(self, timeout: float = 60.0):
        self.timeout = timeout
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def send(self, urls: tuple[str, ...], title: str, body: str) -> list[Outcome]:
        if not urls:
            return []
        request = (json.dumps({"title": title, "body": body, "urls": list(urls)}) + "\n").encode()
        with self._lock:
            try:
                answers = self._ask(request, len(urls))
            except SendFailed as error:
                return [Outcome(scheme_only(url, number), False, str(error))
                        for number, url in enumerate(urls, start=1)]
        return [Outcome(str(answer.get("url", "")), answer.get("ok") is True,
                        str(answer.get("error", ""))[:500]) for answer in answers]

    def close(self) -> None:
        """Ends the child, if one runs (it would end by itself after a minute)."""
        with self._lock:
            self._end_child()

    def _ask(self, request: bytes, count: int) -> list[dict]:
        fresh = self._child is None or self._child.poll() is not None
        try:
            return self._exchange(request, count)
        except SendFailed:
            self._end_child()
            if fresh:
                raise
        # the idle child may have ended just as the request came: once more, with a new one
        return self._exchange(request, count)

    def _exchange(self, request: bytes, count: int) -> list[dict]:
        child = self._start_child()
        try:
            child.stdin.write(request)
            child.stdin.flush()
        except OSError:
            raise SendFailed("the sender process ended") from None
        line = self._read_line(child)
        try:
            answers = json.loads(line)
        except ValueError:
            raise SendFailed("the sender process gave no answer it could read") from None
        if not isinstance(answers, list) or len(answers) != count:
            raise SendFailed("the sender process answered for other URLs")
        return answers

    def _read_line(self, child: subprocess.Popen) -> bytes:
        deadline = time.monotonic() + self.timeout
        data = b""
        fd = child.stdout.fileno()
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise SendFailed(f"no answer within {self.timeout:g} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise SendFailed("the sender process ended: "
                                 + self._stderr_tail(child))
            data += chunk
            if len(data) > ANSWER_MAX:
                raise SendFailed("the sender process answered too much")
        return data

    def _start_child(self) -> subprocess.Popen:
        if self._child is None or self._child.poll() is not None:
            # -I: not the script's folder first on the path (its neighbour requests.py would
            # stand in for the library apprise imports), no PYTHON* variables, no user site
            self._child = subprocess.Popen([sys.executable, "-I", CHILD], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           bufsize=0, close_fds=True)
        return self._child

    def _end_child(self) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        if child.poll() is None:
            child.kill()
        child.wait()
        for pipe in (child.stdin, child.stdout, child.stderr):
            pipe.close()

    @staticmethod
    def _stderr_tail(child: subprocess.Popen) -> str:
        child.wait(5)
        text = child.stderr.read().decode(errors="replace").strip()
        return (text.splitlines() or [f"exit {child.returncode}"])[-1][:300]
