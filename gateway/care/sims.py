"""The SIMs' limits: which modem the pool lends for a call or an SMS, and the owner told.

The pool (modems/pool.py) lends only modems registered on the network with a
SIM ready; among those, `SimLimits.rank` is its chooser (the daemon gives it):

- a modem whose SIM reached a limit of that work is left out: `max_minutes_per_day`,
  `max_calls_per_day` and `max_minutes_per_month` stop new calls, `max_sms_per_day`
  stops sending SMS (gateway/sms/outbox.py asks the pool the same way);
- the others in the order of least use today: minutes for a call, SMS for an SMS
  (then minutes), configuration order between equals.

Usage comes from the books (gateway/care/usage.py). A SIM at a limit raises one
`sim-limit` alert (subject: its ICCID) saying which limit, the counts and when it
resets; the `sim-limits` thread looks at every SIM each CHECK_EVERY seconds and
recovers the alert once the SIM is below every limit again (the next day, or month,
or a raised limit after a reload). While the database is unreachable the limits
cannot be read: modems are lent in configuration order and that is logged.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from gateway.care.alert_kinds import GIVEN_ADVICE
from gateway.care.usage import CALL_WORK, SMS_WORK, SimUsage, local_time, usages_of
from gateway.store.alerts import RAISED, Alert, raise_alert, recover
from gateway.store.outage import CONNECTION_ERRORS, forget_connection
from gateway.worker import OutageWatch, Worker

log = logging.getLogger(__name__)

KIND = "sim-limit"
CHECK_EVERY = 60.0          # seconds between looks at every SIM (raise, recover at the reset)


class SimLimits:
    """Ranks modems for the pool by their SIM's use; raises and recovers `sim-limit`."""

    def __init__(self, config, now: Callable[[], float], statuses: Callable[[], list],
                 watch: OutageWatch | None = None, check_every: float = CHECK_EVERY):
        """`statuses()` gives the pool's modem statuses (modems.pool.ModemStatus)."""
        self.box = config.gateway.box
        self.config = config
        self.now = now
        self.watch = watch
        self._statuses = statuses
        self._lock = threading.Lock()
        self._alerted: set[str] = set()        # ICCIDs whose sim-limit alert is open
        self._outage_told = False
        self.worker = Worker("sim-limits", watch=watch)
        self.worker.every("check", check_every, "checking the SIMs' limits", self.check,
                          first=1.0)

    def reconfigure(self, config) -> None:
        """Takes the limits of a reloaded configuration (the next look recovers what a
        raised limit frees)."""
        self.config = config
        self.worker.sooner("check")

    def usages(self, iccids) -> dict[str, SimUsage]:
        """Gives each SIM's use against its [[sim]] limits, by ICCID, read at once."""
        return usages_of({iccid: self.config.sim(iccid) for iccid in iccids}, self.now())

    # -- the pool's chooser ----------------------------------------------------------------

    def rank(self, work: str, candidates: list) -> list:
        """Gives the candidate modem statuses that may take `work` ("call" | "sms"), least
        used today first; leaves out a modem whose SIM reached a limit of that work."""
        try:
            ranked = []
            iccids = [status.health.iccid if status.health is not None else None
                      for status in candidates]
            usages = self.usages({iccid for iccid in iccids if iccid is not None})
            for index, (status, iccid) in enumerate(zip(candidates, iccids)):
                if iccid is None:       # its SIM not read yet: no limits known
                    ranked.append(((0, 0, index), status))
                    continue
                usage = usages[iccid]
                self._note(usage, status.name)
                if usage.reached(work):
                    log.debug("%s not lent for %s: SIM %s at its limit (%s)", status.name,
                              "a call" if work == CALL_WORK else "an SMS", iccid,
                              ", ".join(usage.reached(work)))
                    continue
                used = (usage.sms_today, usage.minutes_today) if work == SMS_WORK \
                    else (usage.minutes_today, usage.calls_today)
                ranked.append(((*used, index), status))
        except CONNECTION_ERRORS as error:
            self._database_lost(error)
            return list(candidates)
        self._outage_told = False
        return [status for _key, status in sorted(ranked, key=lambda pair: pair[0])]

    def _database_lost(self, error: Exception) -> None:
        forget_connection()
        if self.watch is not None:
            self.watch.lost(error)
        if not self._outage_told:
            self._outage_told = True
            log.warning("SIM limits not checked, the database is unreachable: modems are lent "
                        "in configuration order until it is back (%s)", error)

    # -- alerts ----------------------------------------------------------------------------

    def check(self) -> None:
        """Looks at every SIM in a modem and every SIM with an open alert: raises what
        reached a limit, recovers what is below every limit again."""
        with self._lock:
            self._alerted |= set(self._open_alerts())
            iccids = set(self._alerted)
        modems: dict[str, str] = {}
        for status in self._statuses():
            iccid = status.health.iccid if status.health is not None else None
            if iccid:
                iccids.add(iccid)
                modems[iccid] = status.name
        usages = self.usages(iccids)
        for iccid in sorted(iccids):
            self._note(usages[iccid], modems.get(iccid))

    def _open_alerts(self) -> list[str]:
        return [alert.subject for alert in Alert.select(Alert.subject).where(
            Alert.box == self.box, Alert.kind == KIND, Alert.state == "open")]

    def _note(self, usage: SimUsage, modem: str | None) -> None:
        """Raises the SIM's alert when it reached a limit, recovers it when it is below
        every limit; does nothing while that stays as it was."""
        reached = usage.reached()
        with self._lock:
            if bool(reached) == (usage.iccid in self._alerted):
                return
            if reached:
                self._alerted.add(usage.iccid)
            else:
                self._alerted.discard(usage.iccid)
        now = self.now()
        if not reached:
            recover(self.box, KIND, usage.iccid, now,
                    RAISED["below limits"].format(iccid=usage.iccid, counts=usage.summary()))
            return
        raise_alert(self.box, KIND, usage.iccid, now, limit_message(usage, modem),
                    modem=modem, advice=GIVEN_ADVICE[KIND])


def limit_message(usage: SimUsage, modem: str | None) -> str:
    """Gives the alert's words: which limit, the counts, and when it resets."""
    calls = usage.reached(CALL_WORK) and local_time(usage.resets_at(CALL_WORK))
    sms = usage.reached(SMS_WORK) and local_time(usage.resets_at(SMS_WORK))
    if calls and sms:
        stopped = RAISED["both stopped"].format(until=calls, sms_until=sms)
    else:
        stopped = RAISED["no call until"].format(until=calls) if calls else \
            RAISED["no sms until"].format(until=sms)
    return RAISED["limit reached in" if modem else "limit reached"].format(
        iccid=usage.iccid, modem=modem, limits=", ".join(usage.reached()),
        counts=usage.summary(), stopped=stopped)
