"""Boxes sharing one database: heartbeat rows, online/offline, the admin page, the daemon's beat."""
from __future__ import annotations

import threading
import time
import types

import pytest

from callbox.daemon import Daemon
from gateway.config import parse
from gateway.store import boxes
from gateway.store.db import close_database, open_database

from tests.webclient import Client, make_test_app

NOW = 1_800_000_000.0


def modems(*states: str) -> list:
    return [types.SimpleNamespace(state=state) for state in states]


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield db_url
    close_database()


def test_beats_are_upserts_and_silence_over_60_s_is_offline(database):
    boxes.beat("site-b", "0.1.0", modems("up", "down"), 1, NOW - 61)
    boxes.beat("site-a", "0.1.0", modems("up"), 0, NOW - 100)
    boxes.beat("site-a", "0.2.0", modems("up", "up", "opening"), 3, NOW - 60)
    listed = boxes.list_boxes(NOW)
    assert [(box.name, box.online) for box in listed] == [("site-a", True), ("site-b", False)]
    site_a = listed[0]
    assert (site_a.version, site_a.modems_up, site_a.modems_total, site_a.active_calls) \
        == ("0.2.0", 2, 3, 3)
    assert site_a.heartbeat_at == NOW - 60 and site_a.silent_for == 60
    assert boxes.BoxRecord.select().count() == 2


def test_admin_page_shows_every_box_online_or_offline(tmp_path):
    app = make_test_app(tmp_path)
    try:
        now = app.clock.now
        boxes.beat("box", "0.1.0", modems("up", "up"), 1, now - 5)
        boxes.beat("site-<b>", "0.1.0", modems("down"), 0, now - 3600)
        client = Client(app)
        client.form_login({"name": "alice", "password": "alice-secret"})
        assert client.get("/admin/boxes").status == 403
        admin = Client(app)
        admin.form_login({"name": "root", "password": "admin-secret"})
        page = admin.get("/admin/boxes")
        assert page.status == 200
        assert '<tr data-name="box" data-state="online">' in page.text
        assert "box (this box)" in page.text and "2/2" in page.text and "5 s ago" in page.text
        assert 'data-name="site-&lt;b&gt;" data-state="offline"' in page.text
        assert "<b>" not in page.text and "60 min ago" in page.text
    finally:
        close_database()


def test_admin_page_without_boxes_says_so(tmp_path):
    app = make_test_app(tmp_path)
    try:
        admin = Client(app)
        admin.form_login({"name": "root", "password": "admin-secret"})
        assert 'id="no-boxes"' in admin.get("/admin/boxes").text
    finally:
        close_database()


def test_daemon_on_postgresql_beats_with_its_modems(tmp_path, network, pg_cluster):
    m1 = network.add_modem(name="m1", number="+4915110000001", profile="simcom")
    m2 = network.add_modem(name="m2", number="+4915110000002", profile="huawei")
    config = parse({"gateway": {"state_dir": str(tmp_path), "box": "site-a",
                                "database": pg_cluster.new_database()},
                    "web": {"listen": "127.0.0.1:0"},
                    "modem": [{"name": m.name, "port": m.port, "audio": m.audio,
                               "roles": ["trigger", "callback", "destination"]}
                              for m in (m1, m2)]}, "test.toml")
    down = threading.Event()
    daemon = Daemon(config, observe=lambda event: type(event).__name__ == "ModemDown"
                    and down.set())
    daemon.start()
    try:
        row = wait_for_box(lambda row: row.modems_up == 2)
        assert (row.name, row.modems_total, row.active_calls) == ("site-a", 2, 0)
        m1.unplug()
        assert down.wait(30)
        row = wait_for_box(lambda row: row.modems_up == 1)
        assert [box.online for box in boxes.list_boxes(time.time())] == [True]
    finally:
        daemon.stop()
        close_database()


def wait_for_box(matches, timeout: float = 30.0):
    """Gives the first box row that `matches`, polling the shared database."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        row = boxes.BoxRecord.get_or_none()
        if row is not None and matches(row):
            return row
        pause.wait(0.1)
    raise AssertionError(f"no matching box row within {timeout} s: {row and row.__data__}")
