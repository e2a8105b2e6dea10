"""A whole callback on modems that list a leftover data call beside the voice calls."""
from __future__ import annotations

import pytest


from modems.sim import PhoneState
from modems.sim.other_calls import DATA

from tests.boxrig import BOX, FRIEND, USER, Rig, ensure_prompts, talk


@pytest.fixture(scope="session", autouse=True)
def voice_prompts():
    ensure_prompts()


def test_callback_completes_beside_a_leftover_data_call(network, tmp_path):
    """The Quectel EG25-G of the field report (`+CLCC: 1,1,0,1,0,"",128` in its list) is the
    trigger and callback modem; the destination SIMCom lists a data call too."""
    rig = Rig(network, tmp_path, profiles=("quectel", "simcom"))
    rig.trigger.list_other_call(1, DATA)
    rig.dest_modem.list_other_call(1, DATA)
    try:
        rig.start(balance=1250)
        rig.user.call(BOX)
        assert rig.user.wait_state(PhoneState.ALERTING, timeout=5)
        assert rig.user.wait_state(PhoneState.IDLE, timeout=10), "the box did not reject the call"
        assert rig.user.last_cause == "busy"
        assert rig.user.wait_state(PhoneState.RINGING, timeout=10), "no callback"
        rig.user.answer()
        assert rig.heard(rig.user, "enter_destination", timeout=20)
        rig.user.press("017098765432#")
        assert rig.friend.wait_state(PhoneState.RINGING, timeout=20), "the destination did not ring"
        rig.friend.answer()
        assert talk(rig.friend, rig.user, 1300.0, timeout=10), "the legs were not bridged"
        rig.user.clear_heard()
        rig.friend.hangup()
        assert rig.heard(rig.user, "enter_destination", timeout=20)
        rig.user.hangup()
        assert rig.wait_settled()
        cdrs = rig.cdrs()
        assert [(cdr.role, cdr.number) for cdr in cdrs] == [("callback", USER),
                                                           ("destination", FRIEND)]
        assert all(cdr.answered_at for cdr in cdrs)
        assert rig.reserved() == 0 and rig.balance() == 1250 - sum(cdr.cost for cdr in cdrs)
        assert set(rig.trigger.other_calls) == {1} and set(rig.dest_modem.other_calls) == {1}
    finally:
        rig.stop()
