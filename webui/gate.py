"""The web server's front door: a request reaches a worker thread only once it has arrived.

cheroot gives a connection to a worker as soon as it is accepted (a kept-alive one as
soon as a byte arrives), and the worker then reads the request with a timeout per
read: a client sending one byte every few seconds keeps that worker as long as it
likes, and ten such clients kept all ten. cheroot also does the TLS handshake,
blocking, in the thread that accepts, so one silent client stalled every other.

`Gate` takes the place of cheroot's connection manager (the thread that accepts and
watches idle connections). In one selector loop, without blocking, it does the TLS
handshake and reads each request's head and a body of up to BODY_BUFFERED bytes; only
a complete request goes to a worker, its bytes fed in front of the socket
(`RequestReader`). A request has `request_timeout` seconds from the accept (or, on a
kept-alive connection, from the end of the last response) to arrive, however slowly
it trickles; then the connection is closed (with 408 if a request had begun). A
longer body is read by the worker under the same deadline, stretched only by data
actually arriving (webui/incoming.py, MIN_BODY_RATE). At most `max_waiting`
connections wait here; a new one pushes out the one waiting longest.
"""
from __future__ import annotations

import collections
import logging
import selectors
import socket
import ssl
import time

from cheroot.connections import ConnectionManager

from webui.incoming import BODY_BUFFERED, HEAD_MAX, Waiting, connection_files

log = logging.getLogger(__name__)

ACCEPTS_PER_WAKE = 64           # so a flood of connects cannot starve the reads
TICK = 0.25                     # seconds between looks for connections past their deadline
_TIMEOUT_REPLY = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
                  b"Connection: close\r\nContent-Length: 38\r\n\r\n"
                  b"the request took too long to arrive.\r\n")
_NOT_TLS_REPLY = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                  b"Connection: close\r\nContent-Length: 43\r\n\r\n"
                  b"this port speaks HTTPS: use https:// here.\r\n")


