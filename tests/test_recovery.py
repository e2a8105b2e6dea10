"""Self-healing modems: each failure made on the virtual network, each step taken for real.

A modem stuck unregistered, a frozen one, a wedged one that only a USB power cycle
(tests/fake_uhubctl, configured as an owner configures uhubctl) brings back, one
nothing brings back, one in a call; and an SMS that waited on the network meanwhile.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gateway.config import load
from modems.config import ModemConfig
from modems.driver_health import HEALTH_LINE
from modems.events import CallStateChanged, CallState, IncomingCall, ModemDown, ModemRecovery, ModemUp
from modems.pool import ModemPool
from modems.recovery import RecoverySettings

from tests.conftest import EventLog
from tests.test_pool import wait_until

BOX = "+4915110000001"
USER = "+4917012345678"
FAKE_UHUBCTL = Path(__file__).resolve().parent / "fake_uhubctl"
QUICK = RecoverySettings(registration_grace=0.3, recovery_tries=2, recovery_wait=1.0)


def status_of(pool: ModemPool, name: str = "m1"):
    return next(status for status in pool.status() if status.name == name)


@pytest.fixture
def make_pool():
    pools = []

    def maker(modems, recovery=QUICK, health_interval=0.2, **modem_settings):
        events = EventLog()
        configs = [ModemConfig(name=modem.name, port=modem.port, audio=modem.audio,
                               roles=frozenset({"trigger", "callback", "destination"}),
                               **modem_settings) for modem in modems]
        pool = ModemPool(configs, country="DE", on_event=events, health_interval=health_interval,
                         at_timeout=0.5, recovery=recovery)
        pools.append(pool)
        pool.start()
        return pool, events

    yield maker
    for pool in pools:
        pool.stop()


def test_unregistered_too_long_is_reset_and_comes_back(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="quectel")
    pool, events = make_pool([modem])
    events.wait_for(ModemUp)
    sent_before = len(modem.commands)
    modem.stuck_unregistered()
    down = events.wait_for(ModemDown, timeout=5)
    assert "not registered on the network" in down.reason
    reset = events.wait_for(ModemRecovery, step="reset", timeout=5)
    assert reset.ok and reset.attempt == 1 and "not registered" in reset.reason
    assert "AT+CFUN=1,1" in modem.commands[sent_before:]
    events.wait_for(ModemUp, timeout=5)
    wait_until(lambda: getattr(status_of(pool).health, "registration", "") == "home", 5)
    status = status_of(pool)
    assert status.state == "up" and status.recoveries == {"reset": 1}
    assert status.last_recovery.startswith("reset: not registered") and status.last_recovery_at


def test_frozen_modem_is_reset_and_reopened(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    pool, events = make_pool([modem])
    events.wait_for(ModemUp)
    modem.hang()
    down = events.wait_for(ModemDown, timeout=5)
    assert "no answer" in down.reason
    reset = events.wait_for(ModemRecovery, step="reset", timeout=5)
    assert reset.ok and "no answer" in reset.reason
    events.wait_for(ModemUp, timeout=5)
    assert status_of(pool).state == "up"


def test_wedged_modem_is_power_cycled_by_the_owners_command(network, tmp_path, monkeypatch):
    modem = network.add_modem(name="m1", number=BOX, profile="huawei", usb="1-1.3")
    monkeypatch.setenv("VIRTUAL_USB_HUB", str(network.usb.path))
    path = tmp_path / "callbox.toml"
    path.write_text(f"""\
[gateway]
state_dir = "{tmp_path}"
health_interval = 1
at_timeout = 0.5
registration_grace = 1
recovery_tries = 1
recovery_wait = 0.5
power_cycle_command = "{FAKE_UHUBCTL} -l {{hub}} -p {{port}} -a cycle"

