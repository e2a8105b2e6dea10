"""Keys typed ahead, end to end on the virtual network, for every modem profile.

A regular user answers the callback and types the destination at once, while
the balance is still being said: one key every 150 ms from 0.5 s after the
answer. The box must keep those keys (the balance stops at the first one),
ask for nothing more, and dial the destination. Keys travel as in-band tones
(every profile; Huawei and generic modems report no keys) and, for SIMCom and
Quectel, also as the modem's key reports alone.
"""
from __future__ import annotations

import threading

import pytest

from audio.match import find
from modems.sim import PhoneState

from tests.boxrig import FRIEND, USER, Rig, ensure_prompts

DESTINATION_TYPED = "017098765432#"
KEY_EVERY = 0.15            # seconds from one key to the next
FIRST_KEY_AFTER = 0.5       # seconds from the answer to the first key


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def typed_ahead_call(rig: Rig, in_band: bool, signalled: bool) -> None:
    """One callback whose destination is typed during the balance; ends both calls."""
    user, friend = rig.user, rig.friend
    user.clear_heard()
    rig.daemon.calls.start_session(USER)
    assert user.wait_state(PhoneState.RINGING, timeout=10), "no callback"
    user.answer()
    threading.Event().wait(FIRST_KEY_AFTER)     # the user's own timing, not a wait for the box
    user.press(DESTINATION_TYPED, every=KEY_EVERY, in_band=in_band, signalled=signalled)
    assert friend.wait_state(PhoneState.RINGING, timeout=15), \
        "the destination typed ahead was not dialled"
    heard = user.heard()
    assert find(heard, rig.prompt("enter_destination")) is None, \
        "the box asked for the destination it had been given"
    assert find(heard, rig.prompt("you_can_talk_for")) is not None
    friend.hangup()
    user.hangup()
    assert user.wait_state(PhoneState.IDLE, timeout=10)


@pytest.mark.parametrize("profile, ways", [
    ("generic", [(True, False)]),
    ("huawei", [(True, False)]),
    ("simcom", [(True, False), (False, True)]),
    ("quectel", [(True, False), (False, True)]),
])
def test_a_destination_typed_during_the_balance_is_dialled(network, tmp_path, profile, ways):
    rig = Rig(network, tmp_path, profiles=(profile, "simcom"))
    try:
        rig.start(balance=1250)
        for count, (in_band, signalled) in enumerate(ways, start=1):
            typed_ahead_call(rig, in_band, signalled)
            assert rig.wait_settled(count)
    finally:
        rig.stop()
    assert [cdr.number for cdr in rig.cdrs()][-1] == FRIEND
