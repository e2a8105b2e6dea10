"""SMS callbacks are placed at most once across a crash, counted on the virtual network.

The box is the real daemon (`python -m callbox run`: SMS service, call service,
call intents) in a process of its own, SIGKILLed at chosen and at random
moments. A callback is counted where it is placed: each `ATD` a virtual modem
received for a phone. Each phone texts `CB` once, and rejects the callback, so
every SMS command may place one call and no more.
"""
from __future__ import annotations

import os
from pathlib import Path
import random
import re
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from gateway.calls.intents import CallIntent
from gateway.config import load
from gateway.money import accounts
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import Session, store_rates
from gateway.sms.models import SmsCommand
from gateway.store.db import close_database, open_database
from modems.sim import PhoneState

from tests.boxrig import BOX, DEST_SIM, RATES, config_text, wait_for

ROOT = Path(__file__).resolve().parent.parent
_ATD = re.compile(r"ATD\+?(\d+)")


class Box:
    """The daemon as a process: start, SIGKILL, start again; its log kept in the workdir."""

    def __init__(self, network, workdir: Path, database: str):
        self.network = network
        self.box_sim = network.add_modem(name="m1", number=BOX, profile="simcom")
        self.other_sim = network.add_modem(name="m2", number=DEST_SIM, profile="quectel")
        path = workdir / "callbox.toml"
        path.write_text(config_text(workdir, [(self.box_sim, ["trigger", "callback"]),
                                              (self.other_sim, ["callback", "destination"])],
                                    {}, database))
        self.config = load(str(path))
        self.argv = [sys.executable, "-m", "callbox", "run", "--config", str(path)]
        self.log = open(workdir / "daemon.log", "ab")
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=self.log,
                                        env={**os.environ, **self.network.alsa_env()})

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        self.log.close()

    def calls_to(self, phone) -> int:
        """Gives how many calls the box placed to `phone` (ATDs its modems received)."""
        digits = phone.number.lstrip("+")
        return sum(1 for modem in (self.box_sim, self.other_sim)
                   for line in list(modem.commands)
                   if (found := _ATD.match(line)) and found.group(1).endswith(digits[-9:]))

    def commands_seen(self, prefix: str) -> int:
        return sum(1 for modem in (self.box_sim, self.other_sim)
                   for line in list(modem.commands) if line.startswith(prefix))


class Rejecter:
    """Rejects every call that rings one of the phones (each on a thread of its own)."""

    def __init__(self, phones):
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve, args=(phone,), daemon=True,
                                         name=f"reject-{phone.number}") for phone in phones]
        for thread in self.threads:
            thread.start()

    def _serve(self, phone) -> None:
        while not self.stopping.is_set():
            if phone.wait_state(PhoneState.RINGING, timeout=0.5):
                try:
                    phone.reject()
                except Exception:   # the box hung up first: nothing to reject
                    continue

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=5)


def seed(config, phones) -> None:
    """Opens the box's database in this process: an account per phone, the rates."""
    open_database(config.gateway.database)
    for index, phone in enumerate(phones):
        account = accounts.create(f"user{index}", "1234", 10_000, time.time())
        accounts.authorize_caller_id(account.id, phone.number, time.time())
    store_rates(parse_rates_csv(RATES))


def all_done(count: int) -> bool:
    return (SmsCommand.select().where(SmsCommand.state == "done").count() >= count
            and not CallIntent.select().where(CallIntent.state == "pending").exists()
            and not Session.select().where(Session.state == "running").exists())


@pytest.fixture
def pg_url(pg_cluster):
    url = pg_cluster.new_database()
    yield url
    close_database()
    pg_cluster.drop_database(url)


