"""Phone numbers at the boundary: what may reach a modem, and E.164 for the rest.

Anything written to a modem (`ATD`, `AT+CMGS`, `AT+CUSD`) is built only from a
string that passed one of the checks here, so no input can inject AT commands.
"""
from __future__ import annotations

import functools
import re

import phonenumbers

# +CLIP / +CLCC type of address (3GPP TS 24.008 10.5.4.7): 145 = international.
TOA_INTERNATIONAL = 145
TOA_UNKNOWN = 129

_DIALABLE = re.compile(r"\+?[0-9]{1,20}")
_SERVICE_CODE = re.compile(r"[*#][0-9*#]{0,30}#|[0-9]{1,6}#?")
_DIGITS = re.compile(r"\+?[0-9]+")


class InvalidNumber(ValueError):
    """A number that must not reach a modem, with the reason in plain words."""

    def __init__(self, number: object, reason: str):
        super().__init__(f"invalid number {number!r}: {reason}")
        self.number = number
        self.reason = reason


def _check_text(number: object) -> str:
    if not isinstance(number, str):
        raise InvalidNumber(number, "not a string")
    if not number:
        raise InvalidNumber(number, "empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in number):
        raise InvalidNumber(number, "contains control characters")
    return number


def dial_string(number: str) -> str:
    """Gives the digits to put after ATD for an E.164 or service-code number.

    Accepts `+` and digits (a phone number) or `*`/`#` service codes; anything
    else - spaces, letters, `;`, CR, Ctrl-Z - raises InvalidNumber.
    """
    _check_text(number)
    if _DIALABLE.fullmatch(number) or _SERVICE_CODE.fullmatch(number):
        return number
    raise InvalidNumber(number, "only +, digits, * and # may be dialled")


def sms_recipient(number: str) -> str:
    """Gives the recipient for AT+CMGS: `+` and digits only."""
    _check_text(number)
    if _DIALABLE.fullmatch(number):
        return number
    raise InvalidNumber(number, "an SMS recipient is + and digits only")


def ussd_string(code: str) -> str:
    """Gives a USSD string safe for AT+CUSD: digits, * and # only."""
    _check_text(code)
    if re.fullmatch(r"[0-9*#]{1,60}", code):
        return code
    raise InvalidNumber(code, "a USSD code is digits, * and # only")


def ussd_reply(text: str) -> str:
    """Gives a reply in a USSD menu safe for AT+CUSD: letters, digits, space, * # + only
    (no quote can end the string, no line can end the command)."""
    _check_text(text)
    if re.fullmatch(r"[0-9A-Za-z*#+ ]{1,160}", text):
        return text
    raise InvalidNumber(text, "a USSD reply is letters, digits, spaces, *, # and + only")


@functools.lru_cache(maxsize=1024)     # the same callers and senders come again and again
def to_e164(number: str, country: str) -> str:
    """Gives the E.164 form of a number written nationally or internationally.

    Spaces, dashes, dots and brackets a person types are allowed; letters and
    anything else are not. Raises InvalidNumber with the reason (not kept: a
    number refused is read again each time).
    """
    _check_text(number)
    cleaned = re.sub(r"[\s\-.()/]", "", number)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not _DIGITS.fullmatch(cleaned):
        raise InvalidNumber(number, "a phone number has only digits and an optional leading +")
    try:
        parsed = phonenumbers.parse(cleaned, None if cleaned.startswith("+") else country)
    except phonenumbers.NumberParseException as error:
        raise InvalidNumber(number, str(error)) from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumber(number, "not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_to_e164(raw: str, type_of_address: int | None, country: str) -> str | None:
    """Gives the E.164 caller number from a +CLIP/+CLCC number and its type.

    Type 145 means the digits are international; any other type means the
    number is as the network presented it (national, usually with a trunk
    prefix), so it is read in the configured country. The library we build on
    puts `+` before every number, which turns a national 0151... into nonsense;
    this is why the raw digits and the type are used instead. None when the
    number is withheld or unreadable.
    """
    digits = (raw or "").strip()
    if not digits:
        return None
    if type_of_address == TOA_INTERNATIONAL and not digits.startswith("+"):
        digits = "+" + digits
    try:
        return to_e164(digits, country)
    except InvalidNumber:
        return None


def is_alphanumeric_sender(sender: str | None) -> bool:
    """True for senders that are names or short codes, not phone numbers."""
    if not sender:
        return True
    plain = sender.lstrip("+")
    return not plain.isdigit() or len(plain) < 7
