"""The regular callback end to end: trigger, reject, call back, balance, PIN, destination, bridge."""
from __future__ import annotations

import logging
import threading
import time

import pytest

from audio import tones
from audio.match import Finder, find
from gateway.money.ledger import Account, Session
from modems.sim import PhoneState

from gateway.calls.timeline import MASK, events_of
from tests.boxrig import BOX, FRIEND, USER, Rig, ensure_prompts, talk, wait_for


@pytest.fixture(scope="session", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def rig(network, tmp_path):
    box = Rig(network, tmp_path)
    yield box
    box.stop()


def timeline(ended_legs: int) -> list:
    """Gives the first session's timeline once `ended_legs` legs have ended in it (the
    session-events worker writes it a moment after the call)."""
    def written() -> bool:
        session = Session.select().order_by(Session.id).first()
        return session is not None and sum(event.kind == "leg" and event.what == "ended"
                                           for event in events_of(session.id)) >= ended_legs
    assert wait_for(written, timeout=5), "the call's timeline was not written"
    return events_of(Session.select().order_by(Session.id).first().id)


def said_so_far() -> str:
    """Gives the first session's timeline as written so far (what a failed wait saw)."""
    session = Session.select().order_by(Session.id).first()
    return "" if session is None else " ".join(f"{event.kind}:{event.what}"
                                               for event in events_of(session.id))


def trigger_and_answer(rig) -> float:
    """The user rings the box, is rejected, is called back and answers; gives reject-to-ring s."""
    user = rig.user
    user.call(BOX)
    assert user.wait_state(PhoneState.ALERTING, timeout=5)
    assert user.wait_state(PhoneState.IDLE, timeout=10), "the box did not reject the call"
    rejected = time.monotonic()
    assert user.last_cause == "busy"
    assert user.wait_state(PhoneState.RINGING, timeout=10), "no callback"
    delay = time.monotonic() - rejected
    user.answer()
    return delay


def test_happy_path_known_caller(rig):
    rig.start(balance=1250)
    user, friend = rig.user, rig.friend
    delay = trigger_and_answer(rig)
    assert delay <= rig.config.callback.callback_delay + 0.5
    assert rig.heard(user, "your_balance_is", rig.speech.money_words(1250))
    assert rig.heard(user, "enter_destination")
    assert find(user.heard(), rig.prompt("enter_pin")) is None, "PIN asked of a known caller"
    assert friend.state is PhoneState.IDLE
    user.press("017098765432#")
    assert rig.heard(user, "you_can_talk_for")
    assert friend.wait_state(PhoneState.RINGING, timeout=15), "destination did not ring"
    announced = find(user.heard(), rig.prompt("you_can_talk_for"))
    assert announced is not None
    ring_tone = tones.tone(425.0, 0.3)
    assert user.wait_heard(lambda pcm: find(pcm[-32000:], ring_tone) is not None, timeout=5), \
        "no ringback while the destination rings"
    friend.answer()
    assert user.wait_state(PhoneState.ACTIVE)
    # audio both ways through the bridge
    assert talk(user, friend, 700.0)
    assert talk(friend, user, 1300.0)
    # #11 ends only the destination leg; the user is asked again
    user.clear_heard()
    user.press("#11")
    assert friend.wait_state(PhoneState.IDLE, timeout=10)
    assert user.state is PhoneState.ACTIVE
    assert rig.heard(user, "enter_destination")
    user.hangup()
    assert rig.wait_settled()
    cdrs = rig.cdrs()
    assert [cdr.role for cdr in cdrs] == ["callback", "destination"]
    assert cdrs[0].number == USER and cdrs[1].number == FRIEND
    assert all(cdr.answered_at for cdr in cdrs)
    # both legs are German mobile numbers: 12 cents a minute each, first minute
    assert [cdr.cost for cdr in cdrs] == [12, 12]
    assert rig.balance() == 1250 - 24
    assert rig.reserved() == 0
    # the call's timeline: each leg's states, the prompts, the keys (those sent to the
    # other side through the bridge masked)
    events = timeline(ended_legs=2)
    states = {place: [(event.what, event.number) for event in events
                      if event.kind == "leg" and event.leg == place] for place in (1, 2)}
    assert states[2] == [("dialing", FRIEND), ("alerting", FRIEND), ("connected", FRIEND),
                         ("ended", FRIEND)]
    # the user answers at the first ring: the modem's call list may skip its alerting
    assert [state for state in states[1] if state[0] != "alerting"] == \
        [("dialing", USER), ("connected", USER), ("ended", USER)]
    keys = "".join(event.what for event in events if event.kind == "key")
    assert keys.startswith("017098765432#" + "#" + MASK * 2), keys
    prompts = [event.what for event in events if event.kind == "prompt"]
    # a phrase made in time is said with its prompt, else right after it
    assert " ".join(prompts).startswith(
        "your_balance_is twelve dollars and fifty cents enter_destination you_can_talk_for "
        "fifty-one minutes"), prompts
    assert prompts[-1] == "enter_destination"
    assert [event.at for event in events] == sorted(event.at for event in events)


@pytest.mark.parametrize("profiles", [("huawei", "generic"), ("generic", "huawei")])
def test_keys_in_band_and_serial_voice(network, tmp_path, profiles):
    """Huawei and generic modems report no keys: the box hears them in the audio."""
    box = Rig(network, tmp_path, profiles=profiles)
    try:
        box.start(balance=1250)
        user, friend = box.user, box.friend
        trigger_and_answer(box)
        assert box.heard(user, "enter_destination")
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=20), "keys not heard in-band"
        friend.answer()
        assert talk(user, friend, 900.0)
        user.press("#11")
        assert friend.wait_state(PhoneState.IDLE, timeout=10)
        user.hangup()
        assert box.wait_settled()
        assert [cdr.cost for cdr in box.cdrs()] == [12, 12]
    finally:
        box.stop()


