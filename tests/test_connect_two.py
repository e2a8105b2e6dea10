"""Connect two numbers: A is called and told whom they get, B is called, both are bridged and billed."""
from __future__ import annotations

import json
import queue
import time
import types

import pytest

from audio import prompts
from audio.match import Finder
from audio.speech import Speech
from gateway import users
from gateway.money import accounts
from gateway.money.ledger import Account
from modems.sim import PhoneState
from webui.app import make_app

from tests.boxrig import FRIEND, USER, Rig, ensure_prompts, talk
from tests.webclient import Client


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def rig(network, tmp_path):
    box = Rig(network, tmp_path)
    yield box
    box.stop()


def connect(rig, a=USER, b=FRIEND):
    ended: queue.Queue = queue.Queue()
    follower = rig.daemon.calls.context.live.subscribe()
    rig.daemon.calls.start_connect(rig.account_id, a, b, notify=ended.put)
    return ended, follower


def states(follower) -> list[tuple[str, str]]:
    seen = []
    while not follower.empty():
        event = follower.get_nowait()
        seen.append((event["leg"], event["state"]))
    return seen


def wait_published(follower, leg: str, state: str, seen: list, timeout: float = 10.0) -> None:
    """Waits until the live events say `leg` is in `state` (keeping what passed in `seen`)."""
    while True:
        event = follower.get(timeout=timeout)
        seen.append((event["leg"], event["state"]))
        if (event["leg"], event["state"]) == (leg, state):
            return


def test_both_answer_bridged_and_billed(rig):
    rig.start(balance=1000)
    user, friend = rig.user, rig.friend
    ended, follower = connect(rig)
    seen: list = []
    assert user.wait_state(PhoneState.RINGING, timeout=10)
    wait_published(follower, "a", "alerting", seen)
    assert friend.state is PhoneState.IDLE          # B only after A answered
    user.answer()
    assert rig.heard(user, "connecting_you_to")
    assert friend.wait_state(PhoneState.RINGING, timeout=15)
    wait_published(follower, "b", "alerting", seen)
    friend.answer()
    assert talk(user, friend, 750.0)
    assert talk(friend, user, 1250.0)
    friend.hangup()
    outcome = ended.get(timeout=15)
    assert user.wait_state(PhoneState.IDLE, timeout=10)
    assert (outcome.a_state, outcome.b_state) == ("ended", "ended")
    assert outcome.cost == 24
    cdrs = rig.cdrs()
    assert [(cdr.role, cdr.number, cdr.account_id) for cdr in cdrs] == [
        ("callback", USER, rig.account_id), ("destination", FRIEND, rig.account_id)]
    assert rig.balance() == 1000 - 24 and rig.reserved() == 0
    seen += states(follower)
    for leg in ("a", "b"):
        leg_states = [state for label, state in seen if label == leg]
        assert leg_states[:3] == ["dialing", "alerting", "connected"], seen
        assert leg_states[-1] == "ended"


def test_a_busy(rig):
    rig.start(balance=1000)
    someone = rig.network.add_phone(number="+4917011111111")
    someone.call(USER)
    assert rig.user.wait_state(PhoneState.RINGING)
    rig.user.answer()
    ended, _ = connect(rig)
    outcome = ended.get(timeout=15)
    assert outcome.a_state == "busy"
    assert rig.friend.state is PhoneState.IDLE
    assert rig.balance() == 1000


def test_b_no_answer(rig):
    rig.start(balance=1000)
    ended, _ = connect(rig)
    assert rig.user.wait_state(PhoneState.RINGING, timeout=10)
    rig.user.answer()
    assert rig.friend.wait_state(PhoneState.RINGING, timeout=15)
    outcome = ended.get(timeout=30)
    assert (outcome.a_state, outcome.b_state) == ("ended", "no answer")
    assert [cdr.role for cdr in rig.cdrs()] == ["callback", "destination"]
    assert rig.cdrs()[1].cost == 0


def test_insufficient_credit(rig):
    rig.start(balance=10)
    ended, _ = connect(rig)
    outcome = ended.get(timeout=10)
    assert outcome.refusal == "not enough credit"
    assert rig.user.state is PhoneState.IDLE
    assert rig.balance() == 10


def test_a_locked_account_connects_no_one(rig):
    rig.start(balance=1000)
    Account.update(locked=True).where(Account.id == rig.account_id).execute()
    ended, _ = connect(rig)
    outcome = ended.get(timeout=10)
    assert outcome.refusal == "the account is locked"
    assert rig.user.state is PhoneState.IDLE and not rig.user.wait_state(PhoneState.RINGING, 1)
    assert rig.balance() == 1000



def final_events(follower, legs=("a", "b"), timeout: float = 15.0) -> dict:
    """Waits for the last event of each leg (any state after connected); gives them by leg."""
    final: dict = {}
    while set(final) != set(legs):
        event = follower.get(timeout=timeout)
        if event["state"] not in ("dialing", "alerting", "connected"):
            assert event["leg"] not in final, f"two last events for leg {event['leg']}"
            final[event["leg"]] = event
    return final


def until_published(follower, leg: str, state: str) -> dict:
    """Waits until the live events say `leg` is in `state`; gives that event."""
    event = follower.get(timeout=15)
    while (event["leg"], event["state"]) != (leg, state):
        event = follower.get(timeout=15)
    return event


