"""Crash safety: the receive path runs in a subprocess that is SIGKILLed at random moments
while 200 SMS arrive (some in parts); after the last restart every SMS is stored once and
every command was executed exactly once (each execution is a row written in the same
transaction as its command's `done`, by tests/sms_rig.RecordingActions).

This proves the receive path (store, delete, assemble, run each command once). That the
real call side places each callback at most once across a kill is proven on the real
daemon, counting the calls placed on the virtual network, in tests/test_sms_crash_calls.py."""
from __future__ import annotations

from collections import Counter
import os
from pathlib import Path
import random
import signal
import subprocess
import sys
import threading

from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from gateway.store.db import close_database

from tests.sms_rig import ActionRecord, SmsBox, wait_until

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 200
PHONES = 10


def destination(n: int) -> str:
    return f"+49301{n:06d}"


def text_of(n: int) -> str:
    command = f"CB {destination(n)}"
    return command + " please call me back soon" * 8 if n % 10 == 0 else command


class Box:
    """The subprocess box: start, SIGKILL, start again."""

    def __init__(self, database: Path, modems):
        self.argv = [sys.executable, str(ROOT / "tests" / "sms_crash_box.py"), str(database)]
        self.argv += [f"{modem.name}={modem.port}" for modem in modems]
        self.log = open(database.parent / "box.log", "ab")
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=self.log)

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.kills += 1

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()
        self.log.close()


def busy_moment(modems, chance: random.Random) -> None:
    """Waits (up to 2 s) until a modem is asked to read or delete an SMS, plus 0-5 ms."""
    def work(modem) -> int:
        return sum(1 for line in list(modem.commands) if line.startswith(("AT+CMGR", "AT+CMGD")))

    before = [work(modem) for modem in modems]
    try:
        wait_until(lambda: any(work(m) > n for m, n in zip(modems, before)), timeout=2)
    except AssertionError:
        return                                      # idle: any moment will do
    threading.Event().wait(chance.uniform(0, 0.005))


def test_sigkill_at_random_moments_loses_and_doubles_nothing(network, tmp_path):
    seed = random.randrange(1 << 30)
    chance = random.Random(seed)
    rig = SmsBox(network, tmp_path)                  # the database and the two modems only
    phones = [network.add_phone(f"+4917012345{index:03d}") for index in range(PHONES)]
    for index, phone in enumerate(phones):
        rig.account(f"user{index}", "1234", 10_000, numbers=[phone.number])
    close_database()
    box = Box(Path(rig.config.gateway.database), rig.modems)
    sent = threading.Event()

    def send_all() -> None:
        pace = threading.Event()
        for n in range(MESSAGES):
            phones[n % PHONES].send_sms(rig.modems[n % 2].number, text_of(n))
            pace.wait(chance.uniform(0.0, 0.12))
        sent.set()

    sender = threading.Thread(target=send_all, name="test-sender", daemon=True)
    try:
        box.start()
        sender.start()
        while not sent.is_set():
            sent.wait(chance.uniform(0.8, 2.0))
            if chance.random() < 0.5:
                busy_moment(rig.modems, chance)     # in the middle of reading or deleting
            box.kill()
            box.start()
        wait_until(lambda: ActionRecord.select().count() >= MESSAGES, timeout=40,
                   what=f"all commands executed (seed {seed}, {box.kills} kills)")
        wait_until(lambda: not SmsOut.select().where(SmsOut.state != "sent").exists(),
                   timeout=20, what="all replies sent")
        wait_until(lambda: all(modem.stored_sms == [] for modem in rig.modems), timeout=10,
                   what="SIMs emptied")
    finally:
        box.close()
    print(f"seed {seed}: {box.kills} kills")
    assert box.kills >= 3, f"seed {seed}: only {box.kills} kills"
    executions = Counter(record.destination for record in ActionRecord.select())
    assert executions == Counter({destination(n): 1 for n in range(MESSAGES)}), f"seed {seed}"
    commands = list(SmsCommand.select())
    assert sorted(command.text for command in commands) == sorted(
        text_of(n) for n in range(MESSAGES))
    assert all(command.state == "done" and not command.incomplete for command in commands)
    parts = sum(command.parts for command in commands)
    assert SmsIn.select().where(SmsIn.state == "assembled").count() == parts
    assert SmsOut.select().count() == MESSAGES
    network.settle()
    delivered = sum(len(phone.inbox) for phone in phones)
    assert delivered >= MESSAGES       # a reply in flight at a kill may go out twice
