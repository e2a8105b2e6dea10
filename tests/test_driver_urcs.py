"""Unsolicited lines that arrive inside a command's response, read by our ModemDriver
(not the simulator's own client): the command gets only its own lines, and the
unsolicited line still becomes its event."""
from __future__ import annotations

import pytest

from modems.events import IncomingCall, SmsStored
from modems.sim import Delays, Network, PhoneState

PROFILES = ["generic", "huawei", "simcom", "quectel"]


@pytest.mark.parametrize("profile", PROFILES)
def test_cmti_between_the_lines_of_a_response(network, open_driver, profile):
    modem = network.add_modem(profile=profile)
    driver, events = open_driver(modem)
    modem.urc_inside_next_reply = '+CMTI: "SM",7'
    assert driver.command("AT+CSQ") == ["+CSQ: 18,99", "OK"]
    stored = events.wait_for(SmsStored, timeout=5)
    assert (stored.memory, stored.index) == ("SM", 7)


@pytest.mark.parametrize("profile", PROFILES)
def test_cmti_between_a_command_and_its_response(network, open_driver, profile):
    modem = network.add_modem(profile=profile)
    driver, events = open_driver(modem)
    modem.urc_during_next_command = '+CMTI: "SM",4'
    health = driver.health()                    # the driver's own AT+CSQ and friends
    assert health.rssi == 18
    assert events.wait_for(SmsStored, timeout=5).index == 4


@pytest.mark.parametrize("profile", PROFILES)
def test_ring_between_the_lines_of_the_call_list(tmp_path, open_driver, profile):
    """A RING inside the AT+CLCC answer: the list is read whole and the ring counted
    (the network rings only every 5 s, so the second ring is the one inside)."""
    network = Network(tmp_path / "gsm", delays=Delays.zero(ring_interval=5.0), country="DE")
    network.start()
    try:
        modem = network.add_modem(profile=profile)
        phone = network.add_phone()
        driver, events = open_driver(modem)
        phone.call(modem.number)
        first = events.wait_for(IncomingCall, timeout=5)
        modem.urc_inside_next_reply = "RING"
        listed = driver.command("AT+CLCC")
        assert len(listed) == 2 and listed[0].startswith(f"+CLCC: {first.call_id},1,4,0,0,")
        assert listed[1] == "OK"
        second = events.wait_for(IncomingCall, timeout=2)
        assert (first.ring, second.ring) == (1, 2)
        assert first.number == phone.number and second.number == phone.number
        driver.hangup(first.call_id)
        assert phone.wait_state(PhoneState.IDLE, timeout=5)
    finally:
        network.stop()
