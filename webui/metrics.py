"""GET /metrics for Prometheus: on the web interface, or on a listener of its own.

[metrics] (gateway/config/metrics.py) decides: disabled, /metrics answers 404;
`listen = ""`, the web interface serves it (outside the admin login: only the
token, when one is set, guards it); `listen = "host:port"`, a small server of
its own there (thread `metrics`, the same gated cheroot server as the web UI)
serves it, and the web interface answers 404. The text comes from
gateway/care/metrics.py `Metrics.render()`.
"""
from __future__ import annotations

import hmac
import logging

import bottle

from gateway.store.db import close_database
from webui.auth import bearer_token
from webui.server import WebServer

log = logging.getLogger(__name__)

WORKERS = 2                 # a scraper or two; a scrape is quick
NOT_FOUND = b"404 Not Found: metrics are off, or served on [metrics] listen\n"


def answer(metrics, token: str, authorization: str | None) -> tuple[str, list, bytes]:
    """Gives (status line, headers, body) for GET /metrics with that Authorization header."""
    if token:
        given = bearer_token(authorization)
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            return ("401 Unauthorized",
                    [("WWW-Authenticate", 'Bearer realm="callbox metrics"'),
                     ("Content-Type", "text/plain; charset=utf-8")],
                    b"401 Unauthorized: send Authorization: Bearer <[metrics] token>\n")
    return "200 OK", [("Content-Type", metrics.content_type)], metrics.render()


def install(app: bottle.Bottle, web, metrics) -> None:
    """Adds /metrics to the web UI; `metrics` None (off, or served on its own listener): 404."""
    token = web.config.metrics.token

    @app.get("/metrics")
    def scrape():
        if metrics is None:
            return bottle.HTTPResponse(NOT_FOUND, status=404,
                                       headers={"Content-Type": "text/plain; charset=utf-8"})
        status, headers, body = answer(metrics, token,
                                       bottle.request.get_header("Authorization"))
        return bottle.HTTPResponse(body, status=int(status[:3]), headers=dict(headers))


def server(metrics, config) -> WebServer:
    """Gives the server of [metrics] listen (not started): /metrics and nothing else."""
    token = config.metrics.token

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            status, headers, body = ("404 Not Found",
                                     [("Content-Type", "text/plain; charset=utf-8")],
                                     b"404 Not Found: this listener serves /metrics only\n")
        elif environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            status, headers, body = ("405 Method Not Allowed", [("Allow", "GET, HEAD")],
                                     b"405 Method Not Allowed\n")
        else:
            try:
                status, headers, body = answer(metrics, token,
                                               environ.get("HTTP_AUTHORIZATION"))
            finally:
                close_database()
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    host, port = config.metrics.address
    return WebServer(app, host, port, workers=WORKERS,
                     request_timeout=config.web.request_timeout, name="metrics")
