"""Soak: a week's worth of faults in three minutes, on the virtual network, books checked.

A box with 4 virtual modems (two take trigger calls and call back, two dial
destinations) on PostgreSQL, with alerts to a local HTTP receiver, serves a
steady load: two callers, each calling back-to-back (call the box, be called
back, type the destination ahead while the balance is said, talk 3 s, hang
up), and a BAL SMS every few seconds. Meanwhile, on a schedule:

    freeze          a destination modem stops answering AT commands
    deregistration  a callback modem answers but stays off the network
    credit          the first SIM's credit drops below low_balance, then is topped up
    daily limit     a destination SIM reaches max_calls_per_day; the owner raises it
    database        PostgreSQL is stopped for a while, then started

At the end it checks: every session settled once and every account's balance
equal to its start minus the cost of its call records; every SMS answered
once; every fault alerted exactly once (the `alert` table and the receiver)
and recovered; the limited SIM never placed more calls than its limit while
the limit stood. It prints the figures and exits 1 if a check failed.

Why not a compressed clock: the calls are real-time audio and the SMS carry
real SMSC time stamps, so the box's clock cannot run faster than the world's.
What a week brings (a freeze, a lost network, a SIM running dry, a limit
reached, a database restart) is compressed instead: each fault comes once, at
the pace of minutes.

    python bench/soak.py [--seconds 180]
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callbox.daemon import Daemon                                   # noqa: E402
from gateway.care import requests                                   # noqa: E402
from gateway.care.requests import queue_request                     # noqa: E402
from gateway.config import load                                     # noqa: E402
from gateway.money import accounts                                  # noqa: E402
from gateway.money.billing import parse_rates_csv                   # noqa: E402
from gateway.money.ledger import Account, Cdr, Session, store_rates  # noqa: E402
from gateway.store.alerts import Alert                              # noqa: E402
from gateway.store.db import close_database, open_database          # noqa: E402
from gateway.store.outage import CONNECTION_ERRORS, forget_connection  # noqa: E402
from modems.events import ModemRecovery, ModemUp                    # noqa: E402
from modems.sim import Delays, Network, PhoneState                  # noqa: E402
from tests.alert_rig import HttpReceiver                            # noqa: E402
from tests.boxrig import RATES, ensure_prompts                      # noqa: E402
from tests.pg import start_cluster                                  # noqa: E402

LIMIT = 3                   # max_calls_per_day of the limited destination SIM
LOW = 2.00                  # low_balance of the first SIM
BALANCE = 5000              # each caller's starting balance (minor units)
TALK = 3.0                  # seconds each bridged call lasts
SMS_EVERY = 6.0             # seconds between two BAL SMS
OUTAGE = 8.0                # seconds PostgreSQL stays stopped
pause = threading.Event()   # never set: its wait() is a sleep that names itself


class Load:
    """The callers and texters; counts what they did and saw."""

    def __init__(self, network, boxes, destinations):
        self.network = network
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.count = {"calls": 0, "called back": 0, "bridged": 0, "apologies": 0,
                      "no destination": 0, "sms sent": 0}
        self.callers = [network.add_phone(number=f"+49170100000{i}") for i in range(2)]
        self.friends = destinations
        self.texters = [network.add_phone(number=f"+49170200000{i}") for i in range(2)]
        self.boxes = boxes

    def add(self, what: str) -> None:
        with self.lock:
            self.count[what] += 1

    def caller(self, index: int) -> None:
        user, friend, box = self.callers[index], self.friends[index], self.boxes[index]
        typed = "0" + friend.number[3:] + "#"
        while not self.stop.is_set():
            self.add("calls")
            user.call(box)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and user.state not in (PhoneState.RINGING,
                                                                     PhoneState.ACTIVE):
                user.wait_state(PhoneState.RINGING, timeout=0.2)
            if user.state is PhoneState.ACTIVE:          # the box answered: the apology
                self.add("apologies")
                user.wait_state(PhoneState.IDLE, timeout=15)
                pause.wait(2)
                continue
            if user.state is not PhoneState.RINGING:
                user.hangup()
                pause.wait(1)
                continue
            self.add("called back")
            user.answer()
            pause.wait(0.5)                 # then types the destination ahead
            try:
                user.press(typed, every=0.15)
            except Exception:               # the box hung up first (lines busy, outage)
                user.wait_state(PhoneState.IDLE, timeout=10)
                continue
            if friend.wait_state(PhoneState.RINGING, timeout=20):
                friend.answer()
                self.add("bridged")
                pause.wait(TALK)
            else:
                self.add("no destination")
            user.hangup()
            friend.hangup()
            user.wait_state(PhoneState.IDLE, timeout=10)
            friend.wait_state(PhoneState.IDLE, timeout=10)
            pause.wait(1)

    def texter(self) -> None:
        turn = 0
        while not self.stop.wait(SMS_EVERY):
            phone = self.texters[turn % 2]
            phone.send_sms(self.boxes[turn % 2], "BAL")
            self.add("sms sent")
            turn += 1


def config_text(work: Path, modems, database: str, receiver: str, limit: int) -> str:
    m1, m2, m3, m4 = modems
    lines = ["[gateway]", f'database = "{database}"', f'state_dir = "{work}"',
             'country = "DE"', 'currency = "USD"', "health_interval = 1", "at_timeout = 1",
             "registration_grace = 3", "recovery_tries = 2", "",
             "[web]", 'listen = "127.0.0.1:0"', "",
             "[callback]", "ring_before_reject = 1", "callback_delay = 0.3",
             "answer_timeout = 10", "interdigit_timeout = 2", "",
             "[sms]", "sms_max_age = 0", "",
             "[alerts]", f'urls = ["{receiver}"]', "modem_down_after = 0.1",
             "database_down_after = 2.0", "poll_interval = 0.2"]
    for modem, roles in ((m1, ["trigger", "callback"]), (m2, ["trigger", "callback"]),
                         (m3, ["destination"]), (m4, ["destination"])):
        lines += ["", "[[modem]]", f'name = "{modem.name}"', f'port = "{modem.port}"',
                  f'audio = "{modem.audio}"', f"roles = {roles!r}".replace("'", '"')]
    lines += ["", "[[sim]]", f'iccid = "{m1.iccid}"', 'balance_ussd = "*100#"',
              f"low_balance = {LOW}", "", "[[sim]]", f'iccid = "{m3.iccid}"',
              f"max_calls_per_day = {limit}"]
    return "\n".join(lines) + "\n"


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except CONNECTION_ERRORS:
            forget_connection()         # the database restarted: this thread reconnects
        pause.wait(0.2)
    return False


def ask_credit(box: str, modem: str) -> None:
    """Asks the box for the SIM's credit as `callbox sim balance` does, again while the
    modem is in a call (the box never asks a modem in a call), for up to a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        request: list[int] = []
        if not wait_for(lambda: request.append(
                queue_request(box, "balance", modem, "", time.time())) or True, 10):
            continue
        if wait_for(lambda: requests.get(request[-1]).state not in ("queued", "running"), 20):
            row = requests.get(request[-1])
            if not row.error:
                print(f"         credit of {modem}: {row.answer}", flush=True)
                return
        pause.wait(1)
    print(f"         credit of {modem}: not asked (in a call for a minute)", flush=True)