[[modem]]
name = "m1"
port = "{modem.port}"
audio = "{modem.audio}"
roles = ["trigger"]
usb_power_cycle = true
usb_port = "1-1.3"
""")
    config = load(path)
    events = EventLog()
    pool = ModemPool(config.modems, country="DE", on_event=events,
                     health_interval=config.gateway.health_interval,
                     at_timeout=config.gateway.at_timeout, recovery=config.gateway.recovery())
    pool.start()
    try:
        events.wait_for(ModemUp)
        modem.hang(through_reset=True)
        reset = events.wait_for(ModemRecovery, step="reset", timeout=10)
        assert not reset.ok
        cycle = events.wait_for(ModemRecovery, step="power-cycle", timeout=10)
        assert cycle.ok and cycle.attempt == 2
        assert network.usb.requests == [("cycle", "1-1", "3")]
        events.wait_for(ModemUp, timeout=5)
        assert status_of(pool).recoveries == {"reset": 1, "power-cycle": 1}
    finally:
        pool.stop()


def test_gives_up_when_power_cycling_is_not_enabled(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    pool, events = make_pool([modem], recovery=RecoverySettings(
        registration_grace=0.3, recovery_tries=1, recovery_wait=0.3))
    events.wait_for(ModemUp)
    modem.hang(through_reset=True)
    events.wait_for(ModemRecovery, step="reset", ok=False, timeout=10)
    gave_up = events.wait_for(ModemRecovery, step="gave up", timeout=10)
    assert not gave_up.ok and "1 reset(s) did not help" in gave_up.reason
    assert network.usb.requests == []
    status = status_of(pool)
    assert status.state == "down" and status.reason.startswith("gave up")
    assert status.last_recovery.startswith("gave up")
    # Given up: no more resets, but a modem replugged by its owner is taken back.
    modem.replug()
    reopen = events.wait_for(ModemRecovery, step="reopen", timeout=5)
    assert reopen.ok
    events.wait_for(ModemUp, timeout=5)


def test_gives_up_when_the_power_cycle_does_not_help(network, make_pool, monkeypatch):
    modem = network.add_modem(name="m1", number=BOX, profile="generic", usb="2-1.4")
    monkeypatch.setenv("VIRTUAL_USB_HUB", str(network.usb.path))
    pool, events = make_pool([modem], recovery=RecoverySettings(
        registration_grace=0.3, recovery_tries=0, recovery_wait=0.3,
        power_cycle_command=f"{FAKE_UHUBCTL} -l {{hub}} -p {{port}} -a cycle"),
        usb_power_cycle=True, usb_port="2-1.4")
    events.wait_for(ModemUp)
    modem.no_network()          # the operator is gone: no step can register it
    cycle = events.wait_for(ModemRecovery, step="power-cycle", timeout=10)
    assert cycle.ok             # it answers again, but stays unregistered
    gave_up = events.wait_for(ModemRecovery, step="gave up", timeout=10)
    assert "0 reset(s) and a USB power cycle did not help" in gave_up.reason
    assert network.usb.requests == [("cycle", "2-1", "4")]
    assert status_of(pool).state == "up"     # it answers: lent again when it registers


def test_a_modem_in_a_call_is_reset_only_after_the_call(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="quectel")
    phone = network.add_phone(number=USER)
    pool, events = make_pool([modem])
    events.wait_for(ModemUp)
    driver = pool.acquire("trigger")        # lent to a session, which takes a call
    phone.call(BOX)
    ring = events.wait_for(IncomingCall)
    driver.answer(ring.call_id)
    events.wait_for(CallStateChanged, state=CallState.ACTIVE)
    sent_before = len(modem.commands)
    modem.stuck_unregistered()
    # Several grace periods and health checks pass while the call goes on.
    wait_until(lambda: modem.commands[sent_before:].count(HEALTH_LINE) >= 5, 5)
    assert "AT+CFUN=1,1" not in modem.commands[sent_before:]
    assert not any(isinstance(event, ModemRecovery) for event in events.drain())
    phone.hangup()
    events.wait_for(CallStateChanged, state=CallState.ENDED)
    pool.release("m1")
    reset = events.wait_for(ModemRecovery, step="reset", timeout=5)
    assert reset.ok
    events.wait_for(ModemUp, timeout=5)


def test_an_sms_waiting_on_the_network_arrives_after_the_reset(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    phone = network.add_phone(number=USER)
    pool, events = make_pool([modem])
    events.wait_for(ModemUp)
    modem.stuck_unregistered()
    phone.send_sms(BOX, "CB")
    network.settle()
    assert modem.stored_sms == []            # unregistered: the SMSC keeps it
    events.wait_for(ModemRecovery, step="reset", ok=True, timeout=5)
    events.wait_for(ModemUp, timeout=5)
    wait_until(lambda: len(modem.stored_sms) == 1, 5)
    driver = pool.driver("m1")
    assert [sms.text for sms in driver.list_sms()] == ["CB"]


def test_a_modem_that_cannot_be_opened_is_reset(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.hang()                # silent from the start, but a reset reboots it
    pool, events = make_pool([modem])
    reset = events.wait_for(ModemRecovery, step="reset", timeout=10)
    assert reset.ok and reset.reason.startswith("cannot be opened (")
    assert "cannot be opened (cannot" not in reset.reason
    events.wait_for(ModemUp, timeout=5)



def test_the_fake_uhubctl_fails_as_uhubctl_for_a_port_without_a_device(network, monkeypatch):
    modem = network.add_modem(name="m1", number=BOX, profile="generic", usb="1-1.2")
    monkeypatch.setenv("VIRTUAL_USB_HUB", str(network.usb.path))
    missing = subprocess.run([str(FAKE_UHUBCTL), "-l", "1-1", "-p", "5", "-a", "cycle"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1 and "no device at hub 1-1 port 5" in missing.stdout
    off = subprocess.run([str(FAKE_UHUBCTL), "--location", "1-1", "--ports", "2", "--action",
                          "0"], capture_output=True, text=True, timeout=30)
    assert off.returncode == 0 and not os.path.exists(modem.port)
    on = subprocess.run([str(FAKE_UHUBCTL), "-l", "1-1", "-p", "2", "-a", "on"],
                        capture_output=True, text=True, timeout=30)
    assert on.returncode == 0 and os.path.exists(modem.port)
    assert network.usb.requests == [("cycle", "1-1", "5"), ("off", "1-1", "2"), ("on", "1-1", "2")]


def test_a_modem_that_dropped_off_the_bus_is_power_cycled(network, make_pool, monkeypatch):
    modem = network.add_modem(name="m1", number=BOX, profile="quectel", usb="1-1.4")
    monkeypatch.setenv("VIRTUAL_USB_HUB", str(network.usb.path))
    pool, events = make_pool([modem], recovery=RecoverySettings(
        registration_grace=0.3, recovery_tries=1, recovery_wait=0.5,
        power_cycle_command=f"{FAKE_UHUBCTL} -l {{hub}} -p {{port}} -a cycle"),
        # the port's reader sees it vanish at once; a health check 0.2 s after the unplug
        # could fail twice first on a loaded machine and make it a modem that stopped
        # answering (reset, then power-cycle): another test's path
        health_interval=5.0, usb_power_cycle=True, usb_port="1-1.4")
    events.wait_for(ModemUp)
    modem.unplug()              # gone from the bus; only switching its port brings it back
    events.wait_for(ModemDown, timeout=5)
    cycle = events.wait_for(ModemRecovery, step="power-cycle", timeout=10)
    assert cycle.ok and "has been gone for" in cycle.reason
    assert network.usb.requests == [("cycle", "1-1", "4")]
    events.wait_for(ModemUp, timeout=5)
    assert status_of(pool).state == "up"
