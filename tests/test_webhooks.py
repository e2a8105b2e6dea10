"""Webhooks: the `webhooks` worker against a real local HTTP receiver, on a real database.

Alerts and modem events are the cheapest events to make: the SMS and call events
are tested on a whole box in tests/test_webhooks_box.py.
"""
from __future__ import annotations

import json
import time

import pytest

from gateway.care import webhook_queue as queue
from gateway.care.webhook_facts import Sources
from gateway.care.webhook_queue import Fact, WebhookDelivery
from gateway.care.webhooks import Webhooks
from gateway.config import ConfigError, WebhookConfig, parse
from gateway.money import ledger
from gateway.money.ledger import Cdr
from gateway.store import alerts
from gateway.store.db import close_database, open_database
from modems.events import ModemDown, ModemUp

from tests.sms_rig import wait_until
from tests.webhook_receiver import Receiver, verify

SECRET = "s3cret-for-the-tests-only"


@pytest.fixture
def database(tmp_path):
    open_database(str(tmp_path / "callbox.db"))
    yield
    close_database()


@pytest.fixture
def receiver():
    server = Receiver().up()
    yield server
    server.down()


def webhooks(*hooks: WebhookConfig, scan: float = 0.05) -> Webhooks:
    """Gives the worker, started, once its first look has set the cursors (what was
    committed before that is history: not sent)."""
    worker = Webhooks(hooks, "box1", "EUR", 730, scan_interval=scan)
    worker.start()
    wait_until(lambda: queue.position("box1", "alert") is not None, what="the first look")
    return worker


def hook(url: str, name: str = "crm", backoff=(0.1, 0.2, 0.2, 0.2, 0.2), **more):
    return WebhookConfig(name=name, url=url, secret=SECRET, retry_backoff=backoff, **more)


def test_an_alert_is_posted_signed_and_its_recovery_too(database, receiver):
    worker = webhooks(hook(receiver.url))
    try:
        alerts.raise_alert("box1", "modem-down", "m2", time.time(), "modem m2 stopped answering",
                           advice="check its USB cable", modem="m2")
        [first] = receiver.wait(1)
        alerts.recover("box1", "modem-down", "m2", time.time(), "m2 answers again")
        second = receiver.wait(2)[1]
    finally:
        worker.stop()
    assert first.path == "/hook"
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["X-Callbox-Event"] == "alert"
    assert verify(SECRET, first.headers, first.body)
    assert not verify("another secret of 16+ chars", first.headers, first.body)
    assert not verify(SECRET, first.headers, first.body.replace(b"m2", b"m3"))
    body = first.json
    assert (body["event"], body["box"]) == ("alert", "box1")
    assert first.headers["X-Callbox-Delivery"] == body["id"]
    assert body["data"]["state"] == "open" and body["data"]["advice"] == "check its USB cable"
    assert second.json["data"]["state"] == "recovered"
    assert second.json["data"]["recovery"] == "m2 answers again"
    assert second.json["id"] != body["id"]
    assert abs(int(first.headers["X-Callbox-Timestamp"]) - time.time()) < 60


def test_a_receiver_that_is_down_gets_the_queue_in_order_once_it_is_up(database):
    receiver = Receiver()                       # its port is closed for now
    worker = webhooks(hook(receiver.url))
    try:
        for modem in ("m1", "m2", "m3"):
            alerts.raise_alert("box1", "modem-down", modem, time.time(), f"{modem} is down")
        wait_until(lambda: WebhookDelivery.select().count() == 3, what="three queued")
        worker.on_event(ModemDown("m4", reason="port vanished"))
        wait_until(lambda: WebhookDelivery.select().where(WebhookDelivery.attempts >= 2).exists(),
                   what="two refused attempts")
        head = WebhookDelivery.select().order_by(WebhookDelivery.id).first()
        assert head.state == "pending" and "connection refused" in head.last_error
        assert WebhookDelivery.select().where(WebhookDelivery.attempts > 0).count() == 1
        receiver.up()
        got = receiver.wait(4)
        wait_until(lambda: WebhookDelivery.select().where(
            WebhookDelivery.state == "delivered").count() == 4, what="all delivered")
        ids = [delivery.json["id"] for delivery in got]
        assert ids == [row.event_id for row in WebhookDelivery.select().order_by(WebhookDelivery.id)]
        assert [d.json["data"].get("subject") or d.json["data"]["modem"] for d in got] == [
            "m1", "m2", "m3", "m4"]
        alerts.raise_alert("box1", "modem-down", "m5", time.time(), "m5 is down")
        receiver.wait(5)
    finally:
        worker.stop()
        receiver.down()
    assert len(receiver.deliveries) == 5 and len({d.json["id"] for d in receiver.deliveries}) == 5