def run(seconds: float) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(threadName)s %(message)s")
    ensure_prompts()
    work = Path(tempfile.mkdtemp(prefix="callbox-soak-"))
    cluster = start_cluster()
    receiver = HttpReceiver()
    database = cluster.new_database()
    recoveries: list[ModemRecovery] = []
    up = set()
    all_up = threading.Event()

    def observe(event) -> None:
        if isinstance(event, ModemRecovery):
            recoveries.append(event)
        if isinstance(event, ModemUp):
            up.add(event.modem)
            if len(up) == 4:
                all_up.set()

    with Network(work / "sim", Delays.zero()) as network:
        network.use_alsa_config()
        profiles = ("simcom", "quectel", "simcom", "quectel")
        modems = [network.add_modem(name=f"m{i + 1}", number=f"+49151100000{i + 1}",
                                    profile=profile) for i, profile in enumerate(profiles)]
        friends = [network.add_phone(number=f"+49170300000{i}") for i in range(2)]
        path = work / "callbox.toml"
        path.write_text(config_text(work, modems, database, receiver.url, LIMIT))
        config = load(str(path))
        load_ = Load(network, [modems[0].number, modems[1].number], friends)
        open_database(database)
        for index, phone in enumerate(load_.callers + load_.texters):
            account = accounts.create(f"user{index}", "4321", BALANCE, time.time())
            accounts.authorize_caller_id(account.id, phone.number, time.time())
        store_rates(parse_rates_csv(RATES))
        close_database()
        daemon = Daemon(config, observe=observe)
        daemon.start()
        if not all_up.wait(30):
            print("the modems did not come up", file=sys.stderr)
            return 1
        start, started_at = time.monotonic(), time.time()
        threads = [threading.Thread(target=load_.caller, args=(i,), daemon=True)
                   for i in range(2)] + [threading.Thread(target=load_.texter, daemon=True)]
        for thread in threads:
            thread.start()
        schedule = faults(daemon, cluster, modems, path, database, receiver)
        raised_at = None
        for at, name, action in schedule:
            pause.wait(max(0.0, start + at * seconds / 180 - time.monotonic()))
            print(f"{time.monotonic() - start:6.1f} s  {name}", flush=True)
            result = action()
            if name.startswith("limit raised"):
                raised_at = result
        pause.wait(max(0.0, start + seconds - time.monotonic()))
        load_.stop.set()
        for thread in threads:
            thread.join(60)
        elapsed = time.monotonic() - start
        settled = wait_for(lambda: not Session.select().where(
            Session.state != "settled").exists(), 60)
        sms_answered = wait_for(lambda: all(len(phone.inbox) >= sent for phone, sent in
                                            zip(load_.texters, sent_per(load_))), 60)
        wait_for(lambda: not Alert.select().where(Alert.state == "open").exists(), 30)
        pause.wait(2)                       # the last recoveries reach the receiver
        forget_connection()
        ok = report(load_, modems, recoveries, receiver, elapsed, settled, sms_answered,
                    raised_at, started_at)
        daemon.stop()
    receiver.stop()
    cluster.stop()
    return 0 if ok else 1


