"""Connect two numbers: A is called and told whom they get, B is called, both are bridged and billed."""
from __future__ import annotations

import queue

import pytest

from audio import tones
from audio.match import find
from modems.sim import PhoneState

from tests.boxrig import FRIEND, USER, Rig, ensure_prompts


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
    tone = tones.tone(750.0, 0.4)
    user.play(tone)
    assert friend.wait_heard(lambda pcm: find(pcm, tone[1600:4800]) is not None, timeout=5)
    back = tones.tone(1250.0, 0.4)
    friend.play(back)
    assert user.wait_heard(lambda pcm: find(pcm, back[1600:4800]) is not None, timeout=5)
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
