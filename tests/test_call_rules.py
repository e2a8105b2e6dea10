"""The callback's rules on the whole box: routes by prefix to modem groups, the
destination prefix lists (every way a number can reach a modem), rings before
the reject, and the callback leg billed on the user's own rate."""
from __future__ import annotations

import threading

import pytest

from gateway.calls.intents import CallIntent
from gateway.config import load
from modems.events import ModemUp
from modems.sim import Delays, Network, PhoneState

from tests.boxrig import BOX, FRIEND, USER, Rig, config_text, ensure_prompts, wait_for

THIRD_SIM = "+4915110000003"
# The user's own number has a rate of its own (30 c/min), the friend's is 12 c/min: the
# callback leg must be billed at 30, the destination at 12.
RATES = """prefix,description,price_per_minute,connect_fee,initial_increment,increment
49,Germany,0.06,0,60,60
4917,Germany mobile,0.12,0,60,60
4917012345678,the user's own line,0.30,0,60,60
49900,Germany premium,2.00,0,60,60
"""


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def atds(modem) -> list[str]:
    return [line for line in list(modem.commands) if line.startswith("ATD")]


class GroupRig(Rig):
    """The standard rig plus a third modem; m2 and m3 are destination modems in groups
    "landline" and "mobile" (m2 first, so a box that ignores routes takes m2)."""

    def __init__(self, network, workdir, callback: dict):
        super().__init__(network, workdir, callback=callback)
        self.third = network.add_modem(name="m3", number=THIRD_SIM, profile="simcom")
        text = config_text(workdir, [(self.trigger, ["trigger", "callback"]),
                                     (self.dest_modem, ["destination"]),
                                     (self.third, ["destination"])], callback)
        text = text.replace('name = "m2"', 'name = "m2"\ngroup = "landline"')
        text = text.replace('name = "m3"', 'name = "m3"\ngroup = "mobile"')
        (workdir / "callbox.toml").write_text(text)
        self.config = load(str(workdir / "callbox.toml"))
        self._third_up = threading.Event()

    def _observe(self, event) -> None:
        if isinstance(event, ModemUp) and event.modem == "m3":
            self._third_up.set()
        super()._observe(event)

    def start(self, wait_third: bool = True, **seed) -> None:
        super().start(**seed)
        assert not wait_third or self._third_up.wait(10), "m3 did not come up"


def test_destination_goes_out_on_its_routes_group_and_legs_use_their_own_rates(network,
                                                                               tmp_path):
    rig = GroupRig(network, tmp_path, {"routes": {"+4917": "mobile", "+4930": "landline"}})
    try:
        rig.start(balance=1000, rates=RATES)
        user, friend = rig.user, rig.friend
        user.call(BOX)
        assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
        user.answer()
        assert rig.heard(user, "enter_destination", timeout=20)
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=20), "the destination did not ring"
        friend.answer()
        assert friend.wait_state(PhoneState.ACTIVE)
        # the box writes a leg's record once it has seen the answer: hang up only then, or
        # a busy machine's box may never see the destination active
        assert wait_for(lambda: any(cdr.role == "destination" for cdr in rig.cdrs()), 20), \
            "the box did not see the destination answer"
        friend.hangup()
        user.hangup()
        assert rig.wait_settled()
        cdrs = rig.cdrs()
    finally:
        rig.stop()
    assert [(cdr.role, cdr.modem) for cdr in cdrs] == [("callback", "m1"), ("destination", "m3")]
    assert atds(rig.dest_modem) == [] and len(atds(rig.third)) == 1
    # leg A on the user's own number's rate (30 c), leg B on the friend's (12 c)
    assert [(cdr.rate_prefix, cdr.cost) for cdr in cdrs] == [("4917012345678", 30), ("4917", 12)]
    assert rig.balance() == 1000 - 42


@pytest.fixture
def rig(network, tmp_path, request):
    box = Rig(network, tmp_path, callback=getattr(request, "param", {}))
    yield box
    box.stop()


