"""`make demo` as a newcomer runs it: one callback through the Virtual phones API, then Ctrl-C."""
from __future__ import annotations

import http.cookiejar
import json
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOX = "+4915110000001"          # the demo's first trigger SIM: its access number
ALICE = "+4917012345678"
BOB = "+4917098765432"
STOP_WITHIN = 15.0              # seconds from SIGINT to no process left



def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Output:
    """Collects the lines a process prints; lets a test wait for one."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self.ended = threading.Event()
        self._changed = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.ended.set()
            self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        regex = re.compile(pattern)
        found = None

        def seen() -> bool:
            nonlocal found
            found = next((m for m in map(regex.search, self.lines) if m), None)
            return found is not None or self.ended.is_set()

        with self._changed:
            self._changed.wait_for(seen, timeout)
        assert found is not None, f"no line like {pattern!r}; the demo printed:\n" + self.text()
        return found

    def text(self) -> str:
        return "\n".join(self.lines[-80:])


class Api:
    """A JSON client of the demo's web UI that keeps the session cookie."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.csrf = ""
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def call(self, path: str, data: dict | None = None) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", "X-CSRF-Token": self.csrf}
        request = urllib.request.Request(self.url + path, headers=headers, data=None
                                         if data is None else json.dumps(data).encode())
        try:
            with self.opener.open(request, timeout=10) as reply:
                status, text = reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        kind = "json" if text.startswith(("{", "[")) else "text"
        return status, json.loads(text) if kind == "json" else text

    def login(self, name: str, password: str) -> None:
        status, reply = self.call("/api/login", {"name": name, "password": password})
        assert status == 200, reply
        self.csrf = reply["csrf_token"]

    def act(self, phone: str, action: str, **data) -> None:
        status, reply = self.call(f"/api/phones/{phone}/{action}", data)
        assert status == 200, (phone, action, status, reply)

    def phones(self) -> dict:
        status, reply = self.call("/api/phones")
        assert status == 200, reply
        return {phone["name"]: phone for phone in reply["phones"]}


def until(check, what: str, timeout: float, demo: Output):
    """Asks `check()` (an HTTP question: nothing to wait on but the answer) until it gives
    something true; fails naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not demo.ended.is_set():
        answer = check()
        if answer:
            return answer
        demo.ended.wait(0.25)
    raise AssertionError(f"{what} within {timeout} s; the demo printed:\n{demo.text()}")


def history(api: Api) -> str:
    """Gives the account's call history as text: GET /api/calls, else the dashboard."""
    status, reply = api.call("/api/calls")
    if status == 404:
        status, reply = api.call("/")
    assert status == 200, reply
    return reply if isinstance(reply, str) else json.dumps(reply)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def demo():
    port = free_port()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "demo", f"DEMO_LISTEN=127.0.0.1:{port}",
         "DEMO_ARGS=--no-scene"], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = Output(process.stdout)
    output.process = process
    output.url = f"http://127.0.0.1:{port}"
    try:
        yield output
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def test_make_demo_drives_a_callback_with_the_virtual_phones(demo):
    url = demo.wait_for(r"web UI on (http://127\.0\.0\.1:\d+/)", timeout=180).group(1)
    assert url.rstrip("/") == demo.url
    demo.wait_for(r"demo: ready", timeout=60)
    login = demo.wait_for(r"^\s*account holder:\s+(\S+) / (\S+)", timeout=10)
    admin = demo.wait_for(r"^\s*admin:\s+(\S+) / (\S+)", timeout=5)
    lines = list(demo.lines)
    first = next(at for at, line in enumerate(lines) if "account holder:" in line)
    assert any("demo: ready" in line for line in lines[:first]), "the logins came before"
    assert any(set(line) == {"="} for line in lines[first - 4:first]), "not framed"
    start = urllib.request.urlopen(demo.url + "/login", timeout=10).read().decode()
    assert f"<strong>{admin.group(1)}</strong> / <code>{admin.group(2)}</code>" in start
    api = Api(demo.url)
    status, _ = api.call("/api/phones")
    assert status == 401, "the phones answered without a login"
    api.login(login.group(1), login.group(2))
    phones = api.phones()
    assert set(phones) == {"alice", "bob", "carol"}
    assert phones["alice"]["number"] == ALICE and phones["alice"]["state"] == "idle"
    status, reply = api.call("/api/phones/alice/press", {"keys": "1x"})
    assert status == 400 and "keys" in reply["fields"]
    assert BOB not in history(api)

    # alice calls the box's access number (the default); the box rejects and calls back
    api.act("alice", "dial")
    until(lambda: api.phones()["alice"]["state"] in ("dialing", "alerting"), "alice dialing",
          15, demo)
    ringing = until(lambda: (lambda a: a["state"] == "ringing" and a)(api.phones()["alice"]),
                    "the box calling alice back", 40, demo)
    assert ringing["peer"] == BOX
    api.act("alice", "answer")

    def heard(*prompts):
        alice = api.phones()["alice"]
        return all(p in [item["prompt"] for item in alice["transcript"]] for p in prompts)

    # alice's number is authorized in the demo: no PIN, her balance, then the destination
    until(lambda: heard("your_balance_is"), "alice hearing her balance", 30, demo)
    until(lambda: heard("enter_destination"), "alice asked for a destination", 30, demo)
    assert not heard("enter_pin")
    api.act("alice", "press", keys="017098765432#")
    until(lambda: heard("you_can_talk_for"), "alice told how long she may talk", 30, demo)
    ringing = until(lambda: (lambda b: b["state"] == "ringing" and b)(api.phones()["bob"]),
                    "bob's phone ringing", 40, demo)
    assert ringing["peer"] in ("+4915110000002", "+4915110000003")
    api.act("bob", "answer")
    until(lambda: all(p["state"] == "active" for p in list(api.phones().values())[:2]),
          "alice and bob in one call", 15, demo)
    api.act("bob", "hangup")
    api.act("alice", "hangup")

    until(lambda: BOB in history(api), "the call in the account's history", 30, demo)

    # Ctrl-C (SIGINT to the whole group, as a terminal sends it) stops everything
    started = time.monotonic()
    os.killpg(demo.process.pid, signal.SIGINT)
    demo.process.wait(STOP_WITHIN)
    deadline = started + STOP_WITHIN
    while group_alive(demo.process.pid) and time.monotonic() < deadline:
        demo.ended.wait(0.1)       # make's children are reaped before make itself exits
    assert time.monotonic() - started < STOP_WITHIN
    assert not group_alive(demo.process.pid), "processes of the demo are left behind"
    demo.wait_for(r"callbox stopped", timeout=5)


@pytest.mark.parametrize("text, ok", [
    ("127.0.0.1:8081", True), ("localhost:8080", True), ("[::1]:8080", True),
    ("8080", False), ("127.0.0.1:0", False), ("127.0.0.1:70000", False),
    ('127.0.0.1"\n[x]:80', False), ("127.0.0.1:80 --keep", False)])
def test_demo_listen_address_is_checked(text, ok):
    import argparse

    from callbox.cli.demo import listen_address
    if ok:
        assert listen_address(text) == text
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            listen_address(text)
