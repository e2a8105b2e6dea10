"""The web server: cheroot's WSGI server behind our Gate, in a thread named `web`.

Why it holds up against slow and greedy clients (issue 11, section 2):
- webui/gate.py reads each request whole without blocking before a worker takes it,
  under a deadline per request (`request_timeout`), so trickling clients never hold a
  worker, and does the TLS handshake the same way.
- The pool is fixed at `workers` plus the live-event streams the app allows
  (webui/live.py `StreamSlots`): a stream keeps its worker for as long as the page is
  open, so the pool is sized so that the streams, all taken, still leave `workers`
  threads for pages and the API. cheroot's `max` never grows a pool by itself, so min
  and max are the same number here.
- A listen backlog of BACKLOG (cheroot's default is 5).
With [web] tls_cert and tls_key the server speaks HTTPS (cheroot's builtin ssl
adapter's context), and `redirect_listen` adds a plain-HTTP listener that redirects.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
import functools
import logging
import re
import select
import threading
import time

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter

from webui.gate import Gate
from webui.incoming import HEAD_MAX

log = logging.getLogger(__name__)

WORKERS = 16              # threads for pages and the API, besides the live streams
REQUEST_TIMEOUT = 10.0    # seconds a request (head and short body) may take to arrive
BACKLOG = 128             # connections the kernel queues before the gate accepts them
MAX_WAITING = 400         # connections whose request has not arrived yet (memory bound)
BODY_MAX = 5 * 1024 * 1024   # bytes; a rate table upload (webui/admin/rates.py) fits
REDIRECT_WORKERS = 2
M_MMAP_THRESHOLD = -3         # glibc <malloc.h>
MMAP_THRESHOLD = 128 * 1024   # bytes; glibc's own starting value, kept fixed
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]")
_TARGET = re.compile(r"/[\x21-\x7e]{0,2000}")       # printable ASCII, no spaces


def return_large_blocks() -> bool:
    """Gives whether glibc now gives every large block back to the system when it is freed.

    Each login hashes a password with scrypt, 16 MB (webui/auth.py). After the first such
    block is freed glibc raises its mmap threshold, so later ones come from the arena of
    the worker thread at hand, and every arena keeps its 16 MB: 96 logins from 12 clients
    left 581 MiB behind, 7 MiB with the threshold fixed (mallopt fixes it)."""
    try:
        return ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    except (OSError, AttributeError):
        return False      # not glibc: its allocator has rules of its own


class FlushingGateway(wsgi.Gateway_10):
    """Sends each chunk the app yields at once.

    cheroot writes through an 8 KiB buffered writer and flushes at the end of a
    response, so a live event stream's small events would sit in the buffer.
    """

    def write(self, chunk):
        super().write(chunk)
        self.req.conn.wfile.flush()

    def get_environ(self):
        """Gives the WSGI environ, with `callbox.client_gone` for long responses (streams)."""
        environ = super().get_environ()
        environ["callbox.client_gone"] = functools.partial(client_gone, self.req.conn.socket)
        return environ


def client_gone(sock) -> bool:
    """Gives whether the client has closed its side of the connection (or it is closed)."""
    poller = select.poll()
    try:
        poller.register(sock.fileno(), select.POLLRDHUP)
    except (OSError, ValueError):
        return True
    return bool(poller.poll(0))      # POLLRDHUP, or POLLHUP/POLLERR which poll always gives


@dataclass(frozen=True)
class Tls:
    cert: str          # PEM certificate (chain) file
    key: str           # PEM private key file

    def adapter(self) -> BuiltinSSLAdapter:
        """Gives cheroot's adapter, its context loaded (ssl.SSLError/OSError if unusable)."""
        return BuiltinSSLAdapter(self.cert, self.key)


class GatedServer(wsgi.Server):
    """cheroot's server with a fixed pool and the Gate in place of its connection manager."""

    def __init__(self, bind_addr, app, *, threads: int, request_timeout: float,
                 tls: Tls | None):
        super().__init__(bind_addr, app, numthreads=threads, max=threads,
                         server_name="callbox", shutdown_timeout=2)
        self.gateway = FlushingGateway
        self.request_queue_size = BACKLOG
        self.timeout = request_timeout       # per read or write once a worker has it
        self.max_request_header_size = HEAD_MAX
        self.max_request_body_size = BODY_MAX
        self.request_timeout = request_timeout
        self.tls_adapter = tls.adapter() if tls is not None else None
        # ssl_adapter stays None: cheroot would do the handshake blocking; the gate does it.

    def prepare(self):
        super().prepare()
        plain = self._connections
        self._connections = Gate(self, request_timeout=self.request_timeout,
                                 max_waiting=MAX_WAITING, tls=self.tls_adapter)
        plain._selector.close()      # cheroot's own manager never ran

    def serve(self):
        """Runs the gate until stopped. cheroot's own serve() also starts an unnamed,
        non-daemon thread that answers 503 when its request queue is full; the queue here
        has no bound, so that thread would only wait, and keep a process from exiting."""
        while self.ready and not self.interrupt:
            try:
                self._connections.run(self.expiration_interval)
            except Exception:
                log.exception("web: the gate failed; it goes on in a second")
                time.sleep(1.0)

    def waiting_dropped(self) -> int:
        """Gives how many connections were closed for not sending a request in time."""
        return self._connections.dropped


