"""Nothing a user types can put an AT command on a modem's port."""
from __future__ import annotations

import pytest

from modems.numbers import InvalidNumber, caller_to_e164, dial_string, sms_recipient, to_e164

ATTACKS = ["123;456", "123\r456", "123\x1a", "+1 (555) 0100", "+49151ABC", "123\nATH",
           "+4915112345678;ATD+900", "", "*#06#\r", "123 456"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_dial_string_rejects(attack):
    with pytest.raises(InvalidNumber):
        dial_string(attack)


@pytest.mark.parametrize("attack", ATTACKS)
def test_sms_recipient_rejects(attack):
    with pytest.raises(InvalidNumber):
        sms_recipient(attack)


def test_valid_numbers_pass():
    assert dial_string("+4917012345678") == "+4917012345678"
    assert dial_string("*100#") == "*100#"
    assert to_e164("0170 1234-5678", "DE") == "+4917012345678"
    assert to_e164("0049 170 12345678", "DE") == "+4917012345678"


def test_caller_numbers_by_type_of_address():
    assert caller_to_e164("4917012345678", 145, "DE") == "+4917012345678"
    assert caller_to_e164("+4917012345678", 145, "DE") == "+4917012345678"
    assert caller_to_e164("017012345678", 129, "DE") == "+4917012345678"
    assert caller_to_e164("", 128, "DE") is None


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_never_reach_the_modem(attack, network, open_driver):
    modem = network.add_modem(name="m1", number="+4915110000001", profile="generic")
    driver, _ = open_driver(modem)
    before = len(modem.received)
    for action in (driver.dial, lambda n: driver.send_sms(n, "hi"), driver.send_ussd):
        with pytest.raises(InvalidNumber):
            action(attack)
    written = modem.received[before:]
    assert written == b"", written
    if attack:
        assert attack.encode() not in modem.received
