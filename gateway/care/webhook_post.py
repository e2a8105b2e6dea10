"""One POST of one webhook delivery: signed, with a short timeout, never redirected.

The signature (docs/webhooks.md tells receivers how to check it):

    X-Callbox-Timestamp: 1764750000
    X-Callbox-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the secret>

The timestamp is signed with the body so that a recorded request cannot be
replayed later: a receiver refuses timestamps older than a few minutes.

`Connections` keeps one HTTP/1.1 connection open to each receiver, as browsers and
HTTP libraries do: a burst of deliveries costs one TCP (and TLS) handshake, not one
each. A receiver that closed the connection while it was idle (its keep-alive
timeout, a restart) gets the POST again on a new connection; a receiver that
answers HTTP/1.0 or `Connection: close` gets a new one for every POST.
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import http.client
import socket
import ssl
from urllib.parse import urlsplit

from gateway import __version__

ANSWER_KEPT = 200       # characters of a refusing receiver's answer kept in the log


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: `status` when the receiver answered at all."""

    ok: bool
    status: int | None = None
    error: str = ""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Gives the X-Callbox-Signature value of a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


STALE = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError,
         BrokenPipeError)          # a kept connection the receiver closed meanwhile
ANSWER_READ = 65536     # bytes of an answer read to keep the connection; more closes it


class Connections:
    """POSTs deliveries, keeping a connection open to each receiver (module docstring).
    One thread uses it: the webhooks worker."""

    def __init__(self):
        self._open: dict[tuple[str, str, int | None], http.client.HTTPConnection] = {}
        self._tls: ssl.SSLContext | None = None

    def post(self, url: str, secret: str, event: str, event_id: str, body: str,
             timestamp: int, timeout: float) -> Outcome:
        """POSTs a body; gives whether the receiver took it (any 2xx), else why not."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        data = body.encode()
        stamp = str(timestamp)
        headers = {"Content-Type": "application/json", "User-Agent": f"callbox/{__version__}",
                   "X-Callbox-Event": event, "X-Callbox-Delivery": event_id,
                   "X-Callbox-Timestamp": stamp,
                   "X-Callbox-Signature": signature(secret, stamp, data)}
        key = (parts.scheme, parts.hostname or "", parts.port)
        while True:
            kept = key in self._open
            connection = self._open.pop(key, None) or self._connect(key, timeout)
            try:
                connection.timeout = timeout
                if connection.sock is not None:
                    connection.sock.settimeout(timeout)
                connection.request("POST", target, body=data, headers=headers)
                response = connection.getresponse()
                answer = response.read(ANSWER_READ)
            except STALE:
                connection.close()
                if kept:
                    continue           # closed while idle: once more on a new connection
                return Outcome(False, None, "the receiver closed the connection without an "
                                            "answer")
            except (OSError, http.client.HTTPException, ssl.SSLError) as error:
                connection.close()
                return Outcome(False, None, _why(error, timeout))
            if response.will_close or not response.isclosed():
                connection.close()     # it said so, or its answer was longer than we read
            else:
                self._open[key] = connection
            if 200 <= response.status < 300:
                return Outcome(True, response.status)
            return Outcome(False, response.status, _refusal(response, answer))

    def close(self) -> None:
        for connection in self._open.values():
            connection.close()
        self._open.clear()

    def _connect(self, key: tuple[str, str, int | None],
                 timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = key
        if scheme == "https":
            if self._tls is None:
                self._tls = ssl.create_default_context()
            return http.client.HTTPSConnection(host, port, timeout=timeout, context=self._tls)
        return http.client.HTTPConnection(host, port, timeout=timeout)


def _refusal(response: http.client.HTTPResponse, answer: bytes) -> str:
    if 300 <= response.status < 400:
        return (f"the receiver answered {response.status}, a redirect to "
                f"{response.getheader('Location', '?')}: set url to the final address")
    text = answer[:ANSWER_KEPT].decode("utf-8", "replace").strip()
    return (f"the receiver answered {response.status} {response.reason}"
            + (f": {text}" if text else ""))


def _why(error: Exception, timeout: float) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the receiver running?)"
    if isinstance(error, socket.gaierror):
        return f"the host name does not resolve: {error.strerror or error}"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the receiver's certificate was refused: {error.verify_message or error}"
    return f"{type(error).__name__}: {error}"
