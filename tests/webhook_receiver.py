"""A real local HTTP receiver for webhook tests: http.server on a thread of its own.

It records every POST (headers, body, the sender's port) and answers 200, or what
`answer` says; `down()` closes its port and every connection open to it
(connections are refused) and `up()` opens the same port again, so a test can
have a receiver that is away for a while. It answers HTTP/1.0 (a connection per
POST) unless `keep_alive`: then HTTP/1.1, keeping each connection open.
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import http.server
import json
import socket
import threading


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    sender_port: int = 0

    @property
    def json(self) -> dict:
        return json.loads(self.body)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's check, exactly as docs/webhooks.md gives it."""
    timestamp = headers["X-Callbox-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Callbox-Signature"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """Records POSTs; `wait(count)` waits until that many arrived."""

    def __init__(self, port: int | None = None, answer: int = 200, keep_alive: bool = False):
        self.port = port or free_port()
        self.answer = answer
        self.keep_alive = keep_alive
        self._connections: list[socket.socket] = []
        self.delay = 0.0                  # seconds each answer is held back
        self.deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> "Receiver":
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if self.keep_alive else "HTTP/1.0"
            wbufsize = -1     # the answer in one write (flushed after each request): no wait
                              # for a delayed ACK between its head and its body (Nagle)

            def setup(self):
                super().setup()
                with receiver._arrived:
                    receiver._connections.append(self.connection)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.delay:
                    threading.Event().wait(receiver.delay)   # a slow receiver, on purpose
                status = receiver.answer
                if status < 300:
                    with receiver._arrived:
                        receiver.deliveries.append(Delivery(self.path, dict(self.headers), body,
                                                          self.client_address[1]))
                        receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):      # the test's output stays readable
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="receiver",
                                        daemon=True)
        self._thread.start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            with self._arrived:
                connections, self._connections = self._connections, []
            for connection in connections:      # kept-alive ones end too, as in a restart
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass                        # closed already

    def wait(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        """Gives the deliveries once `count` arrived; fails after `timeout`."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.deliveries) >= count, timeout):
                raise AssertionError(f"{count} deliveries expected within {timeout} s, got "
                                     f"{[d.json['event'] for d in self.deliveries]}")
            return list(self.deliveries)

    def events(self) -> list[str]:
        return [delivery.json["event"] for delivery in self.deliveries]
