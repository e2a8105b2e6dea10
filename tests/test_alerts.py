"""The `alerts` worker delivering to a real local SMTP server and a real local HTTP receiver:
what a message says, one per cause until it recovers, retries until a receiver is up (also
across a restart), and the alerts it raises itself (modems, disk, PIN guessing)."""
from __future__ import annotations

import dataclasses
import socket
import threading

import pytest

from gateway.care.alerts import Alerts, Usage
from gateway.care.send import AppriseSender
from gateway.config.alerts import AlertsConfig
from gateway.money import accounts
from gateway.money.journal import Journal, price_and_settle
from gateway.store.alerts import Alert
from gateway.store.db import close_database, open_database
from gateway.store.outage import DatabaseWatch, forget_connection
from gateway.worker import Worker
from modems.events import ModemDown, ModemRecovery, ModemUp

from tests.alert_rig import HttpReceiver, SmtpReceiver
from tests.sms_rig import wait_until

BOX = "box1"
ICCID = "89490200001234567890"
QUICK = AlertsConfig(poll_interval=0.05, retry_backoff=(0.1,), modem_down_after=0.2,
                     database_down_after=0.3, disk_check_interval=0.05, send_timeout=20)


@pytest.fixture
def database(tmp_path):
    open_database(str(tmp_path / "alerts.db"))
    yield
    close_database()


@pytest.fixture
def receivers():
    smtp, http = SmtpReceiver(), HttpReceiver()
    yield smtp, http
    smtp.stop()
    http.stop()


@pytest.fixture
def worker(tmp_path):
    """Starts an Alerts worker (alerts(config, **options)); stops every one at the end."""
    started = []

    def start(config: AlertsConfig, **options) -> Alerts:
        alerts = Alerts(config, BOX, str(tmp_path), **options)
        alerts.start()
        started.append(alerts)
        return alerts

    yield start
    for alerts in started:
        alerts.stop()


def rows(kind: str | None = None) -> list[Alert]:
    query = Alert.select().order_by(Alert.id)
    return list(query.where(Alert.kind == kind) if kind else query)


def test_an_alert_says_what_to_whom_and_what_to_do_once_per_cause_then_its_recovery(
        database, receivers, worker):
    smtp, http = receivers
    alerts = worker(dataclasses.replace(QUICK, urls=(smtp.url, http.url)))
    alerts.raise_("sim-low-balance", ICCID, "the credit is 1.20 EUR, below 5.00 EUR",
                  modem="m1")
    mail = smtp.wait_for(1)[0]
    post = http.wait_for(1)[0]
    assert mail["to"] == ["owner@callbox.example"]
    assert mail["subject"] == post["title"] == (f"callbox {BOX}: SIM credit low: SIM {ICCID} "
                                                "(in modem m1)")
    for body in (mail["body"], post["message"]):
        assert "What happened: the credit is 1.20 EUR, below 5.00 EUR" in body
        assert f"About: SIM {ICCID} (in modem m1)" in body
        assert "What you can do: Top up the SIM's credit" in body
        assert "\nAbout: SIM" in body and "\nWhat you can do: " in body     # one fact a line
    # the same cause again is counted, not sent; its recovery is sent once
    alerts.raise_("sim-low-balance", ICCID, "the credit is 1.10 EUR, below 5.00 EUR",
                  modem="m1")
    alerts.recover("sim-low-balance", ICCID, "the credit is 20.00 EUR")
    alerts.recover("sim-low-balance", ICCID, "the credit is 20.00 EUR")
    recovery = http.wait_for(2)[1]
    assert recovery["title"] == f"callbox {BOX}: SIM credit topped up: SIM {ICCID} (in modem m1)"
    assert "the credit is 20.00 EUR" in recovery["message"]
    assert "credit is 1.20 EUR" in recovery["message"]       # what it recovered from
    assert "SIM credit topped up" in smtp.wait_for(2)[1]["subject"]
    wait_until(lambda: rows()[0].recovery_sent_at is not None, what="the recovery recorded")
    [alert] = rows()
    assert (alert.state, alert.repeats, alert.attempts, alert.last_error) == (
        "recovered", 1, 0, "")
    assert alert.sent_at is not None and alert.next_attempt_at is None
    # a new episode of the same cause is a new alert
    alerts.raise_("sim-low-balance", ICCID, "the credit is 0.50 EUR", modem="m1")
    assert "the credit is 0.50 EUR" in http.wait_for(3)[2]["message"]
    assert len(smtp.wait_for(3)) == 3 and len(http.got) == 3 and len(rows()) == 2


