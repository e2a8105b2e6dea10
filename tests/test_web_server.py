"""The web server under slow and greedy clients, over real sockets on 127.0.0.1.

Slow anonymous clients trickling requests and live event streams held open must not keep
a login or a page from answering; slow clients are dropped by the request deadline;
streams are capped per login and in all, and answered clearly over the cap.
"""
from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
import types

import pytest

from gateway import users
from gateway.calls.service import CallService
from gateway.config import parse
from gateway.money import accounts
from gateway.store.db import open_database
from webui.app import make_app
from webui.incoming import BODY_BUFFERED, HEAD_MAX, Waiting
from webui.server import WebServer

REQUEST_TIMEOUT = 4.0     # seconds; short, so the slow clients are dropped within the test
FAST = 1.0                # seconds a login or a page may take while under attack
PASSWORD = "holder-secret"


def web_app(tmp_path, web: dict | None = None, holders: int = 5):
    """Gives the web app on a fresh database with holder logins holder0.. and a call
    service (not started: the streams need only its live events)."""
    config = parse({"gateway": {"database": str(tmp_path / "web.db"),
                                "state_dir": str(tmp_path), "currency": "EUR"},
                    "web": web or {}}, "test.toml")
    open_database(config.gateway.database)
    now = time.time()
    for number in range(holders):
        accounts.create(f"holder{number}", "1234", 1000, now)
        users.add_user(f"holder{number}", PASSWORD, now)
    services = types.SimpleNamespace(pool=None, calls=CallService(config, None, None),
                                     now=time.time)
    return make_app(config, services)


@pytest.fixture
def serve(tmp_path):
    """Gives a function starting a real server on a free port; stops them all after."""
    servers = []

    def start(app, **options):
        server = WebServer(app, "127.0.0.1", 0, request_timeout=REQUEST_TIMEOUT, **options)
        server.start()
        servers.append(server)
        return server
    yield start
    for server in servers:
        server.stop()


def log_in(port: int, name: str) -> tuple[str, float]:
    """Gives (the session cookie, seconds the login took) from POST /api/login."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/login", json.dumps({"name": name, "password": PASSWORD}),
                       {"Content-Type": "application/json"})
    reply = connection.getresponse()
    reply.read()
    took = time.monotonic() - started
    connection.close()
    assert reply.status == 200, reply.status
    return reply.getheader("Set-Cookie").split(";")[0], took


def get(port: int, path: str, cookie: str = "") -> tuple[int, str, float]:
    """Gives (status, body, seconds taken) of a GET on a new connection."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    reply = connection.getresponse()
    body = reply.read().decode()
    connection.close()
    return reply.status, body, time.monotonic() - started