class Gate(ConnectionManager):
    """Accepts connections and reads each request whole before a worker takes it."""

    def __init__(self, server, *, request_timeout: float, max_waiting: int, tls=None):
        """`tls` is cheroot's BuiltinSSLAdapter when the server speaks HTTPS, else None.

        Deliberately not ConnectionManager.__init__: the selector here is this thread's
        alone (workers hand connections back through a queue and a wake-up socket)."""
        self._serving = False
        self._stop_requested = False
        self.server = server
        self.request_timeout = request_timeout
        self.max_waiting = max_waiting
        self.tls = tls
        self._waiting: dict[int, Waiting] = {}       # by file descriptor, oldest first
        self._returned: collections.deque = collections.deque()
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)
        self._selector = selectors.DefaultSelector()
        server.socket.setblocking(False)
        self._selector.register(server.socket, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_out, selectors.EVENT_READ, "wake")
        self.dropped = 0                               # connections closed for their deadline

    # -- what cheroot calls -------------------------------------------------------------
    def put(self, conn) -> None:
        """Takes back a kept-alive connection after a response (from a worker thread)."""
        if conn.rfile.has_data():       # the next request came in with the last one
            conn.rfile.raw.feed(b"", time.monotonic() + self.request_timeout)
            self.server.process_conn(conn)
            return
        self._returned.append(conn)
        self._wake()

    @property
    def can_add_keepalive_connection(self) -> bool:
        # Keep-alive connections wait here too: keep half the room for new ones.
        return len(self._waiting) < self.max_waiting // 2

    def stop(self) -> None:
        self._stop_requested = True
        self._wake()
        give_up = time.monotonic() + 5
        while self._serving and time.monotonic() < give_up:
            time.sleep(0.01)

    def close(self) -> None:
        """Closes every waiting connection (after the loop has stopped)."""
        for waiting in list(self._waiting.values()):
            self._drop(waiting)
        while self._returned:
            self._returned.popleft().close()
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()

    def _wake(self) -> None:
        try:
            self._wake_in.send(b"\0")
        except OSError:
            pass        # full (the loop is awake anyway) or closed (the gate has stopped)

    # -- the loop -----------------------------------------------------------------------
    def _run(self, expiration_interval) -> None:
        last_look = time.monotonic()
        while not self._stop_requested:
            for key, _ in self._selector.select(TICK):
                if key.data == "accept":
                    self._accept()
                elif key.data == "wake":
                    self._drain_wake()
                else:
                    self._advance_guarded(key.data)
            self._take_returned()
            now = time.monotonic()
            if now - last_look >= TICK:
                self._expire(now)
                last_look = now

    def _drain_wake(self) -> None:
        try:
            while self._wake_out.recv(4096):
                pass
        except BlockingIOError:
            pass        # drained

    def _accept(self) -> None:
        for _ in range(ACCEPTS_PER_WAKE):
            try:
                sock, address = self.server.socket.accept()
            except BlockingIOError:
                return
            except OSError as error:
                # EMFILE and the like: free a descriptor, the listener stays readable
                log.warning("web: cannot accept a connection: %s", error)
                self._push_out_oldest()
                return
            sock.setblocking(False)
            handshaking = False
            if self.tls is not None:
                try:
                    sock = self.tls.context.wrap_socket(sock, server_side=True,
                                                        do_handshake_on_connect=False)
                except OSError:
                    sock.close()      # gone before its handshake began
                    continue
                handshaking = True
            self._wait(Waiting(sock, address, None, time.monotonic(), self.request_timeout,
                               handshaking))

    def _take_returned(self) -> None:
        while self._returned:
            conn = self._returned.popleft()
            try:
                conn.socket.setblocking(False)
            except OSError:
                conn.close()          # the client went while the response was written
                continue
            address = (conn.remote_addr, conn.remote_port)
            waiting = Waiting(conn.socket, address, conn, time.monotonic(),
                              self.request_timeout, False)
            self._wait(waiting)
            if isinstance(conn.socket, ssl.SSLSocket) and conn.socket.pending():
                self._advance_guarded(waiting)    # decrypted already: no readiness will come

    def _wait(self, waiting: Waiting) -> None:
        if len(self._waiting) >= self.max_waiting:
            self._push_out_oldest()
        self._waiting[waiting.sock.fileno()] = waiting
        self._selector.register(waiting.sock, waiting.events, waiting)

    def _push_out_oldest(self) -> None:
        # The one waiting longest is the likeliest to be slow on purpose.
        if self._waiting:
            self._drop(next(iter(self._waiting.values())), reply=_TIMEOUT_REPLY)

    def _expire(self, now: float) -> None:
        late = [waiting for waiting in self._waiting.values() if waiting.deadline <= now]
        for waiting in late:
            self.dropped += 1
            log.debug("web: %s took too long to send a request: closed", waiting.address[0])
            self._drop(waiting, reply=_TIMEOUT_REPLY if waiting.buffer else b"")

    def _drop(self, waiting: Waiting, reply: bytes = b"") -> None:
        self._forget(waiting)
        if reply and not waiting.handshaking:
            try:
                waiting.sock.send(reply)
            except OSError:
                pass        # a polite answer only; the connection goes either way
        if waiting.conn is not None:
            waiting.conn.close()
        else:
            waiting.sock.close()

    def _forget(self, waiting: Waiting) -> None:
        self._waiting.pop(waiting.sock.fileno(), None)
        try:
            self._selector.unregister(waiting.sock)
        except (KeyError, ValueError):
            pass        # not registered (any more)

    # -- one connection -----------------------------------------------------------------
    def _advance_guarded(self, waiting: Waiting) -> None:
        """Advances one connection; a fault of ours costs that connection, never the loop."""
        try:
            self._advance(waiting)
        except Exception:
            log.exception("web: reading a request from %s failed", waiting.address[0])
            if waiting.sock.fileno() in self._waiting:
                self._drop(waiting)

    def _advance(self, waiting: Waiting) -> None:
        try:
            if waiting.handshaking and not self._handshake(waiting):
                return
            searched = len(waiting.buffer)
            ended = self._receive(waiting)
        except ssl.SSLError as error:
            if getattr(error, "reason", "") == "HTTP_REQUEST":
                self._forget(waiting)
                _answer_plain(waiting.sock, _NOT_TLS_REPLY)
            else:
                self._drop(waiting)
            return
        except OSError:
            self._drop(waiting)      # reset by the peer and the like
            return
        if waiting.complete(searched):
            self._hand_over(waiting)
        elif ended:
            self._drop(waiting)

    def _handshake(self, waiting: Waiting) -> bool:
        """Gives whether the TLS handshake is done (it goes on as bytes arrive)."""
        try:
            waiting.sock.do_handshake()
        except ssl.SSLWantReadError:
            self._watch(waiting, selectors.EVENT_READ)
            return False
        except ssl.SSLWantWriteError:
            self._watch(waiting, selectors.EVENT_WRITE)
            return False
        waiting.handshaking = False
        self._watch(waiting, selectors.EVENT_READ)
        return True

    def _watch(self, waiting: Waiting, events: int) -> None:
        if waiting.events != events:
            waiting.events = events
            self._selector.modify(waiting.sock, events, waiting)

    def _receive(self, waiting: Waiting) -> bool:
        """Reads what has arrived; gives True when the client closed its side."""
        room = HEAD_MAX + BODY_BUFFERED - len(waiting.buffer)
        while room > 0:
            try:
                chunk = waiting.sock.recv(min(room, 16384))
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return False
            if not chunk:
                return True
            waiting.buffer += chunk
            room -= len(chunk)
        return False

    def _hand_over(self, waiting: Waiting) -> None:
        self._forget(waiting)
        sock = waiting.sock
        sock.settimeout(self.server.timeout)
        conn = waiting.conn
        if conn is None:
            conn = self.server.ConnectionClass(self.server, sock, connection_files)
            conn.remote_addr, conn.remote_port = waiting.address[0], waiting.address[1]
            conn.ssl_env = self.tls.get_environ(sock) if self.tls is not None else {}
        conn.last_used = time.time()
        conn.rfile.raw.feed(bytes(waiting.buffer), waiting.deadline)
        self.server.process_conn(conn)


def _answer_plain(sock, reply: bytes) -> None:
    """Writes a short plain-text answer on a TLS socket's bare descriptor, if it still has one."""
    try:
        fd = socket.socket(fileno=sock.detach())
    except OSError:
        return
    with fd:
        try:
            fd.send(reply)
        except OSError:
            pass        # a courtesy; the client gets a closed connection either way
