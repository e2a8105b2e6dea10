"""Reading a modem's health answers: signal, registration, operator, SIM."""
from __future__ import annotations

import re
from dataclasses import dataclass

from modems.events import SignalChanged

_REGISTRATION = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown",
                 5: "roaming"}


@dataclass
class Health:
    rssi: int | None
    dbm: int | None
    bars: int
    registration: str
    operator: str | None
    sim_state: str
    iccid: str | None
    imsi: str | None


def _line(lines: list[str], prefix: str) -> str | None:
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    return None


def rssi_to_dbm(rssi: int | None) -> int | None:
    """+CSQ <rssi> 0..31 is -113 dBm in 2 dB steps; 99 is unknown."""
    if rssi is None or not 0 <= rssi <= 31:
        return None
    return -113 + 2 * rssi


def bars(rssi: int | None) -> int:
    """Gives 0..5 bars the way phones draw them from +CSQ."""
    if rssi is None or not 0 <= rssi <= 31 or rssi < 2:
        return 0
    for limit, count in ((10, 1), (15, 2), (20, 3), (25, 4)):
        if rssi < limit:
            return count
    return 5


def parse_csq(lines: list[str]) -> tuple[int | None, int | None, int]:
    value = _line(lines, "+CSQ:")
    rssi = None
    if value:
        try:
            rssi = int(value.split(",")[0])
        except ValueError:
            rssi = None
    if rssi == 99:
        rssi = None
    return rssi, rssi_to_dbm(rssi), bars(rssi)


def parse_creg(lines: list[str]) -> str:
    """Gives the registration of the first +CREG line, the read or the unsolicited form."""
    value = _line(lines, "+CREG:")
    if not value:
        return "unknown"
    fields = [field.strip() for field in value.split(",")]
    # 27.007 §7.2: the read form is +CREG: <n>,<stat>[,[<lac>],[<ci>][,<AcT>...]], the URC
    # +CREG: <stat>[,[<lac>],[<ci>][,<AcT>...]] (n=2), whose second field is <lac>: quoted
    # hex, or empty when the cell is unknown (`+CREG: 2,,,7`). Only <stat> is bare digits.
    stat = fields[1] if len(fields) >= 2 and re.fullmatch(r"\d{1,2}", fields[1]) else fields[0]
    try:
        return _REGISTRATION.get(int(stat), "unknown")
    except ValueError:
        return "unknown"


def after_creg_urc(modem: str, previous: SignalChanged | None,
                   registration: str) -> SignalChanged | None:
    """Gives the SignalChanged a +CREG URC means (signal as last measured, operator only
    while registered), or None when the registration did not change."""
    if previous is not None and previous.registration == registration:
        return None
    previous = previous or SignalChanged(modem)
    registered = registration in ("home", "roaming")
    return SignalChanged(modem, rssi=previous.rssi, dbm=previous.dbm, bars=previous.bars,
                         registration=registration,
                         operator=previous.operator if registered else None)


def parse_cops(lines: list[str]) -> str | None:
    value = _line(lines, "+COPS:")
    if not value:
        return None
    match = re.search(r'"([^"]*)"', value)
    return match[1] if match and match[1] else None


def parse_cpin(lines: list[str]) -> str:
    """Gives the SIM state: ready, SIM PIN, SIM PUK, ... or 'no SIM'."""
    value = _line(lines, "+CPIN:")
    if value:
        return "ready" if value == "READY" else value
    if any("CME ERROR: 10" in line for line in lines):
        return "no SIM"
    return "unknown"


def parse_iccid(lines: list[str]) -> str | None:
    for line in lines:
        match = re.search(r"([0-9]{18,20}[Ff]?)", line)
        if match:
            return match[1].rstrip("Ff")
    return None