def open_stream(port: int, cookie: str) -> tuple[socket.socket, bytes]:
    """Gives a socket on GET /api/events and what came first (the head and, when
    accepted, the stream's opening comment)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET /api/events HTTP/1.1\r\nHost: box\r\nCookie: {cookie}\r\n\r\n".encode())
    received = b""
    while b"live call events" not in received and b"\r\n\r\n{" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
        if b"\r\n\r\n" in received and b" 200 " not in received.split(b"\r\n", 1)[0]:
            received += sock.recv(4096)      # the JSON reason, in the same write as a rule
            break
    return sock, received


class Tricklers:
    """Anonymous sockets sending POST /login ever so slowly: half trickle the head, half
    the body, one byte per socket every TRICKLE seconds, until the server drops them."""

    TRICKLE = 0.5

    def __init__(self, port: int, count: int):
        self.sockets = []
        self.pending: dict[socket.socket, bytes] = {}
        self.opened: dict[socket.socket, float] = {}
        self.dropped: dict[socket.socket, float] = {}     # socket -> seconds it lived
        body_request = (b"POST /login HTTP/1.1\r\nHost: box\r\nContent-Type: "
                        b"application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
        for number in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if number % 2:
                sock.sendall(body_request)          # then the body, byte by byte
                self.pending[sock] = b"x" * 1000
            else:
                self.pending[sock] = body_request   # the head itself, byte by byte
            self.opened[sock] = time.monotonic()
            self.sockets.append(sock)
        self.thread = threading.Thread(target=self._run, name="tricklers", daemon=True)

    def _run(self) -> None:
        give_up = time.monotonic() + REQUEST_TIMEOUT + 10
        while len(self.dropped) < len(self.sockets) and time.monotonic() < give_up:
            alive = [sock for sock in self.sockets if sock not in self.dropped]
            readable, _, _ = select.select(alive, [], [], self.TRICKLE)
            for sock in readable:         # an answer (408) or the end: dropped
                self.dropped[sock] = time.monotonic() - self.opened[sock]
            for sock in alive:
                if sock not in self.dropped and self.pending[sock]:
                    try:
                        sock.send(self.pending[sock][:1])
                        self.pending[sock] = self.pending[sock][1:]
                    except OSError:
                        self.dropped[sock] = time.monotonic() - self.opened[sock]

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1])


def test_login_and_pages_answer_while_slow_clients_and_streams_hold_on(tmp_path, serve):
    app = web_app(tmp_path)
    server = serve(app)
    port = server.port
    cookies = [log_in(port, f"holder{number}")[0] for number in range(5)]
    get(port, "/login")
    threads_before, rss_before = threading.active_count(), rss_kib()

    streams = [open_stream(port, cookie) for cookie in cookies for _ in range(4)]
    assert all(b" 200 " in first and b"live call events" in first for _, first in streams)
    tricklers = Tricklers(port, 50)
    tricklers.thread.start()
    try:
        time.sleep(1.0)          # the tricklers at work
        # no thread per connection, and what the waiting clients cost is bounded (measured
        # before the logins below: each scrypt hash takes 16 MB on the thread doing it)
        assert threading.active_count() <= threads_before + 1      # + the tricklers
        assert rss_kib() - rss_before < 10 * 1024
        for _ in range(3):
            cookie, login_took = log_in(port, "holder0")
            status, page, page_took = get(port, "/", cookie)
            status_login, _, login_page_took = get(port, "/login")
            assert (status, status_login) == (200, 200)
            assert "holder0" in page
            assert max(login_took, page_took, login_page_took) < FAST, \
                (login_took, page_took, login_page_took)
            assert not tricklers.dropped        # measured while all fifty still held on
            time.sleep(0.3)
        tricklers.thread.join(REQUEST_TIMEOUT + 15)
        assert len(tricklers.dropped) == 50
        assert max(tricklers.dropped.values()) < REQUEST_TIMEOUT + 2
        assert min(tricklers.dropped.values()) >= REQUEST_TIMEOUT - 0.5
        assert server.server.waiting_dropped() == 50
        # the streams lived through it: holder0's four all get holder0's call event
        app.web.tracker.started(41, _account_id("holder0"))
        app.web.calls.context.live.publish({"session": 41, "leg": "a", "state": "dialing"})
        for sock, _ in streams[:4]:
            assert b'"session": 41' in _read_until(sock, b"event: leg")
    finally:
        tricklers.close()
        for sock, _ in streams:
            sock.close()


def test_many_parallel_logins_leave_memory_bounded(tmp_path, serve):
    port = serve(web_app(tmp_path, holders=1)).port
    before = rss_kib()
    clients = [threading.Thread(target=lambda: [log_in(port, "holder0") for _ in range(4)])
               for _ in range(12)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(120)
    # each login's scrypt takes 16 MB: 48 of them on up to 12 worker threads at once
    assert rss_kib() - before < 64 * 1024


def test_streams_are_capped_per_login_and_in_all_and_freed_when_closed(tmp_path, serve):
    app = web_app(tmp_path, {"max_streams": 3, "streams_per_login": 2}, holders=2)
    server = serve(app)
    port = server.port
    first, second = log_in(port, "holder0")[0], log_in(port, "holder1")[0]
    held = [open_stream(port, first)[0], open_stream(port, first)[0]]

    sock, answer = open_stream(port, first)
    sock.close()
    assert b" 429 " in answer.split(b"\r\n")[0]
    assert b"Retry-After: 5" in answer and b"application/json" in answer
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"].startswith("this login has 2")

    held.append(open_stream(port, second)[0])          # the third of three
    sock, answer = open_stream(port, second)
    sock.close()
    assert b" 503 " in answer.split(b"\r\n")[0]
    assert b"updates by polling" in answer

    # an event of holder1's call reaches holder1's stream
    app.web.tracker.started(77, _account_id("holder1"))
    app.web.calls.context.live.publish({"session": 77, "leg": "a", "state": "dialing"})
    assert b"event: leg" in _read_until(held[2], b"event: leg")

    held.pop(0).close()        # the client goes: its slot is free within a second or two
    # (the stream looks every second; a loaded machine may take a few more: the wait is on
    # the slots themselves, not on a fixed number of tries)
    deadline = time.monotonic() + 20
    while app.web.streams.in_use() > 2 and time.monotonic() < deadline:
        threading.Event().wait(0.05)
    assert app.web.streams.in_use() == 2, "a closed stream's slot was never given back"
    sock, answer = open_stream(port, first)
    assert b" 200 " in answer.split(b"\r\n")[0], answer
    held.append(sock)
    assert app.web.streams.in_use() == 3
    for sock in held:
        sock.close()


def _account_id(name: str) -> int:
    from gateway.money.ledger import Account
    return Account.get(Account.name == name).id


def _read_until(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def test_a_trickled_long_body_is_dropped_and_a_fast_one_served(tmp_path, serve):
    server = serve(web_app(tmp_path, holders=1))
    port = server.port
    # longer than the gate reads itself: the worker reads the rest under the deadline
    padding = " " * (BODY_BUFFERED * 3)
    body = ('{"name": "holder0", "password": "%s"}' % PASSWORD + padding).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/api/login", body, {"Content-Type": "application/json"})
    assert connection.getresponse().status == 200
    connection.close()

    slow = socket.create_connection(("127.0.0.1", port), timeout=REQUEST_TIMEOUT + 10)
    head = (f"POST /api/login HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    slow.sendall(head + body[:BODY_BUFFERED])        # a worker takes it from here
    started = time.monotonic()
    answer = b""
    for byte in body[BODY_BUFFERED:BODY_BUFFERED + 40]:
        readable, _, _ = select.select([slow], [], [], 0.5)
        if readable:
            answer = slow.recv(4096)
            break
        slow.send(bytes([byte]))
    else:
        answer = slow.recv(4096)
    took = time.monotonic() - started
    slow.close()
    assert answer.startswith(b"HTTP/1.1 408") or answer == b""
    assert took < REQUEST_TIMEOUT + 2


def test_kept_alive_and_pipelined_requests_are_served(tmp_path, serve):
    server = serve(web_app(tmp_path, holders=1))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for _ in range(3):
        connection.request("GET", "/login")
        reply = connection.getresponse()
        reply.read()
        assert reply.status == 200
    connection.close()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(b"GET /login HTTP/1.1\r\nHost: box\r\n\r\n" * 2)
    received = b""
    while received.count(b"HTTP/1.1 200") < 2:
        chunk = sock.recv(65536)
        assert chunk, received[:200]
        received += chunk
    sock.close()


@pytest.mark.parametrize("chunks, complete", [
    ([b"GET / HTTP/1.1\r\nHost: x\r\n"], False),
    ([b"GET / HTTP/1.1\r\nHost: x\r", b"\n", b"\r\n"], True),
    ([b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcd"], False),
    ([b"POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\nab", b"c\r\n\r\n"], True),
    ([b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", b"x" * BODY_BUFFERED], True),
    ([b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"], True),
    ([b"POST / HTTP/1.1\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n"], True),
    ([b"POST / HTTP/1.1\r\nContent-Length: \xc2\xb2\r\n\r\n"], True),    # cheroot refuses
    ([b"GET / HTTP/1.1\r\nX: " + b"y" * HEAD_MAX], True),                 # cheroot: 413
])
def test_a_request_is_complete_when_its_head_and_short_body_are_in(chunks, complete):
    waiting = Waiting(None, ("127.0.0.1", 1), None, 0.0, REQUEST_TIMEOUT, False)
    done = False
    for chunk in chunks:          # as it arrives, in pieces
        searched = len(waiting.buffer)
        waiting.buffer += chunk
        done = waiting.complete(searched)
    assert done is complete