class WebServer:
    """The web UI's server; with `redirect`, also a plain-HTTP one that sends to HTTPS."""

    def __init__(self, app, host: str, port: int, *, workers: int = WORKERS,
                 request_timeout: float = REQUEST_TIMEOUT, tls: Tls | None = None,
                 redirect: tuple[str, int] | None = None, name: str = "web"):
        """`name`: of its thread, and in the log ("metrics" for webui/metrics.py's own)."""
        self.app = app
        self.name = name
        self.host = host
        self._asked_port = port
        self.workers = workers
        self.request_timeout = request_timeout
        self.tls = tls
        self.redirect = redirect if tls is not None else None
        self._servers: list[tuple[GatedServer, threading.Thread]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, app, web) -> WebServer:
        """Gives the server a [web] table (gateway.config.WebConfig) describes."""
        tls = Tls(web.tls_cert, web.tls_key) if web.tls_cert else None
        redirect = web.redirect_address if web.redirect_listen else None
        return cls(app, web.host, web.port, workers=web.workers,
                   request_timeout=web.request_timeout, tls=tls, redirect=redirect)

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def port(self) -> int:
        """Gives the port listened on (the real one when 0 was asked)."""
        if not self._servers:
            return self._asked_port
        return self._servers[0][0].bind_addr[1]

    @property
    def redirect_port(self) -> int | None:
        """Gives the plain-HTTP redirect listener's port, None without one."""
        if len(self._servers) < 2:
            return None
        return self._servers[1][0].bind_addr[1]

    @property
    def server(self) -> GatedServer | None:
        return self._servers[0][0] if self._servers else None

    def start(self) -> None:
        if not return_large_blocks():
            log.info("web: cannot fix the allocator's mmap threshold; logins may hold memory")
        streams = getattr(getattr(self.app, "web", None), "streams", None)
        threads = self.workers + (streams.total if streams is not None else 0)
        self._launch(self.app, (self.host, self._asked_port), threads, self.tls, self.name)
        if self.redirect is not None:
            self._launch(redirect_app(self.port), self.redirect, REDIRECT_WORKERS, None,
                         "web-redirect")
        log.info("%s on %s://%s:%d/ (%d threads)", "web UI" if self.name == "web" else self.name,
                 self.scheme, self.host, self.port, threads)
        if self.redirect_port is not None:
            log.info("plain HTTP on %s:%d redirects to HTTPS", self.redirect[0],
                     self.redirect_port)

    def _launch(self, app, address, threads: int, tls: Tls | None, name: str) -> None:
        server = GatedServer(address, app, threads=threads,
                             request_timeout=self.request_timeout, tls=tls)
        server.prepare()         # binds now, so a busy port fails here and `port` is known
        thread = threading.Thread(target=self._serve, args=(server,), name=name, daemon=True)
        with self._lock:
            self._servers.append((server, thread))
        thread.start()

    @staticmethod
    def _serve(server: GatedServer) -> None:
        try:
            server.serve()
        except Exception:
            log.exception("the web server stopped with an error")

    def stop(self) -> None:
        """Stops serving; safe to call twice."""
        with self._lock:
            servers, self._servers = self._servers, []
        if not servers:
            return
        web = getattr(self.app, "web", None)
        if web is not None:
            web.stopping.set()   # ends the live event streams within a second
        for server, thread in servers:
            server.stop()
            thread.join(5)
        if web is not None:
            web.tracker.close()


def redirect_app(https_port: int):
    """Gives a WSGI app that answers every request with a redirect to the same URL on HTTPS."""
    def app(environ, start_response):
        host = environ.get("HTTP_HOST", "")
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not _HOST.fullmatch(host):
            host = environ.get("SERVER_NAME", "localhost")
        port = "" if https_port == 443 else f":{https_port}"
        # The target as sent (still %-encoded, so no decoded CR/LF can reach the header)
        target = environ.get("REQUEST_URI", "/")
        if not _TARGET.fullmatch(target):
            target = "/"
        location = f"https://{host}{port}{target}"
        body = f"This box speaks HTTPS: {location}\n".encode()
        start_response("301 Moved Permanently",
                       [("Location", location), ("Content-Type", "text/plain"),
                        ("Content-Length", str(len(body)))])
        return [body]
    return app
