"""Which numbers the box dials for a person, and which it refuses with a reason.

An emergency number (112, 911, 999, 110 ...) was turned into +49112 and dialled as a
normal call: the box now refuses it with its own words (call it from your own phone: the
services would see the box's SIM and place). Short and service numbers mean nothing
after a country code; a number without its area code cannot be dialled from a mobile.
The flows that use these are tested end to end in test_callback.py, test_sms_commands.py
and test_web_routes.py."""
from __future__ import annotations

import pytest

from modems.numbers import (EmergencyNumber, InvalidNumber, destination_e164, sms_destination,
                            to_e164)


@pytest.mark.parametrize("typed, country", [
    ("112", "DE"), ("110", "DE"), ("+49112", "DE"), ("0049 112", "DE"), ("+49 110", "FR"),
    ("911", "US"), ("999", "GB"), ("112", "GB"), ("15", "FR"), ("17", "FR"), ("+33 15", "DE"),
])
def test_emergency_numbers_are_refused_with_their_own_reason(typed, country):
    with pytest.raises(EmergencyNumber) as refused:
        destination_e164(typed, country)
    assert refused.value.reason.startswith("an emergency number: call it from your own phone")


@pytest.mark.parametrize("typed, country, reason", [
    ("116117", "DE", "a short or service number"),
    ("11833", "DE", "a short or service number"),
    ("+49116117", "DE", "a short or service number"),
    ("12", "DE", "too short: write it with its area code"),
    ("5550123", "US", "too short: write it with its area code"),
    ("12ab", "DE", "a phone number has only digits"),
])
def test_short_service_and_incomplete_numbers_are_refused(typed, country, reason):
    with pytest.raises(InvalidNumber) as refused:
        destination_e164(typed, country)
    assert not isinstance(refused.value, EmergencyNumber)
    assert refused.value.reason.startswith(reason)


@pytest.mark.parametrize("typed, country, e164", [
    ("0170 12345678", "DE", "+4917012345678"), ("030 1234567", "DE", "+49301234567"),
    ("+4930111", "DE", "+4930111"), ("+447700900123", "DE", "+447700900123"),
    ("(201) 555-0123", "US", "+12015550123"), ("0033 1 23 45 67 89", "DE", "+33123456789"),
    ("+1 911 555 0123", "DE", "+19115550123"),    # 911 inside a number is not 911
])
def test_full_numbers_pass(typed, country, e164):
    assert destination_e164(typed, country) == e164
    assert to_e164(typed, country) == e164


def test_an_sms_may_go_to_an_operators_short_code():
    """The keep-alive SMS and `callbox sms send` go to what the owner wrote: an operator's
    service number of 3 to 6 digits as it is (it was +4922922, a number nobody has)."""
    assert sms_destination("22922", "DE") == "22922"
    assert sms_destination(" 8888 ", "DE") == "8888"
    assert sms_destination("0170 12345678", "DE") == "+4917012345678"
    for wrong in ("12", "1234567x", "22922;", ""):
        with pytest.raises(InvalidNumber):
            sms_destination(wrong, "DE")
