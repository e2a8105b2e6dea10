"""SMS commands through the whole box: callback by SMS, balance, connect two with a summary."""
from __future__ import annotations

import pytest

from modems.sim import PhoneState

from tests.boxrig import BOX, FRIEND, Rig, ensure_prompts


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def rig(network, tmp_path):
    box = Rig(network, tmp_path)
    yield box
    box.stop()


def test_cb_calls_the_sender_back(rig):
    rig.start(balance=1250)
    rig.user.send_sms(BOX, "cb")
    assert rig.user.wait_state(PhoneState.RINGING, timeout=15)
    rig.user.answer()
    assert rig.heard(rig.user, "your_balance_is")
    rig.user.hangup()
    assert rig.wait_settled()


def test_cb_with_a_number_goes_straight_to_it(rig):
    rig.start(balance=1250)
    rig.user.send_sms(BOX, "CB 017098765432")
    assert rig.user.wait_state(PhoneState.RINGING, timeout=15)
    rig.user.answer()
    assert rig.heard(rig.user, "you_can_talk_for")
    assert rig.friend.wait_state(PhoneState.RINGING, timeout=15)
    rig.friend.answer()
    rig.friend.hangup()
    assert rig.wait_settled()
    assert [cdr.role for cdr in rig.cdrs()] == ["callback", "destination"]


def test_bal_replies_by_sms(rig):
    rig.start(balance=1250)
    rig.user.send_sms(BOX, "BAL")
    assert rig.user.wait_sms(count=1, timeout=15)
    assert "12.50" in rig.user.inbox[0].text


def test_connect_two_by_sms_sends_a_summary(rig):
    rig.start(balance=1000)
    rig.user.send_sms(BOX, f"CONNECT 017012345678 {FRIEND}")
    assert rig.user.wait_state(PhoneState.RINGING, timeout=15)
    rig.user.answer()
    assert rig.friend.wait_state(PhoneState.RINGING, timeout=20)
    rig.friend.answer()
    assert rig.heard(rig.user, "connecting_you_to")
    rig.friend.hangup()
    assert rig.user.wait_sms(count=2, timeout=20)
    texts = [sms.text for sms in rig.user.inbox]
    assert any("cost" in text for text in texts), texts
    assert [cdr.account_id for cdr in rig.cdrs()] == [rig.account_id, rig.account_id]
