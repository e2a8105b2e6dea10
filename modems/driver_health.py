"""Health checks, as a mixin of `ModemDriver`: signal, registration, operator, SIM.

It needs from the driver `name`, `profile`, `_try` (a command that gives None on
ERROR), `_first_line`, `_require_link`, `_emit`, and the attributes `_last_signal`,
`_known_iccid` and `_sim_identity` it keeps between checks.
"""
from __future__ import annotations

import time

from modems.events import SignalChanged
from modems.signal import (Health, note_iccid, parse_cops, parse_cpin, parse_creg, parse_csq,
                           parse_iccid)

# seconds between reads of the SIM's identity (ICCID, IMSI) while its state stays the same:
# a card taken out or put in changes +CPIN (27.007 8.3) or the registration first
SIM_IDENTITY_RECHECK = 300.0

# ICCID, IMSI, the +CPIN state and registration they were read in, when (monotonic)
SimIdentity = tuple[str | None, str | None, str | None, int | None, float]


class HealthMixin:
    """Reads the modem's health; reports a change of signal as SignalChanged."""

    def health(self) -> Health:
        """Reads signal, registration, operator and SIM; reports a change as SignalChanged.

        Raises TimeoutException when the modem does not answer, so the pool can
        count it."""
        rssi, dbm, bars = parse_csq(self._try("AT+CSQ") or [])
        registration = parse_creg(self._try("AT+CREG?") or [])
        operator = parse_cops(self._try("AT+COPS?") or [])
        sim_state = parse_cpin(self._try("AT+CPIN?") or [])
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
