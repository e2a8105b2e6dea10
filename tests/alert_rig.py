"""Real receivers for alert tests: a local SMTP server (aiosmtpd) and a local HTTP server
that takes apprise's json:// posts; each keeps what it got and lets a test wait for it."""
from __future__ import annotations

from email import message_from_bytes, policy
import http.server
import json
import socket
import threading

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Gives a TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    """What a receiver got, and a condition to wait on."""

    def __init__(self):
        self.got: list[dict] = []
        self._changed = threading.Condition()

    def add(self, message: dict) -> None:
        with self._changed:
            self.got.append(message)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Waits until at least `count` messages came; gives them all."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.got) >= count, timeout):
                raise AssertionError(f"{len(self.got)} message(s) came, not {count}, within "
                                     f"{timeout} s: {self.got}")
            return list(self.got)


class HttpReceiver(_Inbox):
    """An HTTP server on 127.0.0.1 taking JSON posts; `url` is its apprise json:// URL. It
    may start down (`up=False`): its port is chosen already, nothing listens until up()."""

    def __init__(self, up: bool = True):
        super().__init__()
        self.port = free_port()
        self.url = f"json://127.0.0.1:{self.port}/callbox-alerts"
        self.server: http.server.ThreadingHTTPServer | None = None
        if up:
            self.up()

    def up(self) -> None:
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                inbox.add({"path": self.path, **json.loads(self.rfile.read(length))})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                """Quiet: the test says what matters."""

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), name="test-http-receiver",
                         daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class SmtpReceiver(_Inbox):
    """An SMTP server on 127.0.0.1 (no TLS); `url` is an apprise mailto:// URL to it."""

    def __init__(self):
        super().__init__()
        self.port = free_port()
        self.url = (f"mailto://127.0.0.1:{self.port}?from=box@callbox.example"
                    "&to=owner@callbox.example&mode=insecure")
        inbox = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                mail = message_from_bytes(envelope.content, policy=policy.default)
                body = mail.get_body(("plain",))
                inbox.add({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                           "subject": str(mail["Subject"]),
                           "body": body.get_content() if body is not None else ""})
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