def test_a_receiver_down_at_first_gets_the_alert_once_it_is_up_also_after_a_restart(
        database, worker, tmp_path):
    http = HttpReceiver(up=False)
    config = dataclasses.replace(QUICK, urls=(http.url,))
    first = worker(config)
    first.raise_("sms-storage-full", "m2", "the SIM of m2 holds 30 of 30 SMS", modem="m2")
    wait_until(lambda: rows() and rows()[0].attempts >= 2, what="two failed tries")
    alert = rows()[0]
    assert alert.sent_at is None and "Connection error" in alert.last_error
    assert f"127.0.0.1:{http.port}" in alert.last_error
    first.stop()
    # the rows are the queue: a new worker sends it once the receiver is up
    http.up()
    try:
        worker(config)
        post = http.wait_for(1)[0]
        assert post["title"] == f"callbox {BOX}: SIM storage full: modem m2"
        assert "New SMS wait at the network" in post["message"]   # the kind's own advice
        wait_until(lambda: rows()[0].sent_at is not None, what="the delivery recorded")
        assert (rows()[0].attempts, rows()[0].last_error) == (0, "")
    finally:
        http.stop()


def test_only_the_url_that_failed_gets_the_alert_again(database, receivers, worker):
    _, http = receivers
    late = HttpReceiver(up=False)
    alerts = worker(dataclasses.replace(QUICK, urls=(http.url, late.url)))
    alerts.raise_("daemon-crashed", BOX, "the daemon restarted", notice=True)
    http.wait_for(1)
    wait_until(lambda: rows()[0].attempts >= 1, what="a failed try")
    late.up()
    try:
        late.wait_for(1)
        wait_until(lambda: rows()[0].sent_at is not None, what="the delivery recorded")
        assert len(http.got) == 1
    finally:
        late.stop()


def test_modems_down_too_long_and_the_pools_recovery_steps(database, receivers, worker):
    _, http = receivers
    alerts = worker(dataclasses.replace(QUICK, urls=(http.url,)), modems=["m1", "m2"])
    # m1 never comes up; m2 comes up at once
    alerts.on_event(ModemUp("m2"))
    first = http.wait_for(1)[0]
    assert first["title"] == f"callbox {BOX}: Modem down: modem m1"
    assert "modem m1 did not come up within 0 s of the start" in first["message"]
    # a short dip of m2 is not alerted; m3 down for longer is
    alerts.on_event(ModemDown("m2", reason="port vanished"))
    alerts.on_event(ModemUp("m2"))
    alerts.on_event(ModemDown("m3", reason="2 AT timeouts in a row"))
    third = http.wait_for(2)[1]
    assert third["title"] == f"callbox {BOX}: Modem down: modem m3"
    assert "2 AT timeouts in a row" in third["message"]
    alerts.on_event(ModemUp("m1"))
    assert http.wait_for(3)[2]["title"] == f"callbox {BOX}: Modem back up: modem m1"
    # the pool power-cycled m3 (a notice), then gave up on it (an open alert)
    alerts.on_event(ModemRecovery("m3", step="power-cycle", reason="no answer to AT",
                                  ok=False, attempt=3))
    cycled = http.wait_for(4)[3]
    assert cycled["title"] == f"callbox {BOX}: Modem power-cycled: modem m3"
    assert "did not answer yet" in cycled["message"]
    alerts.on_event(ModemRecovery("m3", step="gave up", reason="no answer to AT", attempt=4))
    dead = http.wait_for(5)[4]
    assert dead["title"] == f"callbox {BOX}: Modem given up: modem m3"
    assert "Unplug and replug the modem" in dead["message"]
    alerts.on_event(ModemUp("m3"))
    titles = {post["title"] for post in http.wait_for(7)[5:]}
    assert titles == {f"callbox {BOX}: Modem back up: modem m3",
                      f"callbox {BOX}: Modem back after it was given up: modem m3"}
    assert [alert.subject for alert in rows("modem-down")] == ["m1", "m3"]
    assert all(alert.state != "open" for alert in rows())


class Disk:
    """The disk of state_dir as the test sets it (the seam: Alerts(disk=...))."""

    def __init__(self, free_percent: float):
        self.free_percent = free_percent
        self.looked = threading.Event()

    def __call__(self, path: str) -> Usage:
        self.looked.set()
        return Usage(1000 * 2**20, round((100 - self.free_percent) * 10 * 2**20),
                     round(self.free_percent * 10 * 2**20))


def test_a_nearly_full_disk_is_alerted_once_and_recovers_with_room_to_spare(
        database, receivers, worker, tmp_path):
    _, http = receivers
    disk = Disk(4.0)
    alerts = worker(dataclasses.replace(QUICK, urls=(http.url,), disk_free_percent=10),
                    disk=disk)
    full = http.wait_for(1)[0]
    assert full["title"] == f"callbox {BOX}: Disk nearly full: disk of {tmp_path}"
    assert "only 4.0 % (40 MiB)" in full["message"]
    disk.free_percent = 11.0          # above the threshold, not above it by the margin
    disk.looked.clear()
    assert disk.looked.wait(5) and disk.looked.clear() is None and disk.looked.wait(5)
    assert rows()[0].state == "open"
    disk.free_percent = 30.0
    assert "30.0 % of the disk is free again" in http.wait_for(2)[1]["message"]
    assert len(rows()) == 1 and alerts.held_open() == 0