def test_kill_between_the_callback_action_and_its_commit_calls_once(network, tmp_path,
                                                                    pg_url):
    """The box is killed while its SMS command's transaction, its action done, waits
    on a lock the test holds (PostgreSQL: the reply's INSERT into sms_out)."""
    box = Box(network, tmp_path, pg_url)
    phone = network.add_phone("+4917012345600")
    seed(box.config, [phone])
    rejecter = Rejecter([phone])
    holder = psycopg.connect(pg_url)       # the test's own transaction, holding the lock
    try:
        box.start()
        assert wait_for(lambda: box.commands_seen("AT+CNMI") >= 1, 30), "the box did not start"
        holder.execute('LOCK TABLE "sms_out" IN EXCLUSIVE MODE')
        phone.send_sms(BOX, "CB")
        assert wait_for(lambda: _waiting_on_lock(holder, "sms_out"), 30), \
            "the command's transaction never reached the reply"
        # An action that starts its call before the commit dials now; give it the time.
        wait_for(lambda: box.calls_to(phone) > 0, 5)
        called_before_commit = box.calls_to(phone)
        box.kill()
        holder.rollback()
        assert not CallIntent.select().exists(), "an intent outlived its rolled-back command"
        # The restarted box runs the command again, once its lines are up: held until
        # then by a lock on the caller IDs, which the command reads before its action.
        holder.execute('LOCK TABLE "caller_id" IN ACCESS EXCLUSIVE MODE')
        restarted = time.time()
        box.start()
        assert wait_for(lambda: _modems_up(holder, restarted) == 2 and _waiting_on_lock(holder, "caller_id"),
                        60), "the restarted box did not come up"
        holder.rollback()
        assert wait_for(lambda: all_done(1), 60, tolerate=(Exception,)), "the command never ran"
        assert wait_for(lambda: box.calls_to(phone) >= 1, 20), "the callback was lost"
        network.settle()
    finally:
        holder.close()
        rejecter.stop()
        box.close()
    assert box.calls_to(phone) == 1, f"{called_before_commit} call(s) before the commit"
    assert called_before_commit == 0, "the call was placed before its command committed"
    intent = CallIntent.get()
    assert intent.state == "started" and Session.get_by_id(intent.session).state == "settled"


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_sigkill_at_random_moments_places_each_callback_at_most_once(network, tmp_path,
                                                                     request, engine):
    seed_value = random.randrange(1 << 30)
    chance = random.Random(seed_value)
    database = str(tmp_path / "callbox.db")
    if engine == "postgresql":
        database = request.getfixturevalue("pg_url")
    box = Box(network, tmp_path, database)
    phones = [network.add_phone(f"+4917012345{index:03d}") for index in range(12)]
    seed(box.config, phones)
    close_database()
    rejecter = Rejecter(phones)
    sent = threading.Event()

    def send_all() -> None:
        pace = threading.Event()
        for phone in phones:
            phone.send_sms(BOX, "CB")
            pace.wait(chance.uniform(0.2, 0.9))
        sent.set()

    sender = threading.Thread(target=send_all, name="test-sender", daemon=True)
    try:
        box.start()
        assert wait_for(lambda: box.commands_seen("AT+CNMI") >= 1, 30), "the box did not start"
        sender.start()
        while not sent.is_set() or box.kills < 3:
            sent.wait(chance.uniform(1.0, 2.5))
            _busy_moment(box, chance)
            box.kill()
            box.start()
        open_database(box.config.gateway.database)
        assert wait_for(lambda: all_done(len(phones)), 90, tolerate=(Exception,)), \
            f"seed {seed_value}: not every command ran"
        network.settle()
    finally:
        rejecter.stop()
        box.close()
    calls = {phone.number: box.calls_to(phone) for phone in phones}
    print(f"seed {seed_value}: {box.kills} kills, calls placed {sorted(calls.values())}")
    assert all(count <= 1 for count in calls.values()), f"seed {seed_value}: {calls}"
    intents = list(CallIntent.select())
    assert sorted(intent.number for intent in intents) == sorted(p.number for p in phones)
    assert all(intent.state == "started" for intent in intents), f"seed {seed_value}"
    # A callback is lost only when a kill lands between its session's row and its ATD;
    # intents are started one at a time, so each kill loses at most one.
    lost = [number for number, count in calls.items() if count == 0]
    assert len(lost) <= box.kills, f"seed {seed_value}: {lost} lost in {box.kills} kills"


def _busy_moment(box: Box, chance: random.Random) -> None:
    """Waits (up to 2 s) until a modem is asked to delete an SMS (its command runs next)
    or to dial, then 0-20 ms more; or returns at once."""
    prefix = chance.choice(["AT+CMGD", "ATD", None])
    if prefix is None:
        return
    before = box.commands_seen(prefix)
    if wait_for(lambda: box.commands_seen(prefix) > before, 2):
        threading.Event().wait(chance.uniform(0, 0.02))


def _waiting_on_lock(holder, table: str) -> bool:
    """Gives whether another connection's statement on `table` waits on a lock (the
    holder's transaction sees pg_stat_activity as it is now)."""
    holder.execute("SELECT pg_stat_clear_snapshot()")
    row = holder.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND query LIKE %s", (f'%"{table}"%',)).fetchone()
    return row[0] > 0


def _modems_up(holder, since: float) -> int:
    """Gives how many modems the box has reported up since `since` (a Unix time)."""
    return holder.execute("SELECT count(*) FROM modem_status WHERE state = 'up' "
                          "AND updated_at > %s", (since,)).fetchone()[0]
