"""The modem pool under faults: unplug, hang, garbage, SIM PIN; and lending modems by role."""
from __future__ import annotations

import threading
import time

import pytest

from modems.events import IncomingCall, ModemDown, ModemUp
from modems.config import ModemConfig
from modems.pool import ModemPool

from tests.conftest import EventLog

BOX = "+4915110000001"
USER = "+4917012345678"


def wait_until(predicate, timeout: float, interval: float = 0.02) -> float:
    """Gives the seconds it took for predicate() to hold; fails after timeout."""
    start = time.monotonic()
    done = threading.Event()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        done.wait(interval)
    return time.monotonic() - start


def state_of(pool: ModemPool, name: str) -> str:
    return next(status.state for status in pool.status() if status.name == name)


@pytest.fixture
def make_pool():
    pools = []

    def maker(modems, *, health_interval=0.2, at_timeout=0.5, pins=None, roles=None):
        events = EventLog()
        configs = [ModemConfig(name=modem.name, port=modem.port, audio=modem.audio,
                               roles=frozenset((roles or {}).get(modem.name,
                                               {"trigger", "callback", "destination"})),
                               sim_pin=(pins or {}).get(modem.name))
                   for modem in modems]
        pool = ModemPool(configs, country="DE", on_event=events,
                         health_interval=health_interval, at_timeout=at_timeout)
        pools.append(pool)
        pool.start()
        return pool, events

    yield maker
    for pool in pools:
        pool.stop()


def test_unplug_and_return(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="huawei")
    # its port's reader sees the modem vanish at once; quick health checks could fail first
    # under load and take the path of a modem that stopped answering (test_recovery has it)
    pool, events = make_pool([modem], health_interval=5)
    events.wait_for(ModemUp, modem="m1")
    modem.unplug()
    unplugged = time.monotonic()
    events.wait_for(ModemDown, timeout=2)
    assert time.monotonic() - unplugged < 2
    assert state_of(pool, "m1") == "down"
    modem.replug()
    back = time.monotonic()
    events.wait_for(ModemUp, timeout=5)
    assert time.monotonic() - back < 5
    assert state_of(pool, "m1") == "up"


def test_hang_marks_down_after_timeouts(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    pool, events = make_pool([modem])
    events.wait_for(ModemUp)
    modem.hang(True)
    down = events.wait_for(ModemDown, timeout=5)
    assert "no answer" in down.reason
    modem.hang(False)
    events.wait_for(ModemUp, timeout=5)


def test_garbage_is_skipped_without_losing_the_next_event(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="quectel")
    pool, events = make_pool([modem], health_interval=5)
    events.wait_for(ModemUp)
    phone = network.add_phone(number=USER)
    modem.send_garbage(b"\x00\xff\xfe\x80garbage\x1b[0m\r\n\xc3\x28")
    phone.call(BOX)
    ring = events.wait_for(IncomingCall)
    assert ring.number == USER
    assert state_of(pool, "m1") == "up"


def test_wrong_sim_pin_is_tried_once(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="generic", sim_pin="1234")
    pool, events = make_pool([modem], pins={"m1": "9999"})
    down = events.wait_for(ModemDown)
    assert "PIN" in down.reason
    assert state_of(pool, "m1") == "sim error"
    pin_attempts = [line for line in modem.commands if line.upper().startswith('AT+CPIN="')]
    assert pin_attempts == ['AT+CPIN="9999"']
    # Proving an absence needs time to pass: five health intervals, no new attempt.
    threading.Event().wait(1.0)
    assert [line for line in modem.commands if line.upper().startswith('AT+CPIN="')] == ['AT+CPIN="9999"']


def test_right_sim_pin_unlocks(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="generic", sim_pin="1234")
    pool, events = make_pool([modem], pins={"m1": "1234"})
    events.wait_for(ModemUp)


def test_missing_pin_is_a_clear_status(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom", sim_pin="1234")
    pool, events = make_pool([modem])
    down = events.wait_for(ModemDown)
    assert "sim_pin" in down.reason
    assert not [line for line in modem.commands if line.upper().startswith('AT+CPIN="')]


def test_acquire_by_role(network, make_pool):
    trigger = network.add_modem(name="t1", number=BOX, profile="generic")
    dest = network.add_modem(name="d1", number="+4915110000002", profile="simcom")
    pool, events = make_pool([trigger, dest], roles={"t1": {"trigger", "callback"},
                                                     "d1": {"destination"}})
    events.wait_for(ModemUp, modem="t1")
    events.wait_for(ModemUp, modem="d1")
    first = pool.acquire("destination")
    assert first is not None and first.name == "d1"
    assert pool.acquire("destination") is None
    pool.release("d1")
    assert pool.acquire("destination").name == "d1"
    assert pool.acquire("callback").name == "t1"


def test_modem_missing_at_start_comes_up_when_plugged(network, make_pool):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.unplug()
    pool, events = make_pool([modem])
    wait_until(lambda: state_of(pool, "m1") == "down", 2)
    modem.replug()
    events.wait_for(ModemUp, timeout=5)