def test_repeated_pin_lockouts_are_a_notice_for_the_account(database):
    account = accounts.create("alice", "4321", 1000, 1000.0)
    for attempt in range(accounts.PIN_FAILURES_ALLOWED):
        check = accounts.check_pin(account, "0000", "+4917012345600", 1000.0 + attempt, BOX)
    assert check.locked
    [notice] = rows("pin-lockouts")
    assert (notice.box, notice.subject, notice.state) == (BOX, "account alice", "notice")
    assert "PIN entry from +4917012345600 is locked" in notice.message
    assert "last tried: account alice" in notice.message
    assert notice.next_attempt_at is not None and notice.sent_at is None   # to be delivered


def test_an_alert_raised_while_the_database_is_down_is_delivered_then_recorded(
        own_pg_cluster, receivers, worker, tmp_path):
    _, http = receivers
    open_database(own_pg_cluster.new_database())
    watch = DatabaseWatch(Journal(tmp_path / "journal.db"), price_and_settle, interval=0.1)
    looking = Worker("db-watch", watch=watch)        # as the daemon runs the watch
    looking.paced("look", 0.1, "asking the database", watch.look, first=0.1)
    watch.wake = lambda: looking.sooner("look")
    looking.start()
    alerts = worker(dataclasses.replace(QUICK, urls=(http.url,)), database="db.example",
                    watch=watch)
    watch.on_change.append(alerts.wake)
    try:
        own_pg_cluster.stop_server()
        down = http.wait_for(1)[0]
        assert down["title"] == f"callbox {BOX}: Database unreachable: database db.example"
        assert "the database has not answered for" in down["message"]
        alerts.raise_("sim-limit", ICCID, "120 of 120 minutes today", modem="m1")
        assert http.wait_for(2)[1]["title"] == (f"callbox {BOX}: SIM at its limit: SIM {ICCID} "
                                                "(in modem m1)")
        assert alerts.held_open() == 2
        own_pg_cluster.start_server()
        back = http.wait_for(3)[2]
        assert back["title"] == f"callbox {BOX}: Database back: database db.example"
        assert "the database answers again after" in back["message"]
        forget_connection()            # this thread's connection died with the server
        wait_until(lambda: len(rows()) == 2 and rows()[0].recovery_sent_at is not None,
                   what="the held alerts written")
        outage, limit = rows()
        assert (outage.kind, outage.state, outage.subject) == ("database-down", "recovered",
                                                                "db.example")
        assert outage.sent_at < outage.recovered_at <= outage.recovery_sent_at
        assert (limit.kind, limit.state, limit.modem) == ("sim-limit", "open", "m1")
        assert limit.sent_at is not None and limit.next_attempt_at is None
        assert alerts.held_open() == 0 and len(http.got) == 3      # nothing sent twice
    finally:
        looking.stop()
        close_database()


def test_a_reload_alerts_an_added_modem_and_closes_a_removed_ones_alert(
        database, receivers, worker):
    _, http = receivers
    alerts = worker(dataclasses.replace(QUICK, urls=(http.url,)), modems=["m1"])
    assert "modem m1 did not come up" in http.wait_for(1)[0]["message"]
    alerts.modems_changed(["m2"])
    titles = {post["title"] for post in http.wait_for(3)[1:]}
    assert titles == {f"callbox {BOX}: Modem back up: modem m1",
                      f"callbox {BOX}: Modem down: modem m2"}
    assert rows("modem-down")[0].recovery == "modem m1 was taken out of the configuration"
    assert rows("modem-down")[1].message == ("modem m2 did not come up within 0 s of the "
                                             "reload that added it")
    alerts.on_event(ModemDown("m1", reason="retired after the reload"))
    alerts.on_event(ModemDown("m2", reason="no answer"))
    wait_until(lambda: rows("modem-down")[1].repeats == 1, what="m2 counted again")
    assert len(rows("modem-down")) == 2          # nothing for the removed m1


def test_a_receiver_that_never_answers_costs_one_timeout_and_the_next_send_works(receivers):
    _, http = receivers
    silent = socket.socket()                 # accepts (the kernel does), never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    sender = AppriseSender(timeout=1.0)
    try:
        [stuck] = sender.send((f"json://127.0.0.1:{silent.getsockname()[1]}/x",), "T", "B")
        assert not stuck.ok and stuck.error == "no answer within 1 s"
        assert stuck.url == "json://... (URL 1)"                  # nothing after the scheme
        sender.timeout = 20.0           # the new sender process needs time to start
        [fine] = sender.send((http.url,), "T", "B")
        assert fine.ok and http.wait_for(1)[0]["title"] == "T"
    finally:
        sender.close()
        silent.close()
