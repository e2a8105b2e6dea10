"""A box for SMS tests: real SQLite, a real modem pool on the virtual network, the real
SmsService, and `RecordingActions`, our own stand-in for the call side (the daemon's
call service), which records every action in the database."""
from __future__ import annotations

import threading
import time

from peewee import AutoField, CharField, FloatField, IntegerField

from gateway.config import parse
from gateway.money import accounts
from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from gateway.sms.service import SmsService
from gateway.store.db import BaseModel, db, open_database
from modems.events import ModemUp
from modems.config import ModemConfig
from modems.pool import ModemPool

from tests.conftest import EventLog

BOX_NUMBERS = ("+4915110000001", "+4915110000002")


class ActionRecord(BaseModel):
    """One action the SMS commands asked for (a test table, in the same transaction)."""

    id = AutoField()
    kind = CharField()
    number = CharField()
    destination = CharField(null=True)
    other = CharField(null=True)
    account = IntegerField(null=True)
    at = FloatField()

    class Meta:
        table_name = "test_action"


class RecordingActions:
    """Implements gateway.sms.commands.Actions: records, starts nothing."""

    def __init__(self):
        self.refusal: str | None = None
        self.notifies: list = []
        self.calls: list[tuple] = []
        self._lock = threading.Lock()

    def callback(self, number, destination):
        return self._record("callback", number, destination)

    def connect(self, account_id, sender, a, b, notify):
        self.notifies.append(notify)
        return self._record("connect", sender, a, b, account_id)

    def balance(self, account_id):
        return accounts.Account.get_by_id(account_id).balance

    def committed(self):
        """The stand-in starts nothing later: its record is the action."""

    def _record(self, kind, number, destination=None, other=None, account=None):
        with self._lock:
            self.calls.append((kind, number, destination, other))
        if self.refusal is None:
            ActionRecord.create(kind=kind, number=number, destination=destination, other=other,
                                account=account, at=time.time())
        return self.refusal


def make_config(tmp_path, sms: dict | None = None, country: str = "DE",
                database: str | None = None, sections: dict | None = None):
    """`database`: an SQLite path or postgresql:// URL (default callbox.db in tmp_path);
    `sections`: other sections of the file, e.g. {"languages": {"+90": "tr"}}."""
    data = {"gateway": {"state_dir": str(tmp_path),
                        "database": database or str(tmp_path / "callbox.db"),
                        "box": "testbox", "country": country},
            "sms": sms or {}, **(sections or {})}
    return parse(data, tmp_path / "callbox.toml")


def open_test_database(path):
    open_database(str(path))
    db.create_tables([ActionRecord], safe=True)


class SmsBox:
    """The pieces of one SMS test box; `start()` runs pool and service."""

    def __init__(self, network, tmp_path, sms: dict | None = None, modems: int = 2,
                 profiles=("huawei", "simcom"), database: str | None = None, now=time.time,
                 sections: dict | None = None):
        """`now`: the box's clock (the SmsService's), e.g. one that runs ahead; `sections`:
        more of the configuration (make_config)."""
        self.net = network
        self.tmp_path = tmp_path
        self.config = make_config(tmp_path, sms, database=database, sections=sections)
        open_test_database(self.config.gateway.database)
        self.modems = [network.add_modem(name=f"m{i + 1}", number=BOX_NUMBERS[i],
                                         profile=profiles[i % len(profiles)])
                       for i in range(modems)]
        self.actions = RecordingActions()
        self.events = EventLog()
        self.pool: ModemPool | None = None
        self.service: SmsService | None = None
        self.now = now

    def start(self, wait_up: bool = True) -> "SmsBox":
        configs = [ModemConfig(name=m.name, port=m.port, audio=m.audio,
                               roles=frozenset({"trigger", "callback", "destination"}))
                   for m in self.modems]

        def on_event(event):
            self.events(event)
            self.service.on_event(event)

        self.pool = ModemPool(configs, country="DE", on_event=on_event, health_interval=5,
                              at_timeout=2)
        self.service = SmsService(self.config, self.pool, self.actions, now=self.now)
        self.service.start()
        self.pool.start()
        if wait_up:
            for modem in self.modems:
                self.events.wait_for(ModemUp, modem=modem.name, timeout=10)
        return self

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
        if self.pool is not None:
            self.pool.stop()

    def account(self, name="alice", pin="1234", balance=1234, numbers=()):
        account = accounts.create(name, pin, balance, time.time())
        for number in numbers:
            accounts.authorize_caller_id(account.id, number, time.time())
        return account

    def reply_to(self, phone, text: str, count: int | None = None, timeout: float = 10) -> str:
        """Sends `text` from the phone and gives the next SMS it receives."""
        expected = (len(phone.inbox) if count is None else count) + 1
        phone.send_sms(self.modems[0].number, text)
        assert phone.wait_sms(expected, timeout), f"no reply to {text!r}"
        return phone.inbox[expected - 1].text


def wait_until(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Waits for predicate() (checked every 20 ms); fails after timeout."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        pause.wait(0.02)


def commands(state: str | None = None) -> list[SmsCommand]:
    query = SmsCommand.select().order_by(SmsCommand.id)
    return list(query.where(SmsCommand.state == state) if state else query)


def outbox(state: str | None = None) -> list[SmsOut]:
    query = SmsOut.select().order_by(SmsOut.id)
    return list(query.where(SmsOut.state == state) if state else query)


def received(state: str | None = None) -> list[SmsIn]:
    query = SmsIn.select().order_by(SmsIn.id)
    return list(query.where(SmsIn.state == state) if state else query)
