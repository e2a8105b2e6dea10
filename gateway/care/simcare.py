"""The `sim-care` worker: each SIM's credit and keep-alive, and requests for the modems.

One gateway.worker.Worker, three timers:
- "requests", every REQUEST_POLL seconds (BUSY_POLL for a while after one was
  served): one indexed query for requests that `callbox sim balance`,
  `callbox ussd` and the web queued (gateway/care/requests.py), served one at
  a time;
- "look", every LOOK_INTERVAL seconds (and soon after a modem comes up): each
  up modem's SIM (by the ICCID its health read) with a [[sim]] table is asked
  for its credit when `balance_check_hours` have passed since its last check
  (an hour after a check that found no amount, if that is sooner), never while
  the modem is in a call, nor while someone may be in a USSD menu (BUSY_FOR
  after a request; the next look tries again), and gets its keep-alive
  SMS when it is idle (gateway/care/keepalive.py);
- at start, requests a stopped daemon was serving are failed.
The modem is asked under the SMS side's lock of that modem, so a USSD code
never lands between AT+CMGS and its PDU. Times come from the injected `now`.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Protocol

from gateway.care import credit, keepalive, requests
from gateway.care.voicetests import VoiceTestReport, VoiceTests
from gateway.config import Config
from gateway.worker import OutageWatch, Worker
from modems.errors import ModemError
from modems.events import ModemEvent, ModemUp
from modems.numbers import InvalidNumber

log = logging.getLogger(__name__)

LOOK_INTERVAL = 60.0        # seconds between looks at the SIMs
REQUEST_POLL = 1.0          # seconds between looks for requests (a query costing ~0.2 ms)
# after serving a request, look every BUSY_POLL seconds for BUSY_FOR seconds: the next
# step of a USSD menu, or the next of a series, comes soon
BUSY_POLL, BUSY_FOR = 0.2, 10.0
LOOK_AFTER_UP = 10.0        # seconds from a modem coming up to a look at its SIM
RETRY_AFTER_ERROR = 3600.0  # seconds after a check without an amount before the next
USSD_TIMEOUT = 20.0         # seconds the network may take to answer
# what asking a modem can raise besides our own mistakes: its refusal or silence, a
# code that is not one, its port gone
MODEM_ERRORS = (ModemError, InvalidNumber, OSError)


class Modems(Protocol):
    """The modem pool as SIM care sees it (modems/pool.py ModemPool is one)."""

    def status(self) -> list: ...

    def driver(self, name: str): ...


class Texts(keepalive.Outbox, Protocol):
    """The SMS side as SIM care sees it (gateway/sms/service.py SmsService is one)."""

    def modem_lock(self, modem: str) -> threading.Lock:
        """Gives the lock held around a modem's SMS work."""
        ...


