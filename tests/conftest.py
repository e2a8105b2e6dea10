"""Shared fixtures: a virtual GSM network per test, and drivers on its modems."""
from __future__ import annotations

import queue
import time

import pytest

from modems.driver import ModemDriver
from modems.events import ModemEvent

PROFILES = ["generic", "huawei", "simcom", "quectel"]


class EventLog:
    """Collects a modem's events and waits for the one a test expects."""

    def __init__(self):
        self.events: list[ModemEvent] = []
        self._queue: queue.Queue = queue.Queue()

    def __call__(self, event: ModemEvent) -> None:
        self._queue.put(event)

    def wait_for(self, kind, timeout: float = 5.0, **fields):
        """Gives the next event of `kind` whose fields match, failing after `timeout`."""
        deadline = time.monotonic() + timeout
        for event in self.events:
            if isinstance(event, kind) and _matches(event, fields) and not getattr(event, "_seen", False):
                object.__setattr__(event, "_seen", True)
                return event
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind.__name__} {fields} within {timeout} s; got {self.events}")
            try:
                event = self._queue.get(timeout=left)
            except queue.Empty:
                continue
            self.events.append(event)
            if isinstance(event, kind) and _matches(event, fields):
                object.__setattr__(event, "_seen", True)
                return event

    def drain(self) -> list[ModemEvent]:
        while True:
            try:
                self.events.append(self._queue.get_nowait())
            except queue.Empty:
                return self.events


def _matches(event, fields) -> bool:
    return all(getattr(event, key) == value for key, value in fields.items())


@pytest.fixture
def network(tmp_path):
    from modems.sim import Delays, Network
    net = Network(tmp_path / "gsm", delays=Delays.zero(), country="DE")
    net.start()
    yield net
    net.stop()


@pytest.fixture
def open_driver():
    """Opens a driver on a virtual modem; closes every one at the end."""
    drivers = []

    def opener(modem, *, profile="auto", sim_pin=None, at_timeout=2.0, on_lost=None):
        events = EventLog()
        driver = ModemDriver(modem.name, modem.port, profile=profile, sim_pin=sim_pin,
                             country="DE", on_event=events, at_timeout=at_timeout,
                             on_lost=on_lost)
        drivers.append(driver)
        driver.open()
        return driver, events

    yield opener
    for driver in drivers:
        driver.close()


@pytest.fixture
def app(tmp_path):
    """The web UI's WSGI app on a fresh SQLite database (tests/webclient.make_test_app)."""
    from gateway.store.db import close_database

    from tests.webclient import make_test_app
    web_app = make_test_app(tmp_path)
    yield web_app
    close_database()


def _pg_cluster_or_skip():
    from tests import pg
    try:
        return pg.start_cluster()
    except pg.PostgresUnavailable as reason:
        pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL server for this test process (tests/pg.py)."""
    cluster = _pg_cluster_or_skip()
    yield cluster
    cluster.stop()


@pytest.fixture
def own_pg_cluster():
    """A PostgreSQL server of one test's own, which it may stop and start."""
    cluster = _pg_cluster_or_skip()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Gives a fresh migrated database on each engine: an SQLite path or a postgresql:// URL."""
    if request.param == "sqlite":
        return str(tmp_path / "callbox.db")
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.new_database()
    request.addfinalizer(lambda: cluster.drop_database(url))
    return url


# End-to-end voice tests run a whole box with real-time audio; two at once on a
# 2-core machine starve each other's audio threads. They share one worker.
VOICE_MODULES = {"test_callback", "test_connect_two", "test_sms_e2e", "test_crash_recovery",
                 "test_web_browser", "test_audio_bridge", "test_appliance", "test_outage",
                 "test_two_boxes", "test_demo", "test_web_phones", "test_real_lines_callback",
                 "test_call_rules", "test_sms_crash_calls", "test_typeahead",
                 "test_sim_limits_box", "test_voicetest", "test_languages_call",
                 "test_languages_callback"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in VOICE_MODULES:
            item.add_marker(pytest.mark.xdist_group("voice"))


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory):
    """Gives pip's environment for installing offline from wheels of this venv
    (tools/wheelhouse.py, as an owner does for a box without network): no index is asked."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, str(Path(__file__).parent.parent / "tools" / "wheelhouse.py"),
                    str(wheels)], check=True, timeout=120, capture_output=True)
    return {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
