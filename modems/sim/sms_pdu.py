"""SMS PDUs as the network sees them: SMS-DELIVER and SMS-STATUS-REPORT built here,
SMS-SUBMIT decoded.

The encoder is small on purpose and built on the library's own helpers, so a
PDU the sim stores decodes with `gsmmodem.pdu.decodeSmsPdu` exactly as one
from a real SMSC would (3GPP TS 23.040 9.2.2.1).

UCS2 is UTF-16 here as on real phones: an emoji travels as a surrogate pair.
A lone surrogate in a phone's text is sent as it is (`surrogatepass`), as a
phone with a broken encoder would, so tests can hand the box what it must survive.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from gsmmodem import pdu as gsmpdu

SMSC_NUMBER = "+4917000000"
GSM7_SINGLE, GSM7_PART = 160, 153     # septets
UCS2_SINGLE, UCS2_PART = 70, 67       # UTF-16 code units


@dataclass
class StoredSms:
    """One PDU in a virtual modem's memory (SMS, or status reports in SR)."""

    index: int
    status: int          # 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT
    pdu: str


@dataclass(frozen=True)
class Submitted:
    """What a modem handed to the network with AT+CMGS."""

    number: str
    text: str
    reference: int | None = None   # concatenation reference, None when single
    part: int = 1
    parts: int = 1
    status_report: bool = False    # TP-SRR: the sender asked for a status report


def utf16(text: str) -> bytes:
    """Gives a text's UCS2 user data: UTF-16, a lone surrogate kept as it is."""
    return text.encode("utf-16-be", "surrogatepass")


def joined_text(text: str) -> str:
    """Gives text decoded unit by unit (the library's UCS2) with its surrogate pairs
    joined into one character; a lone surrogate stays, as the phone sent it."""
    return utf16(text).decode("utf-16-be", "surrogatepass")


def is_gsm7(text: str) -> bool:
    """True when every character has a GSM 7-bit default alphabet code."""
    try:
        gsmpdu.encodeGsm7(text)
    except ValueError:
        return False
    return True


def split_text(text: str) -> tuple[list[str], bool]:
    """Gives the parts a text is sent in and whether it needs UCS2."""
    if is_gsm7(text):
        if len(gsmpdu.encodeGsm7(text)) <= GSM7_SINGLE:
            return [text], False
        return gsmpdu.divideTextGsm7(text), False
    if len(utf16(text)) // 2 <= UCS2_SINGLE:
        return [text], True
    parts, current, units = [], "", 0
    for char in text:
        size = len(utf16(char)) // 2
        if units + size > UCS2_PART:
            parts.append(current)
            current, units = "", 0
        current += char
        units += size
    parts.append(current)
    return parts, True


def _address(number: str) -> bytes:
    """Gives an originating address field: international, national or alphanumeric."""
    digits = number.lstrip("+")
    if digits.isdigit() and number.startswith("+"):
        toa = 0x91
    elif digits.isdigit():
        toa = 0xA1 if number.startswith("0") else 0x81
    else:
        return bytes(gsmpdu._encodeAddressField(number))
    return bytes([len(digits), toa]) + bytes(gsmpdu.encodeSemiOctets(digits))


def _timestamp(when: datetime.datetime) -> bytes:
    if when.tzinfo is None:
        when = when.astimezone()
    return bytes(gsmpdu._encodeTimestamp(when))


def encode_deliver(sender: str, text: str, reference: int = 0,
                   when: datetime.datetime | None = None,
                   parts: list[str] | None = None) -> list[str]:
    """Gives the SMS-DELIVER PDUs (hex, with SMSC) that carry `text` from `sender`;
    `parts` splits it where a phone did (in UCS2), e.g. inside a surrogate pair."""
    if parts is None:
        parts, ucs2 = split_text(text)
    else:
        ucs2 = True
    when = when or datetime.datetime.now().astimezone()
    smsc = bytes(gsmpdu._encodeAddressField(SMSC_NUMBER, smscField=True))
    pdus = []
    for number, part in enumerate(parts, start=1):
        udh = b""
        if len(parts) > 1:
            udh = bytes([0x05, 0x00, 0x03, reference & 0xFF, len(parts), number])
        first_octet = 0x04 | (0x40 if udh else 0)   # SMS-DELIVER, no more messages
        if ucs2:
            payload = utf16(part)
            user_data, length = udh + payload, len(udh) + len(payload)
        else:
            septets = gsmpdu.encodeGsm7(part)
            # packSeptets takes the bit offset the header leaves in its last septet
            offset = (len(udh) * 8) % 7
            user_data = udh + bytes(gsmpdu.packSeptets(septets, padBits=offset))
            length = len(septets) + -(-len(udh) * 8 // 7)
        tpdu = (bytes([first_octet]) + _address(sender) + bytes([0x00, 0x08 if ucs2 else 0x00])
                + _timestamp(when) + bytes([length]) + user_data)
        pdus.append((smsc + tpdu).hex().upper())
    return pdus


# 3GPP TS 23.040 9.2.3.15 TP-ST: what the virtual SMSC reports.
DELIVERED, STILL_TRYING, INCOMPATIBLE_DESTINATION = 0x00, 0x22, 0x41


def encode_status_report(reference: int, recipient: str, submitted: datetime.datetime,
                         status: int, done: datetime.datetime | None = None) -> str:
    """Gives the SMS-STATUS-REPORT PDU (hex, with SMSC; 23.040 9.2.2.3) on the SMS the
    modem sent with message reference `reference` to `recipient`."""
    smsc = bytes(gsmpdu._encodeAddressField(SMSC_NUMBER, smscField=True))
    first_octet = 0x02 | 0x04        # SMS-STATUS-REPORT, no more messages; TP-SRQ 0
    tpdu = (bytes([first_octet, reference & 0xFF]) + _address(recipient)
            + _timestamp(submitted) + _timestamp(done or datetime.datetime.now().astimezone())
            + bytes([status & 0xFF]))
    return (smsc + tpdu).hex().upper()


def tpdu_length(pdu_hex: str) -> int:
    """Gives the TPDU length in octets (what +CMGR/+CMGL report): PDU minus SMSC."""
    octets = len(pdu_hex) // 2
    try:
        smsc_len = int(pdu_hex[:2], 16)
    except ValueError:
        return octets
    return max(0, octets - 1 - smsc_len)


def decode_submit(pdu_hex: str) -> Submitted:
    """Gives the recipient, text and concatenation of an SMS-SUBMIT PDU (with SMSC)."""
    fields = gsmpdu.decodeSmsPdu(pdu_hex)
    if fields.get("type") != "SMS-SUBMIT":
        raise ValueError(f"not an SMS-SUBMIT: {fields.get('type')}")
    first_octet = int(pdu_hex[2 + 2 * int(pdu_hex[:2], 16):][:2], 16)
    report = bool(first_octet & 0x20)          # 23.040 9.2.3.5 TP-SRR
    for element in fields.get("udh") or []:
        if isinstance(element, gsmpdu.Concatenation):
            return Submitted(fields["number"], joined_text(fields["text"]), element.reference,
                             element.number, element.parts, report)
    return Submitted(fields["number"], joined_text(fields["text"]), status_report=report)
