"""SMS on the AT link: reading stored PDUs safely and sending texts.

Decoding uses python-gsmmodem's PDU codec, but a PDU it cannot decode (or
that crashes it) never raises out of here: it comes back raw with `error`
set, so the gateway can quarantine it and nothing is lost.

UCS2 is read and written as UTF-16 (3GPP TS 23.038 6.2.3 names UCS2, but
phones put characters outside the Basic Multilingual Plane, emoji, in it
as surrogate pairs). The library reads each 16-bit unit as one character,
which leaves '😀' as two lone surrogates that no UTF-8 database can store,
and writes with `ord()`, which cannot send '😀' at all; `repair_text` joins
the pairs on the way in and `submit_pdus` encodes UTF-16 on the way out.

A text sent with `report=True` asks the network for a status report (TP-SRR,
3GPP TS 23.040 9.2.3.5); `decode_report` reads one (9.2.2.3 SMS-STATUS-REPORT),
never raising either.
"""
from __future__ import annotations

import logging
import re

from gsmmodem.pdu import (Concatenation, _encodeAddressField, decodeSmsPdu,
                          encodeGsm7, encodeSmsSubmitPdu)

from modems.events import SmsReceived, SmsStatusReport
from modems.numbers import caller_to_e164, is_alphanumeric_sender

log = logging.getLogger(__name__)

_CMGR = re.compile(r"\+CMGR:\s*(\d+),")
_CMGL = re.compile(r"\+CMGL:\s*(\d+),")
_HEX = re.compile(r"[0-9A-Fa-f]+")
CTRL_Z = "\x1a"
REPLACEMENT = "\ufffd"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# 3GPP TS 23.040 9.2.3.24: 140 octets of user data; a concatenation header takes 6.
UCS2_SINGLE_OCTETS, UCS2_PART_OCTETS = 140, 134
GSM7_SINGLE, GSM7_PART = 160, 153          # septets
MAX_PARTS = 255          # 23.040 9.2.3.24.1: the number of parts is one octet


class TextTooLong(ValueError):
    """A text needs more SMS parts than a concatenated message can have."""


def repair_text(text: str) -> str:
    """Gives `text` as the box stores and shows it: surrogate pairs joined into one
    character; a lone surrogate, a NUL (PostgreSQL refuses it in text) or another
    control character but tab and line ends (an ESC sequence would reach the admin's
    terminal through `callbox sms list`) replaced by U+FFFD."""
    joined = text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "replace")
    return _CONTROL.sub(REPLACEMENT, joined)


def decode(modem: str, index: int | None, pdu: str, country: str = "DE") -> SmsReceived:
    """Gives the SMS in a PDU; never raises."""
    if not _HEX.fullmatch(pdu or "") or len(pdu) % 2:
        return SmsReceived(modem, index=index, pdu=pdu, error="not a hexadecimal PDU")
    try:
        fields = decodeSmsPdu(pdu)
    except Exception as error:   # the codec raises anything on hostile input
        return SmsReceived(modem, index=index, pdu=pdu, error=f"undecodable PDU: {error!r}"[:200])
    if fields.get("type") == "SMS-STATUS-REPORT":     # stored with the messages (+CDSI)
        return SmsReceived(modem, index=index, pdu=pdu, error="a status report, not a message",
                           status_report=True)
    if fields.get("type") != "SMS-DELIVER":
        return SmsReceived(modem, index=index, pdu=pdu,
                           error=f"not a received message ({fields.get('type')})")
    raw = repair_text(str(fields.get("number") or ""))
    sender, clean = _address(raw, country)
    concat = next((part for part in fields.get("udh") or [] if isinstance(part, Concatenation)),
                  None)
    when = fields.get("time")
    text = fields.get("text")
    if text is not None:
        repaired = repair_text(text)
        if REPLACEMENT in repaired and REPLACEMENT not in text:
            log.info("%s: SMS %s has characters that cannot be stored (lone surrogates, "
                     "control characters); kept as U+FFFD (its PDU is kept raw)", modem, index)
        text = repaired
    return SmsReceived(
        modem, index=index, pdu=pdu, sender=sender or clean, sender_raw=raw,
        text=text, smsc_time=when.isoformat() if when else None,
        concat_ref=concat.reference if concat else None,
        concat_part=concat.number if concat else None,
        concat_total=concat.parts if concat else None)


def _address(raw: str, country: str) -> tuple[str | None, str]:
    """Gives an address field as the box stores it (E.164, or a name as it is) and its
    printable characters."""
    clean = "".join(char for char in raw if char.isprintable())
    if is_alphanumeric_sender(clean):
        return clean, clean
    return caller_to_e164(clean, 145 if clean.startswith("+") else 129, country), clean


