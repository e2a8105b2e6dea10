"""The daemon in-process: heartbeat, modem status rows, event log in plain words."""
from __future__ import annotations

import importlib
import threading
import time

import pytest

from callbox.daemon import Daemon
from gateway.config import parse
from gateway.store.db import (DaemonRecord, EventLogRecord, ModemStatusRecord, close_database,
                              open_database)
from gateway.store.status import StatusStore
from modems.driver import ModemHealth, ModemIdentity
from modems.events import (CallState, CallStateChanged, Direction, DtmfReceived, EndCause,
                           IncomingCall, ModemDown, ModemUp, SignalChanged, SmsReceived)
from modems.pool import ModemStatus

USER = "+4917012345678"


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.05):
    """Gives predicate()'s first true value; fails after timeout."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        pause.wait(interval)


@pytest.fixture
def database(tmp_path):
    open_database(str(tmp_path / "callbox.db"))
    yield
    close_database()


def messages(box: str = "b") -> list[str]:
    return [row.message for row in EventLogRecord.select().where(EventLogRecord.box == box)
            .order_by(EventLogRecord.id)]


def test_status_store_writes_events_in_plain_words(database):
    clock = iter(range(1000, 2000)).__next__
    store = StatusStore("b", now=lambda: float(clock()))
    modem = parse({"modem": [{"name": "m1", "port": "/dev/x", "audio": "default",
                              "roles": ["trigger", "callback"]}]}).modems
    store.record_start(4242, "0.1.0", modem)
    up = ModemStatus("m1", "up", identity=ModemIdentity("SIMCOM", "SIM7600E", "R1", "8612", "simcom"),
                     health=ModemHealth(20, -73, 4, "home", "Telekom.de", "ready", "8949", "26201"),
                     roles=frozenset({"trigger", "callback"}))
    events = [
        ModemUp("m1", manufacturer="SIMCOM", model="SIM7600E", profile="simcom"),
        SignalChanged("m1", rssi=20, dbm=-73, bars=4, registration="home", operator="Telekom.de"),
        SignalChanged("m1", rssi=21, dbm=-71, bars=4, registration="home", operator="Telekom.de"),
        IncomingCall("m1", call_id=1, number=USER, ring=2),
        DtmfReceived("m1", digit="7"),
        SmsReceived("m1", sender=USER, text="PIN 9876 BALANCE"),
        CallStateChanged("m1", call_id=1, state=CallState.ENDED, direction=Direction.INCOMING,
                         number=USER, cause=EndCause.REJECTED),
        ModemDown("m1", reason="port vanished"),
    ]
    for event in events:
        store.record_event(event, {up.name: up}.get)
        if isinstance(event, SignalChanged):
            # The event is newer than the pool's status it came with.
            assert ModemStatusRecord.get(ModemStatusRecord.name == "m1").dbm == event.dbm
    assert messages() == [
        "daemon started (pid 4242, version 0.1.0)",
        "m1: up: SIMCOM SIM7600E (simcom profile)",
        "m1: signal -73 dBm (4 bars), home, Telekom.de",
        f"m1: incoming call from {USER}, ring 2",
        "m1: key pressed (modem; the key is not logged)",
        f"m1: SMS from {USER} (16 characters)",
        f"m1: call 1 from {USER}: ended (rejected)",
        "m1: down: port vanished",
    ]
    assert "9876" not in " ".join(messages())
    row = ModemStatusRecord.get(ModemStatusRecord.name == "m1")
    assert (row.state, row.reason, row.model, row.dbm, row.operator, row.sim_state, row.roles) == (
        "down", "port vanished", "SIM7600E", -73, "Telekom.de", "ready", "trigger,callback")
    call = EventLogRecord.get(EventLogRecord.kind == "incoming_call")
    assert call.call_id == 1 and call.modem == "m1"


def test_status_store_writes_a_modem_row_only_when_an_event_changes_it(database):
    """Each event is logged; the row is written again only when it would change, and a
    refresh, or a modem removed and added back, writes it whatever came before."""
    clock = iter(range(1000, 2000)).__next__
    store = StatusStore("b", now=lambda: float(clock()))
    config = parse({"modem": [{"name": "m1", "port": "/dev/x", "audio": "default",
                               "roles": ["trigger"]}]})
    store.record_start(4242, "0.1.0", config.modems)
    up = ModemStatus("m1", "up", health=ModemHealth(20, -73, 4, "home", "Telekom.de", "ready",
                                                    "8949", "26201"), roles=frozenset({"trigger"}))

    def written() -> float:
        return ModemStatusRecord.get(ModemStatusRecord.name == "m1").updated_at

    ring = IncomingCall("m1", call_id=1, number=USER, ring=1)
    store.record_event(ring, {up.name: up}.get)
    first = written()
    store.record_event(IncomingCall("m1", call_id=1, number=USER, ring=2), {up.name: up}.get)
    store.record_event(CallStateChanged("m1", call_id=1, state=CallState.ENDED,
                                        direction=Direction.INCOMING, number=USER,
                                        cause=EndCause.REJECTED), {up.name: up}.get)
    assert written() == first                     # nothing in the row changed
    assert len(messages()) == 4                   # started, two rings, the end: all logged
    in_call = ModemStatus("m1", "up", health=up.health, roles=up.roles, in_call=True)
    store.record_event(ring, {in_call.name: in_call}.get)
    assert written() > first and ModemStatusRecord.get().in_call
    store.record_event(ring, {up.name: up}.get)
    assert not ModemStatusRecord.get().in_call
    refreshed = written()
    store.refresh_modems([up])
    assert written() > refreshed                  # the refresh writes it anyway
    store.keep_modems([])                         # removed by a reload ...
    store.record_event(ring, {up.name: up}.get)   # ... and back: its row is written again
    assert ModemStatusRecord.get(ModemStatusRecord.name == "m1").state == "up"


def test_daemon_without_modems_beats_and_stops_twice(tmp_path):
    config = parse({"gateway": {"state_dir": str(tmp_path), "box": "solo"},
                    "web": {"listen": "127.0.0.1:0"}}, "test.toml")
    daemon = Daemon(config)
    daemon.start()
    try:
        row = wait_until(lambda: DaemonRecord.get_or_none(DaemonRecord.status == "0/0 modems up"))
        assert row.box == "solo" and row.heartbeat_at >= row.started_at
        assert not daemon.wait(timeout=0)
        daemon.request_stop()
        assert daemon.wait(timeout=0)
    finally:
        daemon.stop()
        daemon.stop()
    open_database(config.gateway.database)
    try:
        assert DaemonRecord.get(DaemonRecord.box == "solo").status == "stopped"
        assert messages("solo") == ["daemon started (pid %d, version %s)" % (
            row.pid, row.version), "daemon stopped"]
    finally:
        close_database()


@pytest.fixture
def sim_network(request):
    sim = importlib.import_module("modems.sim")
    if not hasattr(sim, "Network"):
        pytest.skip("the virtual GSM network (modems.sim.Network) is not there yet")
    return request.getfixturevalue("network")


def test_daemon_keeps_modem_rows_current(tmp_path, sim_network):
    m1 = sim_network.add_modem(name="m1", number="+4915110000001", profile="simcom")
    m2 = sim_network.add_modem(name="m2", number="+4915110000002", profile="huawei")
    config = parse({"gateway": {"state_dir": str(tmp_path), "health_interval": 1},
                    "web": {"listen": "127.0.0.1:0"},
                    "modem": [{"name": m.name, "port": m.port, "audio": m.audio,
                               "roles": ["trigger", "callback", "destination"]}
                              for m in (m1, m2)]}, "test.toml")
    rang = threading.Event()
    daemon = Daemon(config, observe=lambda event: isinstance(event, IncomingCall) and rang.set())
    daemon.start()
    try:
        def both_up():
            rows = list(ModemStatusRecord.select().where(ModemStatusRecord.state == "up"))
            return len(rows) == 2 and all(row.sim_state == "ready" for row in rows) and rows
        rows = wait_until(both_up, timeout=30)
        assert {row.name for row in rows} == {"m1", "m2"}
        assert all(row.imei and row.registration in ("home", "roaming") for row in rows)
        wait_until(lambda: DaemonRecord.get_or_none(DaemonRecord.status == "2/2 modems up"))
        sim_network.add_phone(USER).call(m1.number)
        assert rang.wait(15)
        # The observer sees an event only after it is recorded.
        assert f"m1: incoming call from {USER}, ring 1" in messages(config.gateway.box)
        m1.unplug()
        wait_until(lambda: ModemStatusRecord.get(ModemStatusRecord.name == "m1").state != "up")
        assert any(message.startswith("m1: down") for message in messages(config.gateway.box))
    finally:
        daemon.stop()
