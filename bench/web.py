"""Benchmark: the web UI under 20 clients, and how late live call events reach a page.

The box runs on the virtual network in this process; a second process holds
20 logged-in clients that fetch pages for 30 s (dashboard, connect page,
account JSON) and one client following /api/events. Meanwhile this process
starts connect-two calls through the API, and the virtual phones answer and
hang up. Prints page latency (median/p99, requests/s) and the time from a
modem's call-state URC (written by the virtual modem) to the leg event it
caused arriving at the client (median, and p99 when there are 200 samples
or more, else the maximum: bench/stats.py; target p99 <= 200 ms).

Pairing is exact: calls run one at a time, so the n-th session's leg A is
the n-th call on m1 and its leg B the n-th call on m2; a call's URCs
(SIMCom `+CLCC:`, Quectel `+QIND: "ccinfo"` and `^DSCI:`) name its call id
and 27.007 status, and an event is paired with the first URC of its call
that announced its state. An event without one is counted, never dropped
silently, and nothing is cut off by time.

    python bench/web.py [--clients 20] [--seconds 30]
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import multiprocessing
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import spread  # noqa: E402

PAGES = ("/", "/connect", "/api/account")
PASSWORD = "bench-secret-1"
LEG_MODEM = {"a": "m1", "b": "m2"}      # tests/boxrig.Rig: m1 calls back, m2 dials out
# a call's status URC: call id and 27.007 <stat> (SIMCom +CLCC, Quectel +QIND ccinfo, ^DSCI)
CALL_URC = re.compile(r'^(?:\+CLCC: |\+QIND: "ccinfo",|\^DSCI: )(\d+),\d,(\d+)')
RELEASED = {6, 7}                       # SIMCom and ^DSCI say 6, Quectel's ccinfo 7
STATUS_OF_STATE = {"alerting": {3}, "connected": {0}, "ended": RELEASED, "busy": RELEASED,
                   "no answer": RELEASED}


class Client:
    """One logged-in HTTP/1.1 client with a keep-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        reply = self.request("POST", "/api/login", {"name": "alice", "password": PASSWORD})
        self.cookie = reply.getheader("Set-Cookie").split(";", 1)[0]
        self.csrf = json.loads(reply.read())["csrf_token"]

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if getattr(self, "cookie", None):
            headers["Cookie"] = self.cookie
            headers["X-CSRF-Token"] = self.csrf
        self.connection.request(method, path, json.dumps(body) if body is not None else None,
                                headers)
        return self.connection.getresponse()


