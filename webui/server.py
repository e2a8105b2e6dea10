"""The web server: cheroot's threaded WSGI server in a thread named `web`."""
from __future__ import annotations

import logging
import threading

from cheroot import wsgi

log = logging.getLogger(__name__)

class FlushingGateway(wsgi.Gateway_10):
    """Sends each chunk the app yields at once.

    cheroot writes through an 8 KiB buffered writer and flushes at the end of a
    response, so a live event stream's small events would sit in the buffer.
    """

    def write(self, chunk):
        super().write(chunk)
        self.req.conn.wfile.flush()


WORKERS = 10          # threads; each open live page holds one for its event stream
MAX_WORKERS = 40


class WebServer:
    def __init__(self, app, host: str, port: int):
        self.app = app
        self.host = host
        self._asked_port = port
        self._server: wsgi.Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """Gives the port listened on (the real one when 0 was asked)."""
        if self._server is None:
            return self._asked_port
        return self._server.bind_addr[1]

    def start(self) -> None:
        server = wsgi.Server((self.host, self._asked_port), self.app, numthreads=WORKERS,
                             max=MAX_WORKERS, server_name="callbox", shutdown_timeout=2)
        server.gateway = FlushingGateway
        server.prepare()         # binds now, so a busy port fails here and `port` is known
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="web", daemon=True)
        self._thread.start()
        log.info("web UI on http://%s:%d/", self.host, self.port)

    def _serve(self) -> None:
        try:
            self._server.serve()
        except Exception:
            log.exception("the web server stopped with an error")

    def stop(self) -> None:
        """Stops serving; safe to call twice."""
        with self._lock:
            server, self._server = self._server, None
            thread, self._thread = self._thread, None
        if server is None:
            return
        web = getattr(self.app, "web", None)
        if web is not None:
            web.stopping.set()   # ends the live event streams within a second
        server.stop()
        if thread is not None:
            thread.join(5)
        if web is not None:
            web.tracker.close()