def decode_report(modem: str, pdu: str, country: str = "DE", *, index: int | None = None,
                  memory: str | None = None, length: int | None = None) -> SmsStatusReport:
    """Gives the status report in a PDU; never raises. `length` is the TPDU length a
    +CDS line announced: a PDU of exactly that many octets came without the SMSC
    address that 27.005 3.1 puts first (some firmwares leave it out)."""
    where = {"index": index, "memory": memory, "pdu": (pdu or "")[:400]}
    if not _HEX.fullmatch(pdu or "") or len(pdu) % 2:
        return SmsStatusReport(modem, **where, error="not a hexadecimal PDU")
    whole = "00" + pdu if length is not None and len(pdu) // 2 == length else pdu
    try:
        fields = decodeSmsPdu(whole)
        if fields.get("type") != "SMS-STATUS-REPORT":
            return SmsStatusReport(modem, **where,
                                   error=f"not a status report ({fields.get('type')})")
        recipient = _address(repair_text(str(fields.get("number") or "")), country)[0]
        stamps = [fields.get(name) for name in ("time", "discharge")]
        smsc_time, done_time = (when.isoformat() if when else None for when in stamps)
        reference, status = int(fields["reference"]), int(fields["status"])
    except Exception as error:   # the codec raises anything on hostile input
        return SmsStatusReport(modem, **where, error=f"undecodable PDU: {error!r}"[:200])
    return SmsStatusReport(modem, **where, reference=reference, recipient=recipient,
                           status=status, smsc_time=smsc_time, done_time=done_time)


def unit_text(pdu: str) -> str | None:
    """Gives a PDU's text as the library reads it, UCS2 one character per 16-bit unit
    (pairs not joined), or None when it does not decode; for joining the parts of a
    message whose phone split a surrogate pair between two of them."""
    try:
        text = decodeSmsPdu(pdu).get("text")
    except Exception:   # the codec raises anything on hostile input; the stored text stands
        return None
    return text if isinstance(text, str) else None


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


def ucs2_parts(text: str) -> list[bytes]:
    """Gives the UTF-16 user data of each part a text is sent in; a surrogate pair is
    never split between two parts (a phone shows each part's half as '?')."""
    whole = text.encode("utf-16-be")
    if len(whole) <= UCS2_SINGLE_OCTETS:
        return [whole]
    parts, current = [], b""
    for char in text:
        encoded = char.encode("utf-16-be")
        if len(current) + len(encoded) > UCS2_PART_OCTETS:
            parts.append(current)
            current = b""
        current += encoded
    parts.append(current)
    return parts


def part_count(text: str) -> int:
    """Gives how many SMS parts a text is sent in: exact for UCS2, at most one more per
    152 for GSM 03.38 (an escaped character never straddles two parts)."""
    text = repair_text(text)
    try:
        septets = len(encodeGsm7(text))
    except ValueError:
        return len(ucs2_parts(text))
    return 1 if septets <= GSM7_SINGLE else -(-septets // (GSM7_PART - 1))


def submit_pdus(recipient: str, text: str, reference: int,
                report: bool = False) -> list[tuple[str, int]]:
    """Gives the SMS-SUBMIT PDUs (hex, without SMSC) and their TPDU lengths for a text:
    GSM 03.38 when the text fits it (the library's encoder), else UTF-16; with `report`
    each part asks for a status report (TP-SRR). Raises TextTooLong beyond MAX_PARTS."""
    text = repair_text(text)
    parts = part_count(text)
    if parts > MAX_PARTS:
        raise TextTooLong(f"the text needs {parts} SMS parts; at most {MAX_PARTS} can be sent")
    try:
        encodeGsm7(text)
    except ValueError:
        pass            # not GSM 03.38: UTF-16 below
    else:
        return [(str(pdu), pdu.tpduLength) for pdu in encodeSmsSubmitPdu(
            recipient, text, reference=reference, requestStatusReport=report)]
    parts = ucs2_parts(text)     # GSM 03.38 returned above
    address = bytes(_encodeAddressField(recipient))
    pdus = []
    for number, payload in enumerate(parts, start=1):
        header = b""
        if len(parts) > 1:        # 23.040 9.2.3.24.1: 8-bit reference concatenation
            header = bytes([0x05, 0x00, 0x03, reference & 0xFF, len(parts), number])
        # SMS-SUBMIT, TP-SRR (23.040 9.2.3.5), UDHI
        first_octet = 0x01 | (0x20 if report else 0) | (0x40 if header else 0)
        tpdu = (bytes([first_octet, reference & 0xFF]) + address
                + bytes([0x00, 0x08, len(header) + len(payload)]) + header + payload)
        pdus.append(("00" + tpdu.hex().upper(), len(tpdu)))   # 00: the modem's own SMSC
    return pdus


def send(link, recipient: str, text: str, timeout: float, report: bool = False) -> list[int]:
    """Sends `text` to a validated recipient in as many parts as it needs;
    GSM 03.38 when the text fits it, else UCS2. Gives the message references
    (+CMGS <mr>, one per part: a status report names its part by it)."""
    references = []
    for pdu, length in submit_pdus(recipient, text, link._smsRef, report):
        # The prompt and its PDU are one exchange: no other thread's command may
        # land between them (the modem would take it as PDU text).
        with link._txLock:
            link.write(f"AT+CMGS={length}", timeout=timeout, expectedResponseTermSeq="> ")
            response = link.write(pdu, timeout=max(timeout, 35), writeTerm=CTRL_Z)
        reference = next((int(line.split(":")[1]) for line in response
                          if line.startswith("+CMGS:")), None)
        if reference is None:
            raise RuntimeError("modem did not confirm the SMS with +CMGS")
        references.append(reference)
    link._smsRef = (link._smsRef + 1) % 256
    return references