def load_clients(port: int, clients: int, seconds: float, conn) -> None:
    """Child process: page clients and one live-events follower; sends back timings."""
    stop = threading.Event()
    latencies: list[float] = []
    errors: list[str] = []
    events: list[tuple[float, dict]] = []
    lock = threading.Lock()

    def fetch() -> None:
        try:
            client = Client(port)
        except Exception as error:   # a refused login is a result, not a crash
            with lock:
                errors.append(f"login: {error}")
            return
        index = 0
        while not stop.is_set():
            path = PAGES[index % len(PAGES)]
            index += 1
            start = time.monotonic()
            try:
                reply = client.request("GET", path)
                reply.read()
                status = reply.status
            except Exception as error:
                with lock:
                    errors.append(f"{path}: {error}")
                client = Client(port)
                continue
            took = time.monotonic() - start
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(f"{path}: HTTP {status}")

    follower = Client(port)

    def follow() -> None:
        reply = follower.request("GET", "/api/events")
        buffer = b""
        while not stop.is_set():
            try:
                chunk = reply.read1(4096)
            except (OSError, http.client.HTTPException):
                return           # closed at the end
            if not chunk:
                return
            arrived = time.monotonic()
            buffer += chunk
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: "):
                        events.append((arrived, json.loads(line[6:])))

    threads = [threading.Thread(target=follow, daemon=True)]
    threads += [threading.Thread(target=fetch, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    conn.send("ready")
    stop.wait(seconds)
    stop.set()
    follower.connection.sock.shutdown(socket.SHUT_RDWR)
    for thread in threads[1:]:
        thread.join(timeout=10)
    conn.send({"latencies": latencies, "errors": errors, "events": events})


def drive_calls(rig, port: int, until: float, stop: threading.Event) -> int:
    """Starts connect-two calls until `until`; the phones answer, talk 1 s, hang up."""
    from modems.sim import PhoneState
    from tests.boxrig import FRIEND, USER
    calls = 0
    while time.monotonic() < until and not stop.is_set():
        client = Client(port)      # the server closes a keep-alive connection idle for 10 s
        reply = client.request("POST", "/api/callbacks", {"a": USER, "b": FRIEND})
        reply.read()
        if reply.status != 201:
            print(f"starting a call failed: HTTP {reply.status}", file=sys.stderr)
            return calls
        for phone in (rig.user, rig.friend):
            if not phone.wait_state(PhoneState.RINGING, timeout=30):
                print("a phone did not ring", file=sys.stderr)
                return calls
            phone.answer()
        stop.wait(1.0)
        rig.friend.hangup()
        calls += 1
        rig.wait_settled(count=calls, timeout=20)
        rig.user.wait_state(PhoneState.IDLE, timeout=10)
    return calls


def calls_in(log) -> list[list[tuple[float, int, int]]]:
    """Gives one modem's status URCs as (written at, call id, status), one list per call
    in the order the calls were made (a call ends with its release)."""
    calls: list[list[tuple[float, int, int]]] = []
    current: list[tuple[float, int, int]] | None = None
    for at, text in log:
        found = CALL_URC.match(text)
        if found is None:
            continue
        call_id, status = int(found.group(1)), int(found.group(2))
        if current is None:
            current = []
            calls.append(current)
        current.append((at, call_id, status))
        if status in RELEASED:
            current = None
    return calls


def event_latencies(events, urc_logs) -> tuple[list[float], int]:
    """Gives the URC -> client latency of each leg event, and how many events had no URC
    of their call announcing their state (see the module docstring)."""
    calls = {modem: calls_in(log) for modem, log in urc_logs.items()}
    sessions = sorted({event["session"] for _, event in events if event.get("session")})
    latencies, unmatched = [], 0
    for arrived, event in events:
        wanted = STATUS_OF_STATE.get(event.get("state"))
        if wanted is None or event.get("session") not in sessions:
            continue                            # "dialing" is the box's own word: no URC
        turn = sessions.index(event["session"])
        modem_calls = calls[LEG_MODEM[event["leg"]]]
        call = modem_calls[turn] if turn < len(modem_calls) else []
        written = next((at for at, _, status in call if status in wanted), None)
        if written is None:
            unmatched += 1
        else:
            latencies.append(arrived - written)
    return latencies, unmatched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--verbose", action="store_true", help="print every event and URC")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    from audio import prompts
    from modems.sim import Delays, Network
    from tests.boxrig import Rig
    from gateway import users

    prompts.generate("en")
    workdir = Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    network = Network(workdir / "gsm", delays=Delays.zero())
    network.start()
    rig = Rig(network, workdir)
    rig.start(balance=10_000_000)
    for modem in (rig.trigger, rig.dest_modem):
        modem.urc_log = []
    users.add_user("alice", PASSWORD, time.time())
    port = rig.daemon.web.port
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    worker = context.Process(target=load_clients, args=(port, args.clients, args.seconds, child))
    stop = threading.Event()
    try:
        worker.start()
        if not parent.poll(60) or parent.recv() != "ready":
            print("the client process did not start", file=sys.stderr)
            return 1
        calls = drive_calls(rig, port, time.monotonic() + args.seconds - 3, stop)
        result = parent.recv()
        worker.join(timeout=10)
    finally:
        stop.set()
        if worker.is_alive():
            worker.kill()
        rig.stop()
        network.stop()
    pages = result["latencies"]
    if not pages:
        print("no page was served: " + "; ".join(result["errors"][:5]), file=sys.stderr)
        return 1
    if "--verbose" in sys.argv:
        for arrived, event in result["events"]:
            print(f"{arrived:.3f} {event}")
        for name, modem in (("m1", rig.trigger), ("m2", rig.dest_modem)):
            for at, text in modem.urc_log:
                print(f"{at:.3f} {name} {text}")
    live, unmatched = event_latencies(result["events"], {"m1": rig.trigger.urc_log,
                                                         "m2": rig.dest_modem.urc_log})
    print(f"web: {args.clients} clients for {args.seconds:.0f} s, {calls} connect-two calls")
    print(f"  pages: {len(pages)} requests ({len(pages) / args.seconds:.0f}/s), "
          f"{spread(pages)}, errors {len(result['errors'])}")
    if live:
        print(f"  URC -> SSE event: {spread(live)} over {calls} calls; {unmatched} events "
              f"without a URC of their call (target p99 <= 200 ms)")
    else:
        print("  URC -> SSE event: no leg event arrived", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
