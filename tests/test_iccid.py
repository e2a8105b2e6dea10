"""ICCIDs as every vendor answers them, normalized to ITU-T E.118 (starts 89)."""
from __future__ import annotations

import logging

import pytest

from modems.profiles import by_name
from modems.profiles.base import READ_EF_ICCID
from modems.signal import luhn_ok, parse_iccid, swap_nibbles

from tests.conftest import PROFILES

ICCID = "89490200001234567890"           # 20 digits (the issue's card; Luhn fails)
ICCID_19 = "8944110068123456789"         # 19 digits: F-padded on the card


@pytest.mark.parametrize("answer, expected", [
    (["+CCID: 89490200001234567890", "OK"], ICCID),                     # 27.007-ish, SIMCom
    (['+CCID: "89490200001234567890"', "OK"], ICCID),                   # quoted (u-blox)
    (["+ICCID: 89490200001234567890", "OK"], ICCID),                    # SIMCom SIM7600
    (["^ICCID: 98942000002143658709", "OK"], ICCID),                    # Huawei E173, swapped
    (["^ICCID: 89490200001234567890", "OK"], ICCID),                    # Huawei, fixed firmware
    (["+QCCID: 8944110068123456789F", "OK"], ICCID_19),                 # Quectel, F-padded
    (["+CICCID: 89490200001234567890", "OK"], ICCID),                   # SIMCom A76xx
    (["89490200001234567890", "OK"], ICCID),                            # SIM800 bare line
    (['+CRSM: 144,0,"98942000002143658709"', "OK"], ICCID),             # EF_ICCID bytes
    ([f'+CRSM: 144,0,"{swap_nibbles(ICCID_19 + "F")}"', "OK"], ICCID_19),   # ..87F9
    ([f"^ICCID: {swap_nibbles(ICCID_19 + 'F')}", "OK"], ICCID_19),
])
def test_each_vendor_answer_gives_the_iccid(answer, expected):
    assert parse_iccid(answer) == expected


@pytest.mark.parametrize("answer", [
    ["+CRSM: 148,4", "OK"],                          # file not found: no ICCID
    ['+CRSM: 106,130,""', "OK"],
    ["+CCID: 12345", "OK"],                          # too short
    ["+CSQ: 18,99", "OK"], ["OK"], [],
    ["+CIMI: 262011234567890123"],                   # 18 digits but not 89...: not an ICCID
])
def test_answers_without_an_iccid_give_none(answer):
    assert parse_iccid(answer) is None


def test_swapped_example_of_the_issue():
    assert swap_nibbles("98942000002143658709") == ICCID


def test_luhn_check_digit():
    assert luhn_ok("89014103211118510720")      # a published sample ICCID
    assert not luhn_ok(ICCID)


@pytest.mark.parametrize("profile", ["generic", "huawei", "simcom", "quectel"])
def test_every_profile_ends_with_the_ef_iccid_read(profile):
    assert by_name(profile).iccid_commands[-1] == READ_EF_ICCID == "AT+CRSM=176,12258,0,0,10"


@pytest.mark.parametrize("profile", PROFILES)
def test_driver_reads_the_real_iccid_of_every_virtual_vendor(network, open_driver, profile):
    modem = network.add_modem(name="m1", number="+4915110000001", profile=profile,
                              iccid=ICCID)
    driver, _events = open_driver(modem)
    assert driver.health().iccid == ICCID


def test_huawei_answers_swapped_and_the_box_swaps_back(network, open_driver, caplog):
    modem = network.add_modem(name="e173", number="+4915110000001", profile="huawei",
                              iccid=ICCID)
    driver, _events = open_driver(modem)
    assert driver.command("AT^ICCID?")[0] == "^ICCID: 98942000002143658709"
    with caplog.at_level(logging.INFO, logger="modems.signal"):
        assert driver.health().iccid == ICCID
        driver.health()
    warnings = [record.getMessage() for record in caplog.records
                if record.levelno == logging.WARNING]
    assert warnings == [f"e173: SIM {ICCID}: its last digit is not the Luhn check digit; the "
                        "ICCID is kept as read (some cards carry none)"]     # logged once


def test_crsm_read_of_the_virtual_sim(network, open_driver):
    modem = network.add_modem(name="m1", number="+4915110000001", profile="generic",
                              iccid=ICCID_19)
    driver, _events = open_driver(modem)
    assert parse_iccid(driver.command(READ_EF_ICCID)) == ICCID_19
    assert driver.command("AT+CRSM=176,28423,0,0,9")[0] == "+CRSM: 148,4"
