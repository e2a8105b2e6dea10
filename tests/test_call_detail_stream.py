"""The live stream of one call (GET /api/events?session=<id>, the call detail page's), over
a real socket: who may follow which call, and that it carries that call's events only."""
from __future__ import annotations

import socket
import time

from gateway import users
from gateway.calls.live import settled_event, timeline_event
from gateway.money.ledger import Account, start_session

from tests.boxrig import wait_for
from tests.test_web_server import PASSWORD, get, log_in, serve, web_app  # noqa: F401 (fixture)


def stream(port: int, cookie: str, path: str) -> socket.socket:
    """Gives a socket on the stream at `path`, once its opening comment has come."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: box\r\nCookie: {cookie}\r\n\r\n".encode())
    assert b"live call events" in read_until(sock, b"live call events")
    return sock


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    """Gives what the socket sent until `marker` came (or 10 s passed)."""
    received = b""
    deadline = time.monotonic() + 10
    while marker not in received and time.monotonic() < deadline:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def test_a_call_is_followed_by_its_holder_and_an_admin_and_no_one_else(tmp_path, serve):
    app = web_app(tmp_path, holders=2)
    users.add_user("root", PASSWORD, time.time(), is_admin=True)
    port = serve(app).port
    own, other = (start_session("box", Account.get(Account.name == name).id, "callback",
                                "+4917000000001", time.time()) for name in ("holder0", "holder1"))
    holder, _ = log_in(port, "holder0")
    admin, _ = log_in(port, "root")
    assert get(port, "/api/events?session=x1", holder)[0] == 400
    assert get(port, f"/api/events?session={other}", holder)[0] == 404     # as if none
    assert get(port, f"/api/events?session={own + 99}", admin)[0] == 404
    assert get(port, "/api/events", admin)[0] == 403       # no account: no account's stream
    assert get(port, f"/api/events?session={own}")[0] == 401

    live = app.web.calls.context.live
    followers = [stream(port, holder, f"/api/events?session={own}"),
                 stream(port, admin, f"/api/events?session={own}")]
    account_stream = stream(port, holder, "/api/events")
    live.publish(timeline_event(other, time.time()))
    live.publish(timeline_event(own, time.time()))
    live.publish(settled_event(own, 24, time.time()))
    live.publish({"kind": "leg", "session": own, "leg": "a", "number": "+4917000000001",
                  "state": "ended", "cause": "normal", "seconds": 3, "at": time.time()})
    for sock in followers:
        seen = read_until(sock, b"event: leg")
        assert b"event: timeline\ndata: {\"kind\": \"timeline\", \"session\": %d" % own in seen
        assert b"event: settled" in seen and b'"cost": 24' in seen
        assert b'"session": %d' % other not in seen
        sock.close()
    seen = read_until(account_stream, b"event: leg")      # the call page's: leg events only
    assert b"event: leg" in seen and b"event: timeline" not in seen
    assert b"event: settled" not in seen
    account_stream.close()
    assert wait_for(lambda: app.web.streams.in_use() == 0, timeout=5)   # slots given back