class SimCare:
    """See the module docstring."""

    def __init__(self, config: Callable[[], Config], modems: Modems, texts: Texts,
                 now: Callable[[], float], watch: OutageWatch | None = None,
                 look_interval: float = LOOK_INTERVAL, request_poll: float = REQUEST_POLL,
                 voice_tests: VoiceTests | None = None):
        """`config` gives the configuration in force (a reload changes it); `voice_tests`
        runs the "voicetest" requests (none: they are refused)."""
        self.config = config
        self.modems = modems
        self.texts = texts
        self.voice_tests = voice_tests
        self.now = now
        self.box = config().gateway.box
        self.worker = Worker("sim-care", watch=watch)
        self.worker.after("interrupted", 0.0, "failing requests a stop interrupted",
                          lambda: requests.interrupted(self.box, self.now()))
        self._busy_until = 0.0         # monotonic
        self.worker.every("requests", lambda: BUSY_POLL if time.monotonic() < self._busy_until
                          else request_poll, "serving requests for the modems",
                          self.serve_requests, first=request_poll)
        self.worker.every("look", look_interval, "looking after the SIMs", self.look,
                          first=look_interval)

    def on_event(self, event: ModemEvent) -> None:
        """Takes a modem event on a pool thread: a modem up gets a look soon."""
        if isinstance(event, ModemUp):
            self.worker.sooner("look", LOOK_AFTER_UP)

    # -- the periodic look ------------------------------------------------------------------

    def look(self) -> None:
        """Asks the credit of each SIM due for it and keeps idle SIMs alive."""
        config = self.config()
        for status in self.modems.status():
            iccid = getattr(status.health, "iccid", None)
            sim = config.sim(iccid) if iccid else None
            if status.state != "up" or sim is None or self.worker.stopping:
                continue
            if sim.balance_ussd and self._credit_due(iccid):
                if status.in_call:
                    log.info("%s: SIM %s is due for a credit check; the modem is in a call, "
                             "so it is asked later", status.name, iccid)
                elif time.monotonic() < self._busy_until:
                    log.debug("%s: credit check put off: someone is using USSD", status.name)
                else:
                    self.check_credit(status.name, iccid, sim)
            keepalive.keep_alive(self.box, status.name, iccid, sim, self.texts, self.now())

    def _credit_due(self, iccid: str) -> bool:
        sim = self.config().sim(iccid)
        last = credit.last_check(iccid)
        if last is None:
            return True
        period = sim.balance_check_hours * 3600.0
        if last.amount_minor is None:
            period = min(period, RETRY_AFTER_ERROR)
        return self.now() - last.at >= period

    def check_credit(self, modem: str, iccid: str, sim) -> credit.SimBalance:
        """Asks the SIM's credit now and records it (gateway/care/credit.py)."""
        answer, error = None, ""
        try:
            answer = self._ask(modem, sim.balance_ussd, reply=False).text or ""
        except MODEM_ERRORS as problem:
            error = str(problem) or type(problem).__name__
        return credit.record(self.box, modem, iccid, sim, answer, error, self.now(),
                             self.config().gateway.currency)

    def _ask(self, modem: str, text: str, reply: bool):
        driver = self.modems.driver(modem)
        if driver is None:
            raise ModemError(f"{modem} is not up")
        with self.texts.modem_lock(modem):
            return driver.ussd(text, USSD_TIMEOUT, reply=reply)

    # -- requests from the CLI and the web ----------------------------------------------------

    def serve_requests(self) -> None:
        """Serves the queued requests, oldest first (the cheap look finds none mostly)."""
        while not self.worker.stopping and requests.any_queued(self.box):
            row = requests.take_next(self.box, self.now())
            if row is None:
                return
            try:
                outcome = self._serve(row)
            except MODEM_ERRORS as problem:
                outcome = {"error": str(problem) or type(problem).__name__}
            if outcome is None:         # a voice test runs on: its thread finishes it
                log.info("%s: voice test to %s started for request %d", row.modem, row.text,
                         row.id)
                continue
            requests.finish(row.id, self.now(), **outcome)
            self._busy_until = time.monotonic() + BUSY_FOR
            log.info("%s: %s %s for the %s request %d: %s", row.modem, row.kind, row.text,
                     "failed" if outcome.get("error") else "answered", row.id,
                     outcome.get("error") or outcome.get("answer", "")[:80])

    def _serve(self, row) -> dict | None:
        """Gives the outcome of one request: its answer, or the error in plain words; None
        for a voice test that started (it finishes its request itself)."""
        status = next((status for status in self.modems.status()
                       if status.name == row.modem), None)
        if status is None:
            return {"error": f"this box has no modem named {row.modem}"}
        if status.state != "up":
            return {"error": f"{row.modem} is {status.state}"
                    + (f": {status.reason}" if status.reason else "")}
        if status.in_call:
            return {"error": f"{row.modem} is in a call; ask again when it ends"}
        if row.kind == "balance":
            return self._serve_balance(status)
        if row.kind == "voicetest":
            if self.voice_tests is None:
                return {"error": "this box runs no voice tests"}
            refusal = self.voice_tests.start(row.modem, row.text,
                                             VoiceTestReport(row.id, row.text, self.now))
            return {"error": refusal} if refusal else None
        answer = self._ask(row.modem, row.text, reply=row.kind == "ussd-reply")
        return {"answer": answer.text or "", "ussd_status": answer.status}

    def _serve_balance(self, status) -> dict:
        iccid = getattr(status.health, "iccid", None)
        sim = self.config().sim(iccid) if iccid else None
        if sim is None or not sim.balance_ussd:
            what = f"SIM {iccid}" if iccid else "its SIM (ICCID not read yet)"
            return {"error": f"{status.name}: {what} has no balance_ussd in a [[sim]] table"}
        row = self.check_credit(status.name, iccid, sim)
        return {"answer": row.answer, "amount_minor": row.amount_minor, "error": row.error}
