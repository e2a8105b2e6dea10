"""Two boxes, each a daemon on its own virtual network, sharing one PostgreSQL database:
50 connect-two requests for one account at once, spread over both, never overspend."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from gateway import users
from gateway.money import accounts
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import Account, Cdr, Session, store_rates
from gateway.store.db import close_database, open_database
from modems.sim import Delays, Network, PhoneState

from tests.boxrig import RATES, ensure_prompts, wait_for
from tests.pg import free_port

REQUESTS_PER_BOX = 25
BALANCE = 100          # cents: a few one-minute calls at 12 cents a leg
PASSWORD = "shared-secret-1"


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


class Box:
    """One box: a virtual network with three SIMs and 50 phones, and its daemon process."""

    def __init__(self, name: str, workdir, database: str, index: int):
        self.name = name
        self.network = Network(workdir / "gsm", delays=Delays.zero(), country="DE")
        self.network.start()
        self.modems = [self.network.add_modem(name=f"m{n}", number=f"+49151{index}000000{n}",
                                              profile="simcom") for n in (1, 2, 3)]
        self.a_phones = [self.network.add_phone(number=f"+4917{index}1000{n:03d}")
                         for n in range(REQUESTS_PER_BOX)]
        self.b_phones = [self.network.add_phone(number=f"+4917{index}2000{n:03d}")
                         for n in range(REQUESTS_PER_BOX)]
        self.port = free_port()
        lines = ["[gateway]", f'database = "{database}"', f'box = "{name}"',
                 f'state_dir = "{workdir}"', 'country = "DE"', 'currency = "USD"',
                 "health_interval = 5", "", "[web]", f'listen = "127.0.0.1:{self.port}"', "",
                 "[callback]", "answer_timeout = 8", "min_call_seconds = 5"]
        for modem in self.modems:
            lines += ["", "[[modem]]", f'name = "{modem.name}"', f'port = "{modem.port}"',
                      f'audio = "{modem.audio}"', 'roles = ["callback", "destination"]']
        self.config = workdir / "callbox.toml"
        self.config.write_text("\n".join(lines) + "\n")
        self.process: subprocess.Popen | None = None
        self.stop_answering = threading.Event()

    def start(self) -> None:
        env = {**os.environ, **self.network.alsa_env()}
        self.process = subprocess.Popen([sys.executable, "-m", "callbox", "run", "--config",
                                         str(self.config)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        threading.Thread(target=self._answer, daemon=True).start()

    def _answer(self) -> None:
        """Every phone answers when it rings and hangs up after about a second of talk."""
        talking: dict[int, float] = {}
        pause = threading.Event()
        while not self.stop_answering.is_set():
            for phone in self.a_phones + self.b_phones:
                if phone.state is PhoneState.RINGING:
                    phone.answer()
                elif phone.state is PhoneState.ACTIVE and id(phone) in self.b_phones_ids():
                    started = talking.setdefault(id(phone), time.monotonic())
                    if time.monotonic() - started > 1.0:
                        phone.hangup()
                        talking.pop(id(phone), None)
            pause.wait(0.05)

    def b_phones_ids(self) -> set[int]:
        return {id(phone) for phone in self.b_phones}

    def wait_web(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.stderr.read().decode()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/login")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            threading.Event().wait(0.2)
        raise AssertionError(f"box {self.name}: no web UI on port {self.port}")

    def stop(self) -> str:
        self.stop_answering.set()
        log = ""
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            log = self.process.stderr.read().decode(errors="replace")
        self.network.stop()
        return log


def api(port: int, method: str, path: str, body=None, cookie="", csrf=""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": csrf}
    connection.request(method, path, json.dumps(body) if body is not None else None, headers)
    reply = connection.getresponse()
    return reply.status, reply.getheader("Set-Cookie") or "", json.loads(reply.read() or b"{}")


def test_fifty_sessions_for_one_account_over_two_boxes_never_overspend(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    open_database(url)
    account = accounts.create("shared", "1234", BALANCE, time.time())
    Account.update(max_concurrent_sessions=50).where(Account.id == account.id).execute()
    store_rates(parse_rates_csv(RATES))
    users.add_user("shared", PASSWORD, time.time())
    close_database()
    boxes = []
    for index, name in enumerate(("site-a", "site-b"), start=1):
        folder = tmp_path / name
        folder.mkdir()
        boxes.append(Box(name, folder, url, index))
    boxes[0].network.use_alsa_config()
    boxes[1].network.use_alsa_config()
    try:
        for box in boxes:
            box.start()
        for box in boxes:
            box.wait_web()
        results: list[int] = []
        answered: dict[str, int] = {}
        lock = threading.Lock()

        def ask(box: Box, n: int) -> None:
            status, cookie, data = api(box.port, "POST", "/api/login",
                                       {"name": "shared", "password": PASSWORD})
            assert status == 200, data
            status, _, data = api(box.port, "POST", "/api/callbacks",
                                  {"a": box.a_phones[n].number, "b": box.b_phones[n].number},
                                  cookie.split(";", 1)[0], data["csrf_token"])
            with lock:
                results.append(status)
                answered[box.name] = answered.get(box.name, 0) + 1

        threads = [threading.Thread(target=ask, args=(box, n)) for n in range(REQUESTS_PER_BOX)
                   for box in boxes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(results) == 2 * REQUESTS_PER_BOX
        assert set(results) <= {201, 409}, results
        open_database(url)

        def all_settled() -> bool:
            return Session.select().where(Session.state != "settled").count() == 0

        assert wait_for(all_settled, 120), "sessions still running after 2 minutes"
        final = Account.get_by_id(account.id)
        costs = sum(cdr.cost for cdr in Cdr.select())
        assert final.balance >= 0 and final.reserved == 0
        assert BALANCE - final.balance == costs
        # every accepted request stored exactly one session; a refused one (409) stored none
        assert Session.select().count() == results.count(201)
        assert costs > 0, "no call got through: the test proved nothing"
        # both boxes took their share of the burst and answered every request
        assert answered == {"site-a": REQUESTS_PER_BOX, "site-b": REQUESTS_PER_BOX}
        close_database()
    finally:
        logs = [box.stop() for box in boxes]
    for log in logs:
        assert "Traceback" not in log, log[-3000:]