def test_deliveries_share_a_kept_connection_and_a_closed_one_costs_no_attempt(database):
    """A receiver that keeps connections alive (HTTP/1.1) gets a burst over one connection;
    once it closed it (a restart), the next POST goes over a new one, at its first attempt."""
    receiver = Receiver(keep_alive=True).up()
    worker = webhooks(hook(receiver.url))
    try:
        for modem in ("m1", "m2", "m3"):
            alerts.raise_alert("box1", "modem-down", modem, time.time(), f"{modem} is down")
        first = receiver.wait(3)
        receiver.down()                         # closes the kept connection as it goes
        receiver.up()
        alerts.raise_alert("box1", "modem-down", "m4", time.time(), "m4 is down")
        after = receiver.wait(4)[3]
        wait_until(lambda: WebhookDelivery.select().where(
            WebhookDelivery.state == "delivered").count() == 4, what="all delivered")
    finally:
        worker.stop()
        receiver.down()
    assert len({delivery.sender_port for delivery in first}) == 1
    assert after.sender_port != first[0].sender_port
    assert [row.attempts for row in WebhookDelivery.select().order_by(WebhookDelivery.id)] == [
        1, 1, 1, 1]


def test_a_delivery_fails_after_its_last_retry_and_can_be_retried(database):
    receiver = Receiver(answer=500).up()
    worker = webhooks(hook(receiver.url, backoff=(0.05, 0.05)))
    try:
        worker.on_event(ModemUp("m1", manufacturer="SIMCOM", model="SIM7600", profile="simcom"))
        wait_until(lambda: WebhookDelivery.select().where(
            WebhookDelivery.state == "failed").exists(), what="the delivery failed")
        row = WebhookDelivery.get()
        assert (row.attempts, row.last_status) == (3, 500)
        assert "answered 500" in row.last_error
        receiver.answer = 200
        assert queue.retry("box1", row.id, time.time()).state == "pending"
        with pytest.raises(ValueError, match="only a failed one is retried"):
            queue.retry("box1", row.id, time.time())
        worker.wake()
        [got] = receiver.wait(1)
        wait_until(lambda: WebhookDelivery.get().state == "delivered", what="delivered")
    finally:
        worker.stop()
        receiver.down()
    assert got.json["data"] == {"modem": "m1", "state": "up", "manufacturer": "SIMCOM",
                                "model": "SIM7600", "profile": "simcom"}
    with pytest.raises(LookupError):
        queue.retry("box1", 999, time.time())


