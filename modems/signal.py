"""Reading a modem's health answers: signal, registration, operator, SIM."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from modems.events import SignalChanged

log = logging.getLogger(__name__)

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


# 3GPP 27.007 §8.18 +CRSM: <sw1>,<sw2>[,<response>]; sw1 144 (0x90) is "normal ending",
# 145 (0x91) and 146 (0x92) end normally too, with something more to say.
_CRSM = re.compile(r'\+CRSM:\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*"?([0-9A-Fa-f]*)"?)?')
_CRSM_OK = (144, 145, 146)
# digits with F padding, at the end or (nibble-swapped) in the last byte: 984411...87F9
_ICCID_TOKEN = re.compile(r"(?<![0-9A-Za-z])([0-9Ff]{18,22})(?![0-9A-Za-z])")
_ICCID = re.compile(r"89[0-9]{16,18}")


def swap_nibbles(digits: str) -> str:
    """Gives `digits` with each pair swapped: how a SIM stores BCD (TS 31.102 §4.2.2)."""
    return "".join(digits[index + 1:index + 2] + digits[index]
                   for index in range(0, len(digits), 2))


def parse_iccid(lines: list[str]) -> str | None:
    """Gives the ICCID (ITU-T E.118: 18 to 20 digits starting 89) in a modem's answer to any
    vendor's ICCID command, or None when the answer holds none.

    Answers seen: `+CCID: 89...`, `+ICCID: 89...`, `^ICCID: 98...`, `+QCCID: 89...F`,
    `+CICCID: 89...`, a bare line of digits (SIMCom SIM800 to AT+CCID), and `+CRSM:
    144,0,"98..."`, the raw bytes of EF_ICCID (2FE2, TS 31.102 §4.2.2 / TS 51.011 §10.1.1):
    BCD with the nibbles of each byte swapped and F padding. Several firmwares (Huawei
    E173, E1550) answer AT^ICCID? with the stored form too; an ICCID always starts with
    89, so an answer starting 98 is swapped back. The check digit is not checked here
    (luhn_ok): some cards carry none."""
    for line in lines:
        crsm = _CRSM.search(line)
        if crsm:
            if int(crsm[1]) in _CRSM_OK and crsm[3]:
                iccid = _normalize(swap_nibbles(crsm[3]))
                if iccid:
                    return iccid
            continue
        match = _ICCID_TOKEN.search(line.replace('"', " "))
        if match:
            iccid = _normalize(match[1])
            if iccid:
                return iccid
    return None


def _normalize(raw: str) -> str | None:
    digits = raw.upper()
    if digits.startswith("98") and len(digits) % 2 == 0:
        digits = swap_nibbles(digits)
    digits = digits.rstrip("F")
    return digits if _ICCID.fullmatch(digits) else None


def luhn_ok(digits: str) -> bool:
    """True when the last digit is the Luhn check digit of the others (ITU-T E.118)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def note_iccid(modem: str, iccid: str | None, commands: tuple[str, ...]) -> str | None:
    """Logs the SIM a modem read (a failed check digit as a warning); gives `iccid`."""
    if iccid is None:
        log.info("%s: no ICCID in the answers to %s", modem, ", ".join(commands))
    elif not luhn_ok(iccid):
        log.warning("%s: SIM %s: its last digit is not the Luhn check digit; the ICCID is kept "
                    "as read (some cards carry none)", modem, iccid)
    else:
        log.info("%s: SIM %s", modem, iccid)
    return iccid