def sent_per(load_: Load) -> list[int]:
    total = load_.count["sms sent"]
    return [(total + 1) // 2, total // 2]


def faults(daemon, cluster, modems, path, database, receiver):
    """Gives (second of a 180 s run, what, action) in order."""
    m1, m2, m3, m4 = modems
    box = daemon.config.gateway.box

    def raise_limit() -> float:
        path.write_text(config_text(path.parent, modems, database, receiver.url, 1000))
        daemon.reload()
        return time.time()

    def outage() -> None:
        cluster.stop_server()
        pause.wait(OUTAGE)
        cluster.start_server()

    return [
        (25, "freeze: m4 stops answering", lambda: m4.hang()),
        (55, "deregistration: m2 off the network until reset", lambda: m2.stuck_unregistered()),
        (80, "credit: m1's SIM drops to 1.50, checked", lambda: (
            setattr(m1, "credit_minor", 150), ask_credit(box, "m1"))),
        (100, "credit: m1's SIM topped up to 20.00, checked", lambda: (
            setattr(m1, "credit_minor", 2000), ask_credit(box, "m1"))),
        (125, f"limit raised: m3's SIM from {LIMIT} calls a day to 1000", raise_limit),
        (145, f"database: PostgreSQL stopped for {OUTAGE:.0f} s", outage),
    ]


def report(load_, modems, recoveries, receiver, elapsed, settled, sms_answered,
           raised_at, started_at) -> bool:
    m1, m2, m3, m4 = modems
    checks: list[tuple[str, bool, str]] = []
    sessions = list(Session.select())
    cdrs = list(Cdr.select())
    checks.append(("every session settled", settled and all(
        s.state == "settled" for s in sessions), f"{len(sessions)} sessions"))
    money_ok = True
    for account in Account.select():
        spent = sum(c.cost for c in cdrs if c.account_id == account.id)
        if account.balance != BALANCE - spent or account.reserved != 0:
            money_ok = False
    legs = {(c.session_id, c.role) for c in cdrs}
    checks.append(("every call billed once", money_ok and len(legs) == len(cdrs),
                   f"{len(cdrs)} call records, {sum(c.cost for c in cdrs)} cents"))
    checks.append(("every SMS answered once", sms_answered and all(
        len(phone.inbox) == sent for phone, sent in zip(load_.texters, sent_per(load_))),
        f"{load_.count['sms sent']} sent, {sum(len(p.inbox) for p in load_.texters)} answers"))
    expected = {("modem-down", "m4"), ("modem-down", "m2"), ("sim-low-balance", m1.iccid),
                ("sim-limit", m3.iccid), ("database-down", None)}
    # the alerts of the run (modem_down_after = 0.1 s also alerts the modems' start)
    alerts = list(Alert.select().where(Alert.at >= started_at).order_by(Alert.id))
    seen = {}
    for alert in alerts:
        key = (alert.kind, alert.subject if alert.kind != "database-down" else None)
        seen.setdefault(key, []).append(alert)
    once = all(len(seen.get(key, [])) == 1 for key in expected)
    recovered = all(seen[key][0].state == "recovered" for key in expected if key in seen)
    extra = [key for key in seen if key not in expected]
    checks.append(("every fault alerted exactly once", once,
                   ", ".join(f"{k[0]} {k[1] or ''}".strip() + f" x{len(seen.get(k, []))}"
                             for k in sorted(expected, key=str))))
    checks.append(("every fault recovered", recovered, f"other alerts: {extra or 'none'}"))
    limited = [c for c in cdrs if c.iccid == m3.iccid and raised_at and c.started_at < raised_at]
    checks.append(("the daily limit never exceeded", len(limited) <= LIMIT,
                   f"{len(limited)} calls on m3's SIM while its limit was {LIMIT}"))
    print(f"\nsoak of {elapsed:.0f} s, 4 virtual modems, PostgreSQL; "
          + ", ".join(f"{k} {v}" for k, v in load_.count.items()))
    steps = {}
    for event in recoveries:
        steps[(event.modem, event.step)] = steps.get((event.modem, event.step), 0) + 1
    print("recovery steps: " + (", ".join(f"{m} {s} x{n}" for (m, s), n in sorted(steps.items()))
                                or "none"))
    print(f"alert messages received: {len(receiver.got)}")
    for name, good, detail in checks:
        print(f"  {'ok  ' if good else 'FAIL'} {name}: {detail}")
    return all(good for _, good, _ in checks)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=180.0)
    sys.exit(run(parser.parse_args().seconds))
