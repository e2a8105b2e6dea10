"""The SMS service: texts in (commands), texts out (replies, notices, `callbox sms send`).

Threads:
- `sms-in` (gateway/sms/receive.py): reads each SMS off the SIM, commits it,
  deletes it, runs its command (gateway/sms/commands.py) and queues the reply;
  records the status reports on what was sent (gateway/sms/reports.py).
- `sms-out` (gateway/sms/outbox.py): sends the outbox table, with retries.
Both are gateway.worker.Worker loops: a database outage they meet is told to
`watch`. `on_event` runs on the pool's threads and only puts a message on the
`sms-in` queue (or wakes `sms-out`); it never blocks. The two threads share
one lock per modem, so a read never lands between AT+CMGS and its PDU.

    service = SmsService(config, pool, actions, watch=watch)
    # actions: gateway.sms.commands.Actions; watch: gateway.store.outage.DatabaseWatch
    service.start(); pool events -> service.on_event(event); service.stop()
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from gateway.meters import Meters
from gateway.money.languages import language_for
from gateway.money.ledger import Account
from gateway.sms import store
from gateway.sms.commands import Actions, CommandRunner
from gateway.sms.outbox import Outbox
from gateway.sms.receive import Inbox, ModemGone, Pushed, ReadSim, StoredOnSim
from gateway.sms.reports import ReportPushed, ReportStored
from gateway.sms.wording import ConnectOutcome, connect_summary
from gateway.worker import OutageWatch, Worker
from modems.events import (ModemDown, ModemEvent, ModemUp, SmsReceived, SmsStatusReport, SmsStored,
                           StatusReportStored)

log = logging.getLogger(__name__)


class SmsService:
    """See the module docstring."""

    def __init__(self, config, pool, actions: Actions, now: Callable[[], float] = time.time,
                 watch: OutageWatch | None = None, meters: Meters | None = None):
        """`meters`: what the SMS threads count (the box's metrics)."""
        self.config = config
        self.meters = meters or Meters()
        self.pool = pool
        self.now = now
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._state_lock = threading.Lock()
        self._started = self._stopped = False
        self.runner = CommandRunner(config, actions, now, self.notifier, self.meters)
        self.outbox = Outbox(config, pool, now, self.modem_lock, watch=watch,
                             meters=self.meters)
        self.inbox = Inbox(config, pool, self.runner, now, self.modem_lock, self.outbox.wake,
                           watch=watch, meters=self.meters)

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        with self._state_lock:
            if self._started:
                raise RuntimeError("the SMS service was started already")
            self._started = True
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        """Ends both threads after the work in hand; safe to call twice."""
        with self._state_lock:
            if self._stopped or not self._started:
                self._stopped = True
                return
            self._stopped = True
        for worker in self.workers:
            worker.ask_stop()      # both at once; then wait for each
        for worker in self.workers:
            worker.stop(15.0)

    @property
    def workers(self) -> list[Worker]:
        """The loops this service needs alive (for the watchdog)."""
        return [self.inbox.worker, self.outbox.worker]

    # -- what others call ---------------------------------------------------------------------

    def on_event(self, event: ModemEvent) -> None:
        """Takes a modem event on a pool thread; only queues it."""
        if isinstance(event, SmsStored):
            self.inbox.put(StoredOnSim(event.modem, event.index))
        elif isinstance(event, ModemUp):
            self.inbox.put(ReadSim(event.modem))
            self.outbox.modem_up(event.modem)
        elif isinstance(event, SmsReceived):
            self.inbox.put(Pushed(event))
        elif isinstance(event, ModemDown):
            self.inbox.put(ModemGone(event.modem))
        elif isinstance(event, SmsStatusReport):
            self.inbox.put(ReportPushed(event))
        elif isinstance(event, StatusReportStored):
            self.inbox.put(ReportStored(event.modem, event.memory, event.index))

    def send(self, number: str, text: str, kind: str = "notice",
             modem: str | None = None) -> int:
        """Queues a text (on the caller's thread and database connection); gives its id."""
        out_id = store.enqueue(self.config.gateway.box, number, text, self.now(), kind=kind,
                               modem_hint=modem)
        self.outbox.wake()
        return out_id

    def last_sent_with(self, iccid: str) -> float | None:
        """Gives when a text last went out on the SIM (on the caller's connection)."""
        return store.last_sent_with(iccid)

    def notifier(self, sender: str, modem: str) -> Callable[[str], None]:
        """Gives the function a connect-two flow calls to text its summary to the sender."""
        def notify(text: str) -> None:
            try:
                self.send(sender, text, kind="notice", modem=modem)
            except Exception:   # the caller's flow must go on; the summary is logged instead
                log.exception("cannot queue the SMS to %s: %s", sender, text)
        return notify

    def summary_to(self, sender: str, modem: str | None
                   ) -> Callable[[ConnectOutcome, int], None]:
        """Gives the function a connect two calls when it has ended, with its outcome and
        the account that asked for it: it texts `sender` the summary in that account's
        language (else the sender's country calling code's, else the box's)."""
        send = self.notifier(sender, modem)

        def notify(outcome: ConnectOutcome, account_id: int) -> None:
            account = Account.get_or_none(Account.id == account_id)
            lang = language_for(sender, account, self.config)
            log.info("summary of the connect two of %s and %s to %s in %s", outcome.a,
                     outcome.b, sender, lang)
            send(connect_summary(outcome, lang, self.config.sms, self.config.gateway.currency))
        return notify

    def modem_lock(self, modem: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(modem, threading.Lock())
