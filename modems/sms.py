"""SMS on the AT link: reading stored PDUs safely and sending texts.

Decoding uses python-gsmmodem's PDU codec, but a PDU it cannot decode (or
that crashes it) never raises out of here: it comes back raw with `error`
set, so the gateway can quarantine it and nothing is lost.
"""
from __future__ import annotations

import logging
import re

from gsmmodem.pdu import Concatenation, decodeSmsPdu, encodeSmsSubmitPdu

from modems.events import SmsReceived
from modems.numbers import caller_to_e164, is_alphanumeric_sender

log = logging.getLogger(__name__)

_CMGR = re.compile(r"\+CMGR:\s*(\d+),")
_CMGL = re.compile(r"\+CMGL:\s*(\d+),")
_HEX = re.compile(r"[0-9A-Fa-f]+")
CTRL_Z = "\x1a"


def decode(modem: str, index: int | None, pdu: str, country: str = "DE") -> SmsReceived:
    """Gives the SMS in a PDU; never raises."""
    if not _HEX.fullmatch(pdu or "") or len(pdu) % 2:
        return SmsReceived(modem, index=index, pdu=pdu, error="not a hexadecimal PDU")
    try:
        fields = decodeSmsPdu(pdu)
    except Exception as error:   # the codec raises anything on hostile input
        return SmsReceived(modem, index=index, pdu=pdu, error=f"undecodable PDU: {error!r}"[:200])
    if fields.get("type") != "SMS-DELIVER":
        return SmsReceived(modem, index=index, pdu=pdu,
                           error=f"not a received message ({fields.get('type')})")
    raw = str(fields.get("number") or "")
    clean = "".join(char for char in raw if char.isprintable())
    sender = clean if is_alphanumeric_sender(clean) else caller_to_e164(
        clean, 145 if clean.startswith("+") else 129, country)
    concat = next((part for part in fields.get("udh") or [] if isinstance(part, Concatenation)),
                  None)
    when = fields.get("time")
    return SmsReceived(
        modem, index=index, pdu=pdu, sender=sender or clean, sender_raw=raw,
        text=fields.get("text"), smsc_time=when.isoformat() if when else None,
        concat_ref=concat.reference if concat else None,
        concat_part=concat.number if concat else None,
        concat_total=concat.parts if concat else None)


def from_cmgr(modem: str, index: int, lines: list[str]) -> SmsReceived:
    for position, line in enumerate(lines):
        if _CMGR.match(line) and position + 1 < len(lines):
            return decode(modem, index, lines[position + 1])
    return SmsReceived(modem, index=index, error=f"no message at index {index}")


def from_cmgl(modem: str, lines: list[str]) -> list[SmsReceived]:
    messages = []
    for position, line in enumerate(lines):
        match = _CMGL.match(line)
        if match and position + 1 < len(lines):
            messages.append(decode(modem, int(match[1]), lines[position + 1]))
    return messages


def send(link, recipient: str, text: str, timeout: float) -> list[int]:
    """Sends `text` to a validated recipient in as many parts as it needs;
    GSM 03.38 when the text fits it, else UCS2. Gives the message references."""
    references = []
    for pdu in encodeSmsSubmitPdu(recipient, text, reference=link._smsRef,
                                  requestStatusReport=False):
        # The prompt and its PDU are one exchange: no other thread's command may
        # land between them (the modem would take it as PDU text).
        with link._txLock:
            link.write(f"AT+CMGS={pdu.tpduLength}", timeout=timeout,
                       expectedResponseTermSeq="> ")
            response = link.write(str(pdu), timeout=max(timeout, 35), writeTerm=CTRL_Z)
        reference = next((int(line.split(":")[1]) for line in response
                          if line.startswith("+CMGS:")), None)
        if reference is None:
            raise RuntimeError("modem did not confirm the SMS with +CMGS")
        references.append(reference)
    link._smsRef = (link._smsRef + 1) % 256
    return references
