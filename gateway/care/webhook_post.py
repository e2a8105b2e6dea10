"""One POST of one webhook delivery: signed, with a short timeout, never redirected.

The signature (docs/webhooks.md tells receivers how to check it):

    X-Callbox-Timestamp: 1764750000
    X-Callbox-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" under the secret>

The timestamp is signed with the body so that a recorded request cannot be
replayed later: a receiver refuses timestamps older than a few minutes.
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import http.client
import socket
import ssl
import urllib.error
import urllib.request

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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a new address: urllib would repeat a POST as a GET."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, secret: str, event: str, event_id: str, body: str, timestamp: int,
         timeout: float) -> Outcome:
    """POSTs a body; gives whether the receiver took it (any 2xx), else why not."""
    data = body.encode()
    stamp = str(timestamp)
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": f"callbox/{__version__}",
        "X-Callbox-Event": event, "X-Callbox-Delivery": event_id,
        "X-Callbox-Timestamp": stamp, "X-Callbox-Signature": signature(secret, stamp, data)})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(ANSWER_KEPT)
            status = response.status
    except urllib.error.HTTPError as answer:
        return Outcome(False, answer.code, _refusal(answer))
    except (urllib.error.URLError, OSError, http.client.HTTPException,
            ssl.SSLError) as error:
        return Outcome(False, None, _why(error, timeout))
    if 200 <= status < 300:
        return Outcome(True, status)
    return Outcome(False, status, f"the receiver answered {status}")


def _refusal(answer: urllib.error.HTTPError) -> str:
    if 300 <= answer.code < 400:
        return (f"the receiver answered {answer.code}, a redirect to "
                f"{answer.headers.get('Location', '?')}: set url to the final address")
    try:
        text = answer.read(ANSWER_KEPT).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException):   # the answer's body is only for the log
        text = ""
    return f"the receiver answered {answer.code} {answer.reason}" + (f": {text}" if text else "")


def _why(error: Exception, timeout: float) -> str:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the receiver running?)"
    if isinstance(reason, socket.gaierror):
        return f"the host name does not resolve: {reason.strerror or reason}"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"the receiver's certificate was refused: {reason.verify_message or reason}"
    return f"{type(reason).__name__}: {reason}"