def test_each_webhook_gets_only_its_events_and_a_slow_one_holds_up_no_other(database, receiver):
    slow = Receiver().up()
    slow.delay = 1.5                                  # beyond its timeout
    worker = webhooks(hook(slow.url, name="slow", timeout=0.5, backoff=(30.0,)),
                      hook(receiver.url, name="alerts", events=("alert",)))
    try:
        worker.on_event(ModemDown("m1", reason="unplugged"))
        alerts.raise_alert("box1", "sim-low-balance", "8949", time.time(), "credit 1.20")
        started = time.monotonic()
        [got] = receiver.wait(1)
        took = time.monotonic() - started
        wait_until(lambda: WebhookDelivery.select().where(
            (WebhookDelivery.webhook == "slow") & (WebhookDelivery.attempts > 0)).count() >= 1,
            what="the slow one tried")
    finally:
        worker.stop()
        slow.down()
    assert got.json["event"] == "alert" and took < 1.4
    slow_rows = WebhookDelivery.select().where(WebhookDelivery.webhook == "slow")
    assert {row.event for row in slow_rows} == {"modem.state", "alert"}
    assert "no answer within 0.5 s" in slow_rows.order_by(WebhookDelivery.id).first().last_error
    assert receiver.events() == ["alert"]


def test_the_queue_and_cursors_on_each_engine(db_url):
    open_database(db_url)
    try:
        fact = Fact("alert", "box1:alert-1", 1.0, {"kind": "x"})
        subscribers = {"a": ("alert",), "b": ("call.ended",), "c": ("alert", "modem.state")}
        assert queue.enqueue("box1", [fact], subscribers, 5.0) == 2
        assert queue.enqueue("box1", [fact], subscribers, 6.0) == 0    # found twice: once
        assert queue.queued_ids("box1", ["box1:alert-1", "box1:alert-2"]) == {"box1:alert-1"}
        assert queue.position("box1", "alert") is None
        queue.move_cursor("box1", "alert", 7, 5.0)
        queue.move_cursor("box1", "alert", 9, 6.0)
        assert queue.position("box1", "alert") == 9 and queue.position("box2", "alert") is None
        [head_a, head_c] = queue.heads("box1", ["a", "b", "c"])
        assert queue.attempt_failed(head_a, None, "refused", (1.0,), 10.0) is False
        assert queue.attempt_failed(WebhookDelivery.get_by_id(head_a.id), 503, "busy", (1.0,),
                                    11.0) is True
        queue.delivered(head_c.id, 204, 12.0)
        assert queue.counts("box1") == {("a", "failed"): 1, ("c", "delivered"): 1}
        assert queue.retry("box1", head_a.id, 13.0).state == "pending"
        assert queue.prune("box1", 100.0) == 1            # the delivered one; pending stays
    finally:
        close_database()


@pytest.mark.parametrize("webhook, reason", [
    ({"url": "ftp://example.com/x"}, "webhook[1].url: must be an http:// or https:// URL, "
                                     "got the scheme 'ftp'"),
    ({"url": "example.com/hook"}, "webhook[1].url: must be an http:// or https:// URL"),
    ({"url": "http:///hook"}, "webhook[1].url: must name a host"),
    ({"url": "http://example.com:99999/"}, "webhook[1].url: has an invalid port"),
    ({"secret": "short"}, "webhook[1].secret: must be 16 characters or more"),
    ({"secret": 1234567890123456789}, "webhook[1].secret: must be a quoted string, got a number"),
    ({"events": ["sms.recieved"]}, "webhook[1].events: the string 'sms.recieved' is not one of"),
    ({"timeout": 0}, "webhook[1].timeout: must be between 0.5 and 60"),
    ({"retry_backoff": []}, "webhook[1].retry_backoff: must be a list of 1 to 10 waits"),
    ({"secrte": "x"}, "webhook[1].secrte: unknown key (did you mean secret?)"),
])
def test_a_wrong_webhook_gives_a_clear_error(webhook, reason):
    table = {"name": "crm", "url": "https://crm.example.com/hook", "secret": SECRET, **webhook}
    with pytest.raises(ConfigError) as error:
        parse({"webhook": [table]})
    assert reason in str(error.value)
    assert "1234567890123456789" not in str(error.value) and "short" not in str(error.value)


