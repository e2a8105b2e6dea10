"""Health checks, as a mixin of `ModemDriver`: signal, registration, operator, SIM.

It needs from the driver `name`, `profile`, `_try` (a command that gives None on
ERROR), `_first_line`, `_require_link`, `_emit`, and the attributes `_last_signal`,
`_known_iccid`, `_sim_identity` and `_health_apart` it keeps between checks.
"""
from __future__ import annotations

import logging
import time

from modems.events import SignalChanged
from modems.signal import (Health, note_iccid, parse_cops, parse_cpin, parse_creg, parse_csq,
                           parse_iccid)

# seconds between reads of the SIM's identity (ICCID, IMSI) while its state stays the same:
# a card taken out or put in changes +CPIN (27.007 8.3) or the registration first
SIM_IDENTITY_RECHECK = 300.0

log = logging.getLogger(__name__)

# ICCID, IMSI, the +CPIN state and registration they were read in, when (monotonic)
SimIdentity = tuple[str | None, str | None, str | None, int | None, float]

# A check's four reads, sent as one command line: ITU-T V.250 5.2.1.1 lets extended-syntax
# commands follow one another after ';', answered in turn under one final result code (27.007
# 4.0). One round trip instead of four. When the line ends in an ERROR (a command of it was
# refused: +CPIN? without a card gives +CME ERROR: 10, and a modem stops the line at the first
# error), each is asked alone, as a modem that does not take several on a line is from then on.
HEALTH_COMMANDS = ("AT+CSQ", "AT+CREG?", "AT+COPS?", "AT+CPIN?")
HEALTH_LINE = "AT" + ";".join(command[2:] for command in HEALTH_COMMANDS)


class HealthMixin:
    """Reads the modem's health; reports a change of signal as SignalChanged."""

    def health(self) -> Health:
        """Reads signal, registration, operator and SIM; reports a change as SignalChanged.

        Raises TimeoutException when the modem does not answer, so the pool can
        count it."""
        csq, creg, cops, cpin = self._health_answers()
        rssi, dbm, bars = parse_csq(csq)
        registration = parse_creg(creg)
        operator = parse_cops(cops)
        sim_state = parse_cpin(cpin)
        iccid, imsi = self._identity(sim_state, registration)
        health = Health(rssi, dbm, bars, registration, operator, sim_state, iccid, imsi)
        signal = SignalChanged(self.name, rssi=rssi, dbm=dbm, bars=bars,
                               registration=registration, operator=operator)
        previous = self._last_signal
        if previous is None or (previous.rssi, previous.registration, previous.operator) != (
                rssi, registration, operator):
            self._last_signal = signal
            self._require_link().call_soon(lambda: self._emit(signal))
        return health

    def _health_answers(self) -> list[list[str]]:
        """Gives the answers to HEALTH_COMMANDS, each [] when refused: the lines of one
        command line, each answer found by its prefix; asked one by one when the line is
        refused, and from then on when each was answered alone (the modem does not take a
        line of several; asked again on a new opening)."""
        if not self._health_apart:
            lines = self._try(HEALTH_LINE)
            if lines is not None:
                return [lines] * len(HEALTH_COMMANDS)
        answers = [self._try(command) for command in HEALTH_COMMANDS]
        if not self._health_apart and all(answer is not None for answer in answers):
            self._health_apart = True
            log.info("%s: asks its health one command at a time (it refused %s)",
                     self.name, HEALTH_LINE)
        return [answer or [] for answer in answers]

    def _identity(self, sim_state: str | None, registration: int | None
                  ) -> tuple[str | None, str | None]:
        """Gives the SIM's ICCID and IMSI: read again when its +CPIN state or the
        registration changed, when one was not known, or SIM_IDENTITY_RECHECK seconds after
        the last read; else as read then (two to five commands fewer in each health check)."""
        known = self._sim_identity
        moment = time.monotonic()
        if known is not None and known[0] and known[1] and known[2:4] == (
                sim_state, registration) and moment - known[4] < SIM_IDENTITY_RECHECK:
            return known[0], known[1]
        iccid = None
        for command in self.profile.iccid_commands:
            iccid = parse_iccid(self._try(command) or [])
            if iccid:
                break
        if iccid != self._known_iccid:      # logged once per card, not at every check
            self._known_iccid = note_iccid(self.name, iccid, self.profile.iccid_commands)
        imsi = self._first_line("AT+CIMI") or None
        self._sim_identity = (iccid, imsi, sim_state, registration, moment)
        return iccid, imsi
