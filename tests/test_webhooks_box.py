"""Webhooks on a whole box: the daemon on the virtual network POSTs an SMS, a call and its
session, and modem changes to a real local HTTP receiver; a restart on the same database
loses none of the queue and repeats no delivered event."""
from __future__ import annotations

import queue

import pytest

from gateway.care.webhook_queue import WebhookDelivery
from gateway.config import load
from modems.sim import PhoneState

from tests.boxrig import BOX, FRIEND, USER, Rig, ensure_prompts
from tests.sms_rig import wait_until
from tests.webhook_receiver import Receiver, verify

SECRET = "box-webhook-secret-0123456789"


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def receiver():
    server = Receiver().up()
    yield server
    server.down()


@pytest.fixture
def rig(network, tmp_path, receiver):
    box = Rig(network, tmp_path)
    path = tmp_path / "callbox.toml"
    path.write_text(path.read_text() + "\n".join([
        "", "[[webhook]]", 'name = "crm"', f'url = "{receiver.url}"', f'secret = "{SECRET}"',
        "retry_backoff = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]", ""]))
    box.config = load(str(path))
    yield box
    box.stop()


def received(receiver, event: str) -> list[dict]:
    return [delivery.json for delivery in receiver.deliveries if delivery.json["event"] == event]


def wait_event(receiver, event: str, count: int = 1, timeout: float = 15.0) -> list[dict]:
    wait_until(lambda: len(received(receiver, event)) >= count, timeout,
               what=f"{count} {event} at the receiver")
    return received(receiver, event)


def busy_connect_two(rig) -> None:
    """The cheapest call with a record: connect-two whose leg A is busy."""
    someone = rig.network.add_phone(number="+4917011111111")
    someone.call(USER)
    assert rig.user.wait_state(PhoneState.RINGING)
    rig.user.answer()
    ended: queue.Queue = queue.Queue()
    rig.daemon.calls.start_connect(rig.account_id, USER, FRIEND, notify=ended.put)
    assert ended.get(timeout=15).a_state == "busy"


def test_sms_call_session_and_modem_events_reach_the_receiver(rig, receiver):
    rig.start(balance=1000)
    assert {event["data"]["modem"] for event in wait_event(receiver, "modem.state", 2)} == {
        "m1", "m2"}
    rig.user.send_sms(BOX, "BAL")
    [sms] = wait_event(receiver, "sms.received")
    assert (sms["data"]["sender"], sms["data"]["text"], sms["data"]["modem"]) == (USER, "BAL",
                                                                                  "m1")
    busy_connect_two(rig)
    [session] = wait_event(receiver, "session.ended")
    calls = received(receiver, "call.ended")
    assert [call["data"]["id"] for call in calls] == session["data"]["calls"] != []
    call = calls[0]["data"]
    assert (call["role"], call["number"], call["account"], call["currency"]) == (
        "callback", USER, "alice", "USD")
    assert call["cost"] == 0 and call["ended_at"] and "busy" in call["cause"]
    assert (session["data"]["kind"], session["data"]["number"], session["data"]["cost"]) == (
        "connect-two", USER, 0)
    rig.dest_modem.unplug()
    down = wait_event(receiver, "modem.state", 3)[-1]["data"]
    assert (down["modem"], down["state"]) == ("m2", "down") and down["reason"]
    for delivery in receiver.deliveries:
        assert verify(SECRET, delivery.headers, delivery.body), delivery.json["id"]
        assert delivery.headers["X-Callbox-Event"] == delivery.json["event"]
    order = [event for event in receiver.events() if event != "modem.state"]
    assert order[0] == "sms.received" and order[-1] == "session.ended"


def test_a_restart_loses_no_queued_event_and_repeats_no_delivered_one(rig, receiver):
    rig.start(balance=1000)
    wait_event(receiver, "modem.state", 2)
    rig.user.send_sms(BOX, "BAL")
    wait_event(receiver, "sms.received")
    receiver.down()                                   # away while the next one comes
    rig.user.send_sms(BOX, "HELP")
    wait_until(lambda: WebhookDelivery.select().where(
        (WebhookDelivery.event == "sms.received") & (WebhookDelivery.attempts > 0)
        & (WebhookDelivery.state == "pending")).exists(), 15, what="a refused attempt")
    rig.stop()
    before = len(receiver.deliveries)
    receiver.up()
    rig.up.clear()
    rig._all_up.clear()
    rig.start_daemon()                                # the same database
    texts = [sms["data"]["text"] for sms in wait_event(receiver, "sms.received", 2)]
    wait_event(receiver, "modem.state", 4)            # up again, twice
    assert texts == ["BAL", "HELP"]
    ids = [delivery.json["id"] for delivery in receiver.deliveries]
    assert len(ids) == len(set(ids)) >= before + 3
    assert len(received(receiver, "sms.received")) == 2
    assert WebhookDelivery.select().where(WebhookDelivery.state != "delivered").count() == 0
