"""Phone numbers at the boundary: what may reach a modem, and E.164 for the rest.

Anything written to a modem (`ATD`, `AT+CMGS`, `AT+CUSD`) is built only from a
string that passed one of the checks here, so no input can inject AT commands.
"""
from __future__ import annotations

import functools
import re

import phonenumbers
from phonenumbers import shortnumberinfo

# +CLIP / +CLCC type of address (3GPP TS 24.008 10.5.4.7): 145 = international.
TOA_INTERNATIONAL = 145
TOA_UNKNOWN = 129

_DIALABLE = re.compile(r"\+?[0-9]{1,20}")
_SERVICE_CODE = re.compile(r"[*#][0-9*#]{0,30}#|[0-9]{1,6}#?")
_DIGITS = re.compile(r"\+?[0-9]+")
_SHORT_CODE = re.compile(r"[1-9][0-9]{2,5}")     # no + and no trunk prefix: not a phone number


class InvalidNumber(ValueError):
    """A number that must not reach a modem, with the reason in plain words."""

    def __init__(self, number: object, reason: str):
        super().__init__(f"invalid number {number!r}: {reason}")
        self.number = number
        self.reason = reason


class EmergencyNumber(InvalidNumber):
    """An emergency number. The box never dials one for a caller: the services would see
    the box's SIM and place instead of the caller's, and the caller's own phone reaches
    them directly, even without credit."""


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


def _parse(number: str, country: str) -> phonenumbers.PhoneNumber:
    """Reads a number written nationally or internationally; raises InvalidNumber."""
    _check_text(number)
    cleaned = re.sub(r"[\s\-.()/]", "", number)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    if not _DIGITS.fullmatch(cleaned):
        raise InvalidNumber(number, "a phone number has only digits and an optional leading +")
    try:
        return phonenumbers.parse(cleaned, None if cleaned.startswith("+") else country)
    except phonenumbers.NumberParseException:      # too short, no such country code
        raise InvalidNumber(number, "not a possible phone number") from None


def _e164(number: str, parsed: phonenumbers.PhoneNumber) -> str:
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        # 12 or 5550123: a local number without its area code, which no mobile can dial
        raise InvalidNumber(number, "too short: write it with its area code")
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise InvalidNumber(number, "not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=1024)     # the same callers and senders come again and again
def to_e164(number: str, country: str) -> str:
    """Gives the E.164 form of a number written nationally or internationally.

    Spaces, dashes, dots and brackets a person types are allowed; letters and
    anything else are not. Raises InvalidNumber with the reason (not kept: a
    number refused is read again each time).
    """
    return _e164(number, _parse(number, country))


def destination_e164(number: str, country: str) -> str:
    """Gives the E.164 form of a number a person asks the box to call: a callback's
    destination, a leg of a connect-two, a line test.

    Refuses, besides what to_e164 refuses, what no call through the box may reach:
    an emergency number (EmergencyNumber: 112, 911, 999, written as such or as
    +49112), and a short or service number (116117, 11833): those are dialled as
    they are, within the caller's own network, and mean nothing after +49.
    """
    parsed = _parse(number, country)
    national = phonenumbers.national_significant_number(parsed)
    regions = [region for region in
               phonenumbers.region_codes_for_country_code(parsed.country_code)
               if region != phonenumbers.UNKNOWN_REGION and region != "001"]
    for region in regions:
        if shortnumberinfo.is_emergency_number(national, region):
            raise EmergencyNumber(number, "an emergency number: call it from your own "
                                  "phone; the box does not connect emergency calls")
    for region in regions:
        if shortnumberinfo.is_valid_short_number_for_region(
                phonenumbers.parse(national, region), region):
            raise InvalidNumber(number, "a short or service number (the box calls full "
                                "phone numbers only)")
    return _e164(number, parsed)


def sms_destination(number: str, country: str) -> str:
    """Gives the recipient of an SMS the owner writes (`callbox sms send`, a SIM's
    keep-alive): a short code of 3 to 6 digits (an operator's balance or service
    number) as written, anything else in E.164 (to_e164)."""
    _check_text(number)
    if _SHORT_CODE.fullmatch(number.strip()):
        return number.strip()
    return to_e164(number, country)


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