def test_unknown_caller_pin_saves_caller_id(rig):
    rig.start(balance=500, pin="4321", authorized=False)
    user = rig.user
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_account")
    user.press(f"{rig.account_number}#")
    assert rig.heard(user, "enter_pin")
    user.press("4321#")
    assert rig.heard(user, "your_balance_is", rig.speech.money_words(500))
    user.hangup()
    assert rig.wait_settled()
    # no PIN (nor account number) in the call's timeline: its digits are masked
    keys = "".join(event.what for event in timeline(ended_legs=1) if event.kind == "key")
    assert keys == MASK * len(rig.account_number) + "#" + MASK * 4 + "#"
    from gateway.money.accounts import by_caller_id
    assert by_caller_id(USER).id == rig.account_id


def test_a_locked_account_gets_no_call_even_with_the_right_pin(rig):
    rig.start(balance=500, pin="4321", authorized=False)
    Account.update(locked=True).where(Account.id == rig.account_id).execute()
    user = rig.user
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_account")
    user.press(f"{rig.account_number}#")
    assert rig.heard(user, "enter_pin")
    user.press("4321#")
    assert rig.heard(user, "account_locked")
    assert user.wait_state(PhoneState.IDLE, timeout=15), "the box kept the call"
    assert rig.wait_settled()
    assert find(user.heard(), rig.prompt("your_balance_is")) is None
    from gateway.money.accounts import by_caller_id
    assert by_caller_id(USER) is None, "a locked account's PIN saved the caller ID"


