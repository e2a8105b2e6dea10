"""A request as it comes in: read by the gate (webui/gate.py), then fed to cheroot.

`Waiting` is a connection whose request has not arrived whole; `RequestReader` is
the reader cheroot's worker gets: the bytes the gate read put in front of the socket,
and any later read held to the request's deadline.
"""
from __future__ import annotations

import _pyio
import selectors
import time

from cheroot import makefile

HEAD_MAX = 16 * 1024            # bytes of request line and headers (cheroot answers 413 above)
BODY_BUFFERED = 16 * 1024       # bytes of body read here; a longer one is read by the worker
MIN_BODY_RATE = 32 * 1024       # bytes/s a longer body must keep up to extend its deadline


class FedSocketIO(_pyio.RawIOBase):
    """A socket's raw reader that first gives the bytes the gate read, then reads the socket
    under the request's deadline (so a trickled long body cannot hold a worker either)."""

    def __init__(self, sock):
        super().__init__()
        self._sock = sock
        self._fed = bytearray()
        self._deadline: float | None = None
        self._received = 0

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._sock.fileno()

    def feed(self, data: bytes, deadline: float) -> None:
        """Puts the bytes read so far in front of the socket; starts the request's clock."""
        self._fed += data
        self._deadline = deadline
        self._received = 0

    def has_fed(self) -> bool:
        return bool(self._fed)

    def readinto(self, buffer) -> int:
        if self._fed:
            count = min(len(buffer), len(self._fed))
            buffer[:count] = self._fed[:count]
            del self._fed[:count]
            return count
        per_read = self._sock.gettimeout()
        if self._deadline is not None:
            left = self._deadline + self._received / MIN_BODY_RATE - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")       # cheroot answers 408 and closes
            self._sock.settimeout(left if per_read is None else min(left, per_read))
        try:
            count = self._sock.recv_into(buffer)
        finally:
            self._sock.settimeout(per_read)           # writes keep cheroot's own timeout
        self._received += count
        return count


class RequestReader(makefile.StreamReader):
    """cheroot's socket reader over a FedSocketIO."""

    def __init__(self, sock, mode="rb", bufsize=_pyio.DEFAULT_BUFFER_SIZE):
        # StreamReader.__init__ would make a plain SocketIO: set up its BufferedReader base
        # over ours instead (the counter is the one attribute StreamReader adds).
        _pyio.BufferedReader.__init__(self, FedSocketIO(sock), bufsize)
        self.bytes_read = 0

    def has_data(self) -> bool:
        return super().has_data() or self.raw.has_fed()


def connection_files(sock, mode="r", bufsize=_pyio.DEFAULT_BUFFER_SIZE):
    """Gives the file cheroot reads (a RequestReader) or writes (its own) on a connection."""
    if "r" in mode:
        return RequestReader(sock, mode, bufsize)
    return makefile.StreamWriter(sock, mode, bufsize)


def body_wanted(head: bytes) -> int | None:
    """Gives how many body bytes the gate waits for after this request head, or None when
    the head alone goes to a worker: cheroot answers a bad Content-Length itself, reads
    a chunked body under the deadline, and sends the 100 Continue a client may await."""
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name in (b"transfer-encoding", b"expect"):
            return None         # chunked; or a client waiting for 100 Continue first
        if name == b"content-length":
            value = value.strip()
            if not value.isdigit():
                return None
            length = int(value)
    return min(length, BODY_BUFFERED)


class Waiting:
    """A connection whose next request has not arrived whole yet."""

    __slots__ = ("sock", "address", "conn", "buffer", "deadline", "started", "handshaking",
                 "events", "head_end", "body_wanted")

    def __init__(self, sock, address, conn, started: float, timeout: float, handshaking: bool):
        self.sock = sock
        self.address = address
        self.conn = conn                  # cheroot's HTTPConnection once it served a request
        self.buffer = bytearray()
        self.started = started
        self.deadline = started + timeout
        self.handshaking = handshaking
        self.events = selectors.EVENT_READ
        self.head_end = -1                # where the body starts, once the head is in
        self.body_wanted: int | None = 0

    def complete(self, searched: int) -> bool:
        """Gives whether the request is in (head, and body as far as the gate reads it);
        `searched` is how much of the buffer was looked through before (it only grows)."""
        if self.head_end < 0:
            end = self.buffer.find(b"\r\n\r\n", max(0, searched - 3))
            if end < 0:
                return len(self.buffer) > HEAD_MAX       # too long: cheroot answers 413
            self.head_end = end + 4
            self.body_wanted = body_wanted(bytes(self.buffer[:end]))
        return (self.body_wanted is None
                or len(self.buffer) - self.head_end >= self.body_wanted)