def answered_a(rig):
    ended, follower = connect(rig)
    assert rig.user.wait_state(PhoneState.RINGING, timeout=10)
    rig.user.answer()
    assert rig.friend.wait_state(PhoneState.RINGING, timeout=15)
    return ended, follower


def test_hangup_from_the_web_publishes_both_legs_ended(rig):
    rig.start(balance=1000)
    ended, follower = answered_a(rig)
    rig.friend.answer()
    session_id = until_published(follower, "b", "connected")["session"]
    assert rig.daemon.calls.hangup_session(session_id)
    final = final_events(follower)
    assert ended.get(timeout=15).cost > 0
    for leg in ("a", "b"):
        assert (final[leg]["state"], final[leg]["cause"]) == ("ended", "normal"), final
        assert final[leg]["session"] == session_id and final[leg]["seconds"] >= 0
    assert rig.user.wait_state(PhoneState.IDLE, timeout=10)
    assert rig.friend.wait_state(PhoneState.IDLE, timeout=10)


def test_hangup_from_the_web_while_b_rings(rig):
    rig.start(balance=1000)
    ended, follower = answered_a(rig)
    session_id = until_published(follower, "b", "alerting")["session"]
    assert rig.daemon.calls.hangup_session(session_id)
    final = final_events(follower)
    ended.get(timeout=15)
    assert (final["a"]["state"], final["a"]["cause"]) == ("ended", "normal"), final
    assert (final["b"]["state"], final["b"]["cause"], final["b"]["seconds"]) == (
        "ended", "normal", 0), final
    assert rig.friend.wait_state(PhoneState.IDLE, timeout=10)


def test_far_end_hangup_publishes_both_legs_ended(rig):
    rig.start(balance=1000)
    ended, follower = answered_a(rig)
    rig.friend.answer()
    until_published(follower, "b", "connected")
    rig.user.hangup()
    final = final_events(follower)
    outcome = ended.get(timeout=15)
    assert (outcome.a_state, outcome.b_state) == ("ended", "ended")
    for leg in ("a", "b"):
        assert (final[leg]["state"], final[leg]["cause"]) == ("ended", "normal"), final
    assert final["a"]["seconds"] >= final["b"]["seconds"]


def test_an_unanswered_leg_ends_with_its_cause(rig):
    rig.start(balance=1000)
    ended, follower = answered_a(rig)
    final = final_events(follower, timeout=30)
    assert ended.get(timeout=15).b_state == "no answer"
    assert (final["b"]["state"], final["b"]["cause"], final["b"]["seconds"]) == (
        "no answer", "no answer", 0), final
    assert (final["a"]["state"], final["a"]["cause"]) == ("ended", "normal"), final


def test_web_api_with_a_token_starts_hangs_up_and_bills_a_call(rig):
    rig.start(balance=1000)
    user = users.add_user("alice", "alice-secret", time.time())
    token = {"Authorization": f"Bearer {users.set_api_token(user.id)}"}
    app = make_app(rig.config, types.SimpleNamespace(pool=rig.daemon.pool,
                                                     calls=rig.daemon.calls, now=time.time))
    client = Client(app)
    follower = rig.daemon.calls.context.live.subscribe()
    reply = client.post("/api/callbacks", json_body={"a": USER, "b": FRIEND}, headers=token)
    assert reply.status == 201, reply.text
    call_id = json.loads(reply.text)["id"]
    assert rig.user.wait_state(PhoneState.RINGING, timeout=10)
    rig.user.answer()
    assert rig.friend.wait_state(PhoneState.RINGING, timeout=15)
    rig.friend.answer()
    until_published(follower, "b", "connected")
    reply = client.post(f"/api/callbacks/{call_id}/hangup", headers=token)
    assert json.loads(reply.text) == {"id": call_id, "ended": True}
    final = final_events(follower)
    assert {leg: event["state"] for leg, event in final.items()} == {"a": "ended", "b": "ended"}
    assert rig.wait_settled()
    state = json.loads(client.get(f"/api/callbacks/{call_id}", headers=token).text)
    assert [state["legs"][leg]["state"] for leg in "ab"] == ["ended", "ended"]
    history = json.loads(client.get("/api/calls", headers=token).text)
    assert history["calls"][0]["id"] == call_id and history["calls"][0]["cost"] > 0
    assert [leg["leg"] for leg in history["calls"][0]["legs"]] == ["a", "b"]


def test_each_leg_hears_its_own_language(rig):
    """A's number is alice's (German), B's is bob's (French): A hears whom it gets in
    German; when the box shuts down during the bridge, each is told so in its own language."""
    for lang in ("de", "fr"):
        prompts.generate(lang)
    german, french = (Speech(lang=lang, currency=rig.config.gateway.currency)
                      for lang in ("de", "fr"))
    rig.start(balance=1000)
    bob = accounts.create("bob", "1234", 0, time.time())
    accounts.authorize_caller_id(bob.id, FRIEND, time.time())
    Account.update(language="de").where(Account.id == rig.account_id).execute()
    Account.update(language="fr").where(Account.id == bob.id).execute()
    ended, follower = answered_a(rig)
    assert rig.user.wait_heard(Finder(german.say("connecting_you_to")), timeout=10)
    rig.friend.answer()
    until_published(follower, "b", "connected")
    rig.stop()
    assert rig.friend.wait_heard(Finder(french.say("box_closing")), timeout=5)
    assert rig.user.wait_heard(Finder(german.say("box_closing")), timeout=5)
    assert not rig.friend.wait_heard(Finder(german.say("box_closing")), timeout=0.1)
