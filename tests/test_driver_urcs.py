"""Unsolicited lines that arrive inside a command's response, read by our ModemDriver
(not the simulator's own client): the command gets only its own lines, and the
unsolicited line still becomes its event."""
from __future__ import annotations

import os
import sys
import threading

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


def test_closing_from_two_threads_at_once(network, open_driver):
    """An admin's reset (a web thread) and the modem's supervisor close the same port
    together while the box opens other files (the supervisor reopening the modem): no
    closer may fail half way, nor close a file that took the port's old descriptor."""
    modem = network.add_modem()
    failures = []
    stop = threading.Event()
    reopener = threading.Thread(target=open_files, args=(stop, failures))
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)          # threads take turns often: the race shows
    reopener.start()
    try:
        for _ in range(30):
            close_together(open_driver(modem)[0], failures)
    finally:
        stop.set()
        sys.setswitchinterval(switching)
        reopener.join()
    assert failures == []


def open_files(stop, failures):
    """Opens and reads files over and over, as the rest of the box does."""
    while not stop.is_set():
        fd = os.open(os.devnull, os.O_RDONLY)
        try:
            os.fstat(fd)
        except OSError as error:       # our descriptor was closed by someone else
            failures.append(f"a file of the box closed under it: {error}")
        try:
            os.close(fd)
        except OSError as error:
            failures.append(f"a file of the box closed under it: {error}")


def close_together(driver, failures, closers=4):
    start = threading.Barrier(closers)

    def close():
        start.wait()
        try:
            driver.close()
        except Exception as error:      # noqa: BLE001 - what the test looks for
            failures.append(repr(error))

    threads = [threading.Thread(target=close) for _ in range(closers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
