"""The `sms-out` thread: sends the outbox (`sms_out`), retrying with backoff on any modem.

The queue lives in the database, so replies, notices and `callbox sms send`
all go the same way and survive a restart. A text goes out on the modem
its command came in on when that modem is up, else on any up modem allowed
by `[sms] send_from` (modems not in a call first, then as the pool ranks them
for "sms": on the network, SIM below its SMS limit, least used today first);
a retry prefers a modem other than the one that just failed. A SIM's
keep-alive (gateway/care/keepalive.py) goes from the modem it was queued for
only, whatever `send_from` says. A text waits while no modem may send it,
and waits for the modem it should go on when that modem came up less than
SETTLE_AFTER_UP ago (rather than going on the next best).
Each text sent records its SIM (ICCID) and parts: its SMS limit counts them
(gateway/care/usage.py). The number is checked (`+` and digits) before it
can reach AT+CMGS. After the last wait of `retry_backoff` the
text is `failed`, with the reason. A text that was `sending` when the
daemon stopped is queued again: it may go out twice, but it is not lost.
The thread is a gateway.worker.Worker with one timer, "send": due every
IDLE_WAIT seconds, when the next retry is due, and at once on `wake()`.
Replies, help texts, codes and texts sent by hand ask for a status report
(gateway/sms/reports.py records what it says).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from gateway.meters import Meters
from gateway.sms import reports, store
from gateway.worker import OutageWatch, Worker
from modems import sms as sms_codec
from modems.numbers import InvalidNumber, sms_recipient

log = logging.getLogger(__name__)

IDLE_WAIT = 2.0       # seconds between looks at the queue (what `callbox sms send` waits)
# Seconds a modem is left alone after it comes up: the pool's first health check
# runs then, and the driver does not yet keep other commands from landing
# between AT+CMGS and its PDU (the modem would take them as the PDU).
SETTLE_AFTER_UP = 1.0


class Outbox:
    """What the `sms-out` thread does; see the module docstring."""

    def __init__(self, config, pool, now: Callable[[], float],
                 modem_lock: Callable[[str], threading.Lock], watch: OutageWatch | None = None,
                 meters: Meters | None = None):
        self.box = config.gateway.box
        self.meters = meters or Meters()
        self.sms = config.sms
        self.pool = pool
        self.now = now
        self.modem_lock = modem_lock
        self._up_at: dict[str, float] = {}      # modem -> monotonic time it came up
        # An outage leaves the queue waiting in the database; any other failure is logged;
        # either way the next look is IDLE_WAIT away.
        self.worker = Worker("sms-out", watch=watch)
        self.worker.after("requeue", 0.0, "queueing the texts a stop interrupted",
                          lambda: store.requeue_interrupted(self.box, self.now()))
        self.worker.paced("send", IDLE_WAIT, "sending the queue", self._send_due)

    def wake(self) -> None:
        """Makes the thread look at the queue now (a text was queued)."""
        self.worker.sooner("send")

    def modem_up(self, modem: str) -> None:
        """Notes a modem that came up; the queue is looked at once it has settled."""
        self._up_at[modem] = time.monotonic()
        self.worker.sooner("send", SETTLE_AFTER_UP)

    def _send_due(self) -> float:
        """Sends what is due; gives the seconds to wait before looking again."""
        while not self.worker.stopping:
            rows = store.due(self.box, self.now())
            if not rows:
                break
            sent_any = False
            for row in rows:
                if self.worker.stopping:
                    break
                sent_any |= self._send(row)
            if not sent_any:              # no modem to send with: wait for one (or a wake)
                return min([IDLE_WAIT] + self._settling())
        upcoming = store.next_due(self.box)
        if upcoming is None:
            return IDLE_WAIT
        return min(IDLE_WAIT, max(0.01, upcoming - self.now()))

    def _send(self, row) -> bool:
        """Tries one text once; gives False when no modem could take it."""
        try:
            recipient = sms_recipient(row.number)
        except InvalidNumber as error:
            store.fail(row.id, f"not a number an SMS can go to: {error.reason}")
            self.meters.sms_failed.inc(row.kind)
            log.warning("SMS %d to %r not sent: %s", row.id, row.number, error.reason)
            return True
        parts = sms_codec.part_count(row.text)
        if parts > sms_codec.MAX_PARTS:   # no modem can send it: fail now, never retried
            store.fail(row.id, f"too long: {parts} SMS parts, at most {sms_codec.MAX_PARTS}")
            self.meters.sms_failed.inc(row.kind)
            log.warning("SMS %d to %s not sent: %d parts is too long", row.id, row.number, parts)
            return True
        picked = self._pick(row)
        if picked is None:
            return False
        driver, iccid = picked
        if not store.claim(row.id, driver.name, iccid, parts):
            return True
        report = row.kind in reports.REPORTED_KINDS
        with self.modem_lock(driver.name):
            try:
                references = driver.send_sms(recipient, row.text, report=report)
            except Exception as error:     # the modem's or network's refusal: retry later
                self._attempt_failed(row, driver.name, error)
                return True
            # still holding the modem: its status report cannot come before this record
            reports.mark_sent(row.id, self.now(), driver.name, recipient,
                              references if report else None, iccid, parts)
        self.meters.sms_sent.inc(row.kind)
        log.info("SMS %d sent to %s via %s%s", row.id, recipient, driver.name,
                 f" (message references {references}, report asked)" if report else "")
        return True

    def _attempt_failed(self, row, modem: str, error: Exception) -> None:
        reason = f"{modem}: {error or type(error).__name__}"
        attempt = row.attempts + 1
        if attempt > len(self.sms.retry_backoff):
            store.mark_attempt_failed(row.id, f"gave up after {attempt} attempts; last: {reason}",
                                      None)
            self.meters.sms_failed.inc(row.kind)
            log.error("SMS %d to %s failed for good: %s", row.id, row.number, reason)
            return
        wait = self.sms.retry_backoff[attempt - 1]
        store.mark_attempt_failed(row.id, reason, self.now() + wait)
        log.warning("SMS %d to %s not sent (%s); trying again in %.0f s", row.id, row.number,
                    reason, wait)

    def _settling(self) -> list[float]:
        """Gives the seconds until each modem that came up a moment ago has settled."""
        now = time.monotonic()
        return [max(0.01, up_at + SETTLE_AFTER_UP - now) for up_at in self._up_at.values()
                if up_at + SETTLE_AFTER_UP > now]

    def _pick(self, row):
        """Gives (the driver to send with, its SIM's ICCID), or None when no allowed modem
        may send now."""
        allowed = self.sms.send_from
        settled = time.monotonic() - SETTLE_AFTER_UP
        pinned = row.kind == "keepalive"     # only its own SIM keeps a SIM alive
        up = self.pool.rank("sms", [
            status for status in self.pool.status() if status.state == "up" and (
                status.name == row.modem_hint if pinned
                else not allowed or status.name in allowed)])

        def preference(pair) -> tuple:
            place, status = pair
            failed_here = row.attempts > 0 and status.name == row.modem
            return (failed_here, status.name != row.modem_hint, status.in_call, place)

        for _place, status in sorted(enumerate(up), key=preference):
            if self._up_at.get(status.name, 0.0) > settled:
                # the modem to send with came up a moment ago: wait for it rather than
                # take the next best, so which modem sends does not hang on that moment
                return None
            driver = self.pool.driver(status.name)
            if driver is not None:
                return driver, status.health.iccid if status.health is not None else None
        return None