def test_webhook_config_defaults_and_the_secret_stays_hidden():
    with pytest.raises(ConfigError, match=r"webhook\[1\].secret: missing"):
        parse({"webhook": [{"name": "crm", "url": "https://crm.example.com/hook"}]})
    with pytest.raises(ConfigError, match=r"webhook\[2\].name: 'crm' is already the name"):
        parse({"webhook": [{"name": "crm", "url": "http://a.example/", "secret": SECRET}] * 2})
    config = parse({"webhook": [{"name": "crm", "url": "https://u:hunter2@crm.example.com/h?t=tok3n",
                                 "secret": SECRET}]})
    [webhook] = config.webhooks
    assert webhook.events == ("sms.received", "call.ended", "session.ended", "modem.state",
                              "alert")
    assert (webhook.timeout, webhook.retry_backoff) == (5.0, (10.0, 60.0, 300.0, 1800.0, 7200.0))
    shown = config.effective_toml() + repr(config)
    assert SECRET not in shown and "hunter2" not in shown and "tok3n" not in shown
    assert 'url = "https://crm.example.com/h?..."' in config.effective_toml()


def turn(sources: Sources, now: float) -> list[str]:
    """One look, queued as the worker queues it; gives the event ids queued."""
    queued = []
    for source, to, facts in sources.new_facts(now):
        queue.enqueue("box1", facts, {"crm": ("call.ended", "session.ended", "alert")}, now)
        queue.move_cursor("box1", source, to, now)
        queued += [fact.event_id for fact in facts]
    return queued


def bill(session_id: int, now: float, cost: int = 6) -> None:
    ledger.settle(session_id, [dict(role="callback", direction="outgoing", number="+4917012345678",
                                    modem="m1", started_at=now - 60, answered_at=now - 50,
                                    ended_at=now, billed_seconds=60, cost=cost,
                                    cause="normal")], now)


def test_sessions_that_end_in_any_order_are_each_told_once(database):
    now = time.time()
    sources = Sources("box1", "EUR", 86400.0, batch=2)
    assert turn(sources, now) == []                   # the history before is not sent
    long_call, *short = [ledger.start_session("box1", None, "callback", "+4917012345678", now)
                         for _ in range(4)]
    refused = ledger.start_session("box1", None, "connect-two", "+4917012345678", now)
    for session_id in short:
        bill(session_id, now)
    assert ledger.discard_session(refused)
    queued = turn(sources, now) + turn(sources, now) + turn(sources, now)
    assert [i for i in queued if "session" in i] == [f"box1:session-{i}" for i in short]
    assert queue.position("box1", "session") == long_call       # it is still running
    alert = alerts.raise_alert("box1", "modem-down", "m1", now, "m1 is down")
    assert turn(sources, now) == [f"box1:alert-{alert.id}"]
    assert Sources("box1", "EUR", 86400.0).new_facts(now) == [   # after a restart: nothing
        ("sms", queue.position("box1", "sms"), []), ("session", long_call, []),
        ("alert", alert.id, [])]
    bill(long_call, now + 3600, cost=360)
    alerts.recover("box1", "modem-down", "m1", now + 10, "m1 answers")
    queued = turn(sources, now + 3600)
    assert queued == [f"box1:call-{Cdr.get(Cdr.session == long_call).id}",
                      f"box1:session-{long_call}", f"box1:alert-{alert.id}-recovered"]
    assert queue.position("box1", "session") == refused      # its id was given back
    assert queue.position("box1", "alert") == alert.id + 1
    assert turn(sources, now + 3601) == []
    body = json.loads(WebhookDelivery.get(WebhookDelivery.event_id == f"box1:session-{long_call}")
                      .body)
    assert body["data"]["cost"] == 360 and body["data"]["ended_at"] == now + 3600
    seen_running = ledger.start_session("box1", None, "connect-two", "+4917012345678", now)
    assert turn(sources, now) == []
    assert ledger.discard_session(seen_running)       # refused: its row is deleted
    assert turn(sources, now) == []
    reused = ledger.start_session("box1", None, "callback", "+4917012345678", now)
    bill(reused, now + 5)
    assert turn(sources, now + 5)[-1] == f"box1:session-{reused}"