class Refusals(logging.Handler):
    """The box's log lines, to wait for the one that says why there is no callback
    (the refusal and the callback are the two branches of one decision)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self._changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self._changed:
            self.lines.append(record.getMessage())
            self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """Gives the first line containing `text`; fails after `timeout`."""
        def found():
            return next((line for line in self.lines if text in line), None)
        with self._changed:
            assert self._changed.wait_for(found, timeout), f"no {text!r} in {self.lines}"
            return found()


@pytest.fixture
def refusals():
    logger = logging.getLogger("gateway")      # the triggers and the call service log here
    handler, level = Refusals(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def no_callback(rig, refusals, number: str, reason: str) -> None:
    """Asserts the box refused `number` a callback for `reason`, and started no session."""
    line = refusals.wait_for(f"no callback to {number}: ")
    assert line == f"no callback to {number}: {reason}"
    assert rig.user.state is not PhoneState.RINGING
    assert not Session.select().where(Session.number == number,
                                      Session.state == "running").exists()


def test_withheld_caller_is_rejected_at_once(network, tmp_path, refusals):
    box = Rig(network, tmp_path)
    try:
        withheld = network.add_phone(number="+4917055555555", withheld=True)
        box.start()
        withheld.call(BOX)
        assert withheld.wait_state(PhoneState.IDLE, timeout=5)
        assert withheld.last_cause == "busy"
        refusals.wait_for("call with withheld caller ID rejected at once")
        assert withheld.state is PhoneState.IDLE and not Session.select().exists()
    finally:
        box.stop()


def test_blocklisted_number_gets_no_callback(rig, refusals):
    rig.start()
    from gateway.money.ledger import Blocklist
    Blocklist.create(number=USER, note="abuse")
    rig.user.call(BOX)
    assert rig.user.wait_state(PhoneState.IDLE, timeout=10)
    no_callback(rig, refusals, USER, "the number is on the blocklist")


def test_unknown_caller_rate_limit(network, tmp_path, refusals):
    box = Rig(network, tmp_path, callback={"unknown_callbacks_per_hour": 1})
    try:
        box.start(authorized=False)
        user = box.user
        user.call(BOX)
        assert user.wait_state(PhoneState.RINGING, timeout=10)
        user.reject()
        assert box.wait_settled()
        user.call(BOX)
        assert user.wait_state(PhoneState.ALERTING, timeout=5)
        assert user.wait_state(PhoneState.IDLE, timeout=10)
        no_callback(box, refusals, USER, "1 callbacks to this unknown number in the last hour")
    finally:
        box.stop()


def test_destination_busy_then_back_to_the_prompt(rig):
    rig.start()
    user, friend = rig.user, rig.friend
    someone = rig.network.add_phone(number="+4917011111111")
    someone.call(FRIEND)
    assert friend.wait_state(PhoneState.RINGING)
    friend.answer()
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_destination")
    user.press("017098765432#")
    assert rig.heard(user, "destination_busy")
    user.clear_heard()
    assert rig.heard(user, "enter_destination")
    user.hangup()
    assert rig.wait_settled()
    assert [cdr.role for cdr in rig.cdrs()] == ["callback", "destination"]
    assert rig.cdrs()[1].cost == 0 and rig.cdrs()[1].cause == "busy"


def test_destination_no_answer(rig):
    rig.start()
    user, friend = rig.user, rig.friend
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_destination")
    user.press("017098765432#")
    assert friend.wait_state(PhoneState.RINGING, timeout=15)
    assert rig.heard(user, "no_answer", timeout=20)
    user.hangup()
    assert rig.wait_settled()


def test_insufficient_credit(rig):
    # 20 cents pay the call back (12 c for its first minute) but not a second leg too
    rig.start(balance=20)
    user = rig.user
    trigger_and_answer(rig)
    assert rig.heard(user, "your_balance_is", rig.speech.money_words(20))
    user.press("017098765432#")
    assert rig.heard(user, "not_enough_credit"), said_so_far()
    assert rig.friend.state is PhoneState.IDLE
    user.hangup()
    assert rig.wait_settled()
    assert rig.balance() == 8
    assert rig.reserved() == 0


def test_no_callback_without_credit_for_it(rig, refusals):
    rig.start(balance=5)
    rig.user.call(BOX)
    assert rig.user.wait_state(PhoneState.IDLE, timeout=10)
    no_callback(rig, refusals, USER, "the balance of account alice does not cover a callback")
    assert rig.balance() == 5


def test_max_duration_reached(network, tmp_path):
    per_second = ("prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
                  "49,Germany,0.12,0,1,1\n")
    box = Rig(network, tmp_path, callback={"min_call_seconds": 1, "warning_before_end": 2})
    try:
        box.start(balance=8, rates=per_second)
        user, friend = box.user, box.friend
        trigger_and_answer(box)
        assert box.heard(user, "enter_destination")
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=15)
        friend.answer()
        assert friend.wait_state(PhoneState.IDLE, timeout=30), "the time limit did not end B"
        assert box.heard(user, "time_is_up")
        # then the user is asked for a new destination (the credit left decides what next)
        assert box.heard(user, "enter_destination")
        # the warning beep went to the user only, warning_before_end (2 s) before the end,
        # measured on the user's own audio (8000 samples a second, real time)
        beep = tones.beep()
        heard = user.heard()
        beep_at = find(heard, beep)
        assert beep_at is not None
        assert find(friend.heard(), beep) is None
        time_up_at = find(heard, box.prompt("time_is_up"))
        assert time_up_at is not None
        # the end hangs B up before the prompt: allow it half a second
        assert 2.0 - 0.1 <= (time_up_at - beep_at) / 8000 <= 2.0 + 0.5, \
            (time_up_at - beep_at) / 8000
        user.hangup()
        assert box.wait_settled()
        assert box.balance() >= 0
        destination = box.cdrs()[1]
        assert destination.billed_seconds >= 1
    finally:
        box.stop()


def test_wrong_pins_end_the_call_after_three_and_lock_the_caller_after_five(rig):
    """Two calls, both end to end: three wrong PINs end the first call with goodbye (no
    money taken, no caller ID saved); two more on the next call lock the caller's number.
    Every branch of the PIN entry is also unit-tested in tests/test_flows_unit.py."""
    from gateway.money import accounts
    rig.start(balance=500, pin="4321", authorized=False)
    user = rig.user

    def type_ahead(account: str, clear: bool = True) -> None:
        """Types account and PIN as soon as the account prompt starts (the keys stop it
        and the PIN prompt is then not said: tests/test_typeahead.py)."""
        if clear:
            user.clear_heard()
        assert user.wait_heard(Finder(rig.prompt("enter_account")[:8000]), timeout=15)
        user.press(f"{account}#1111#")

    trigger_and_answer(rig)
    assert rig.heard(user, "enter_account")
    user.press(f"{rig.account_number}#")
    assert rig.heard(user, "enter_pin")
    user.press("1111#")
    assert rig.heard(user, "wrong_pin")
    for _ in range(2):
        type_ahead(rig.account_number)
        assert rig.heard(user, "wrong_pin")
    assert rig.heard(user, "goodbye")
    assert user.wait_state(PhoneState.IDLE, timeout=10)
    assert rig.wait_settled()
    assert accounts.by_caller_id(USER) is None
    assert rig.balance() == 500
    user.clear_heard()
    trigger_and_answer(rig)
    # wrong account numbers count like wrong PINs (else numbers could be probed)
    type_ahead("123456785", clear=False)
    assert rig.heard(user, "wrong_pin")
    type_ahead(rig.account_number)
    assert rig.heard(user, "pin_locked")
    assert user.wait_state(PhoneState.IDLE, timeout=15)
    assert accounts.by_caller_id(USER) is None
    # the caller's number is locked, not the account: its owner still gets in elsewhere
    now = time.time()
    assert accounts.number_locked(USER, now)
    assert not accounts.pin_locked(accounts.by_name("alice"), now)


def test_no_free_destination_modem(rig):
    rig.start()
    user = rig.user
    rig.dest_modem.unplug()
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_destination")
    user.press("017098765432#")
    assert rig.heard(user, "all_lines_busy")
    user.hangup()
    assert rig.wait_settled()
    assert [cdr.role for cdr in rig.cdrs()] == ["callback"]


def test_destination_hangs_up_and_the_user_is_asked_again(network, tmp_path):
    box = Rig(network, tmp_path, callback={"routes": {"+4917": "mobile"}})
    try:
        box.start()
        user, friend = box.user, box.friend
        trigger_and_answer(box)
        assert box.heard(user, "enter_destination")
        user.clear_heard()
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=15)
        friend.answer()
        assert talk(user, friend, 800.0)
        friend.hangup()
        assert box.heard(user, "enter_destination")
        assert user.state is PhoneState.ACTIVE
        user.hangup()
        assert box.wait_settled()
        assert [cdr.cause for cdr in box.cdrs()] == ["normal", "normal"]
    finally:
        box.stop()


def test_calling_again_at_once_gets_a_second_callback(network, tmp_path):
    """The callback takes the trigger modem at once (no delay), so the end of the rejected
    trigger call may reach the box while the callback holds that modem; the modem numbers
    the next call 1 again: it must still be taken for a new trigger, not rung forever."""
    rig = Rig(network, tmp_path, callback={"callback_delay": 0})
    rig.start()
    try:
        user = rig.user
        for done in (1, 2):
            user.clear_heard()
            trigger_and_answer(rig)
            assert rig.heard(user, "your_balance_is")
            user.hangup()
            assert rig.wait_settled(done), f"callback {done} not settled"
    finally:
        rig.stop()


def test_numbers_the_box_does_not_dial(rig):
    """A number without its area code is refused and asked again at once; an emergency
    number ends the call with the words to call it from the caller's own phone. Neither
    is dialled (both were: 12 became +4912, 112 became +49112)."""
    rig.start(balance=1250)
    user = rig.user
    trigger_and_answer(rig)
    assert rig.heard(user, "enter_destination")
    user.clear_heard()
    user.press("12#")
    assert rig.heard(user, "number_not_allowed"), said_so_far()
    assert user.wait_heard(Finder(rig.prompt("enter_destination")[:8000]), timeout=15)
    user.press("112#")                # as soon as it is asked again: the prompt stops
    # The refusal is followed at once by the next prompt: it was followed by 2 s of
    # silence (the wait after a prompt that ends a call), and a key typed in them was
    # dropped as typed during the refusal.
    session = Session.select().order_by(Session.id).first()
    said = {event.what: event.at for event in events_of(session.id) if event.kind == "prompt"}
    silence = (said["enter_destination"] - said["number_not_allowed"]
               - len(rig.prompt("number_not_allowed")) / 16000)
    assert silence < 0.5, f"{silence:.2f} s of silence after the refusal"
    assert rig.heard(user, "emergency_number", "goodbye"), said_so_far()
    assert user.wait_state(PhoneState.IDLE, timeout=10), "the caller was kept on the line"
    assert rig.wait_settled()
    assert [cdr.role for cdr in rig.cdrs()] == ["callback"], "a destination was dialled"
    assert rig.reserved() == 0