@pytest.mark.parametrize("rig", [{"blocked_prefixes": ["+4917098"]},
                                 {"allowed_prefixes": ["+4930"]}], indirect=True)
def test_a_typed_destination_outside_the_prefix_lists_is_not_dialled(rig):
    rig.start()
    user = rig.user
    user.call(BOX)
    assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
    user.answer()
    assert rig.heard(user, "enter_destination", timeout=20)
    user.clear_heard()
    user.press("017098765432#")
    assert rig.heard(user, "number_not_allowed")
    user.hangup()
    assert rig.wait_settled()
    assert atds(rig.dest_modem) == [] and rig.friend.state is PhoneState.IDLE
    assert [cdr.role for cdr in rig.cdrs()] == ["callback"]


@pytest.mark.parametrize("rig", [{"blocked_prefixes": ["+4917098"]}], indirect=True)
@pytest.mark.parametrize("text", [f"CB {FRIEND}", f"CONNECT {USER} {FRIEND}",
                                  f"CONNECT {FRIEND} {USER}"])
def test_an_sms_naming_a_blocked_number_is_refused_and_calls_nobody(rig, text):
    rig.start()
    rig.user.send_sms(BOX, text)
    assert rig.user.wait_sms(1, timeout=20), "no reply"
    reply = rig.user.inbox[0].text
    assert FRIEND in reply and "may not be dialled" in reply, reply
    # the refusal and the intent share the command's transaction: no intent, no call
    assert not CallIntent.select().exists()
    assert atds(rig.trigger) == [] and atds(rig.dest_modem) == []


@pytest.mark.parametrize("rig", [{"allowed_prefixes": ["+4917012"]}], indirect=True)
def test_connect_two_from_the_web_refuses_a_number_outside_the_allowed_prefixes(rig):
    rig.start()
    ended = threading.Event()
    outcomes = []
    rig.daemon.calls.start_connect(rig.account_id, USER, FRIEND,
                                   notify=lambda outcome: (outcomes.append(outcome), ended.set()))
    assert ended.wait(20), "the connect-two session did not end"
    assert outcomes[0].refusal == f"{FRIEND} may not be dialled"
    assert atds(rig.trigger) == [] and atds(rig.dest_modem) == []


@pytest.mark.parametrize("rings", [1, 3])
def test_the_caller_hears_ring_before_reject_rings_before_the_busy_tone(tmp_path, rings):
    # Rings 0.6 s apart: a box that rejects early or late is a whole ring off.
    network = Network(tmp_path / "gsm", delays=Delays.zero(ring_interval=0.6), country="DE")
    network.start()
    rig = Rig(network, tmp_path, callback={"ring_before_reject": rings})
    try:
        rig.start()
        user = rig.user
        user.call(BOX)
        assert user.wait_state(PhoneState.ALERTING, timeout=10)
        call = next(c for c in network.switch.calls if c.caller is user)
        assert user.wait_state(PhoneState.IDLE, timeout=10), "the box did not reject the call"
        assert user.last_cause == "busy"
        assert call.rings == rings
        assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
        user.reject()
        assert rig.wait_settled()
    finally:
        rig.stop()
        network.stop()


def test_a_destination_modem_group_is_left_for_any_other_when_it_is_busy(network, tmp_path):
    """The documented fallback: a route's group first, then any free destination modem."""
    rig = GroupRig(network, tmp_path, {"routes": {"+4917": "mobile"}})
    try:
        rig.third.unplug()
        rig.start(wait_third=False, balance=1000)
        user, friend = rig.user, rig.friend
        user.call(BOX)
        assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
        user.answer()
        assert rig.heard(user, "enter_destination", timeout=20)
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=20), "the destination did not ring"
        friend.reject()
        user.hangup()
        assert rig.wait_settled()
        assert [(cdr.role, cdr.modem) for cdr in rig.cdrs()] == [("callback", "m1"),
                                                                  ("destination", "m2")]
    finally:
        rig.stop()

