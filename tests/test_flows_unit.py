"""The call flows branch by branch, on a scripted box and session (tests/flowscript.py).

The flows are the real modules; only what they ask of the box and of their
session is scripted, at the seam of gateway/calls/flows/seams.py. Everything
runs on virtual time: the whole file takes well under two seconds. The
end-to-end tests (test_callback.py, test_connect_two.py) run the same flows
on the virtual GSM network.
"""
from __future__ import annotations

import inspect
import time

import pytest

from audio.bridge import Bridge
from audio.phrases import Phrase
from audio.speech import Speech
from gateway.calls.flows import callback, connect_two, seams
from gateway.calls.flows.connect_two import Outcome
from gateway.calls.flows.context import FlowContext
from gateway.calls.flows.seams import CreditExhausted, Hangup
from gateway.calls.flows.session import Leg, Session
from gateway.money.accounts import PinCheck
from gateway.money.billing import Rate
from gateway.money.ledger import Account

from tests.flowscript import (EPOCH, Phone, ScriptedAccount, ScriptedBox, ScriptedLeg,
                              ScriptedSession, Words, hang_up, press)

USER = "+4915112345678"
STRANGER = "+4915199999999"
DEST = "+49301234567"
DEST_TYPED = "0301234567#"
FRIEND = "+4917055555555"
MOBILE = Rate("4915", "DE mobile", 6000, 0, 1, 1)     # 6 cents a minute, per second
FIXED = Rate("4930", "Berlin", 3000, 0, 1, 1)         # 3 cents a minute
MOBILE_O2 = Rate("4917", "DE mobile", 6000, 0, 1, 1)


def anna(**changes) -> ScriptedAccount:
    fields = dict(id=7, name="anna", number="123456782", pin="4321", balance=1000,
                  caller_ids={USER})
    return ScriptedAccount(**{**fields, **changes})


def box(*accounts: ScriptedAccount, **options) -> ScriptedBox:
    return ScriptedBox(list(accounts) or [anna()], [MOBILE, FIXED, MOBILE_O2], **options)


def call_back(context: ScriptedBox, session: ScriptedSession, number: str = USER,
              destination: str | None = None) -> str:
    """Runs the callback flow; gives "hung up" when the user's hang up ended it."""
    try:
        callback.run(context, session, number, destination)
    except CreditExhausted:
        raise
    except Hangup:
        return "hung up"
    return "returned"


# -- the seams: the real objects and the scripted ones have every member a flow uses --

def real_objects():
    context = FlowContext(ScriptedBox().config, Speech(currency="EUR"), time.time)
    return {seams.Box: context, seams.CallSession: Session(None, "callback", USER),
            seams.CallLeg: Leg("callback", USER, "m1", None, "null"),
            seams.Voice: context.speech, seams.AccountSeen: Account(id=1, name="anna"),
            seams.PinAnswer: PinCheck(ok=True)}


def scripted_objects():
    session = ScriptedSession(USER)
    leg = ScriptedLeg("callback", USER, session)
    return {seams.Box: box(), seams.CallSession: session, seams.CallLeg: leg,
            seams.Joined: session.bridge(leg, leg), seams.Voice: Words(),
            seams.AccountSeen: anna(), seams.PinAnswer: PinCheck(ok=False)}


@pytest.mark.parametrize("objects", [real_objects, scripted_objects], ids=["real", "scripted"])
def test_the_real_and_the_scripted_objects_fit_the_seams(objects):
    for protocol, thing in objects().items():
        assert isinstance(thing, protocol), f"{type(thing).__name__} is no {protocol.__name__}"
        for name, member in vars(protocol).items():
            if inspect.isfunction(member) and not name.startswith("_"):
                wanted = list(inspect.signature(member).parameters)[1:]
                given = list(inspect.signature(getattr(thing, name)).parameters)
                assert given == wanted, f"{type(thing).__name__}.{name}{given}: seam says {wanted}"
    assert issubclass(Bridge, seams.Joined)      # made by the real session once legs have audio


def test_a_session_is_known_by_its_row_only():
    assert not hasattr(FlowContext, "session_id")
    context = real_objects()[seams.Box]
    assert context.reserved(Session(None, "callback", USER)) == 0    # no row yet: holds nothing
    assert not hasattr(context, "_session_ids")


# -- callback: who the caller is ----------------------------------------------------

def test_a_known_caller_hears_the_balance_and_is_asked_for_a_destination():
    context = box()
    session = ScriptedSession(USER, [hang_up(after="enter_destination", wait=1)])
    assert call_back(context, session) == "hung up"
    assert session.said[0] == "your_balance_is ten euro"      # num2words: "euro"
    assert session.prompts() == ["your_balance_is", "enter_destination"]
    assert session.dialled == [USER] and session.hung_up == []


class PhrasesBeingMade(Words):
    """A Voice whose phrases are still being made when first asked for (a loaded box)."""

    def ready(self, part: str) -> bool:
        return not isinstance(part, Phrase)


def test_a_phrase_being_made_does_not_hold_up_the_prompt_before_it():
    context = box()
    context.speech = PhrasesBeingMade()
    session = talk(hang_up(after="enter_destination", wait=1), hangs_up_after=30)
    assert call_back(context, session) == "hung up"
    # the prompt is said at once, its phrase after it (made meanwhile)
    assert session.said[:2] == ["your_balance_is", "ten euro"]
    assert session.said[3] == "you_can_talk_for" and session.said[4].endswith(" minutes")


def test_a_key_during_the_prompt_before_a_phrase_being_made_cuts_both():
    context = box()
    context.speech = PhrasesBeingMade()
    session = talk(hang_up(after="enter_destination"), hangs_up_after=30)
    session._cues[0] = press(DEST_TYPED, after="your_balance_is", wait=-0.1)
    assert call_back(context, session) == "hung up"
    assert session.said[0] == "your_balance_is" and "ten euro" not in session.said
    assert session.prompts()[1] == "you_can_talk_for"      # the keys are the destination


def test_a_callback_nobody_answers_says_nothing():
    # leg A ending, even unanswered, ends the session as a hang up does
    session = ScriptedSession(USER, phones={USER: Phone(answers_after=None)})
    assert call_back(box(), session) == "hung up"
    assert session.said == [] and session.hung_up == [USER]


def test_no_free_callback_modem_ends_quietly():
    session = ScriptedSession(USER, no_modem=("callback",))
    assert call_back(box(), session) == "returned"
    assert session.dialled == []


def test_the_right_pin_saves_the_caller_id():
    account = anna(caller_ids=set())
    session = ScriptedSession(USER, [press("123456782#", after="enter_account"),
                                     press("4321#", after="enter_pin"),
                                     hang_up(after="enter_destination")])
    assert call_back(box(account), session) == "hung up"
    assert session.prompts() == ["enter_account", "enter_pin", "your_balance_is",
                                 "enter_destination"]
    assert account.caller_ids == {USER}


def test_the_caller_id_is_not_saved_when_the_box_says_so():
    account = anna(caller_ids=set())
    session = ScriptedSession(USER, [press("123456782#", after="enter_account"),
                                     press("4321#", after="enter_pin"),
                                     hang_up(after="enter_destination")])
    call_back(box(account, callback={"save_caller_id_after_pin": False}), session)
    assert account.caller_ids == set() and "your_balance_is" in session.prompts()


def test_star_erases_the_last_key():
    account = anna(caller_ids=set())
    session = ScriptedSession(USER, [press("1234569*782#", after="enter_account"),
                                     press("43215*#", after="enter_pin"),
                                     hang_up(after="enter_destination")])
    assert call_back(box(account), session) == "hung up"
    assert "wrong_pin" not in session.prompts() and "your_balance_is" in session.prompts()


def wrong_pins(count: int) -> list:
    cues = []
    for _ in range(count):
        cues += [press("123456782#", after="enter_account"), press("9999#", after="enter_pin")]
    return cues


def test_five_wrong_pins_lock_pin_entry_from_the_number():
    context = box(anna(caller_ids=set()))
    first = ScriptedSession(STRANGER, wrong_pins(3))
    assert call_back(context, first, STRANGER) == "returned"
    assert first.prompts() == ["enter_account", "enter_pin", "wrong_pin"] * 3 + ["goodbye"]
    second = ScriptedSession(STRANGER, wrong_pins(2))
    assert call_back(context, second, STRANGER) == "returned"
    assert second.prompts() == (["enter_account", "enter_pin", "wrong_pin",
                                 "enter_account", "enter_pin", "pin_locked", "goodbye"])
    # locked: the right PIN is refused too, without saying whether it was right
    third = ScriptedSession(STRANGER, [press("123456782#", after="enter_account"),
                                       press("4321#", after="enter_pin")])
    assert call_back(context, third, STRANGER) == "returned"
    assert third.prompts() == ["enter_account", "enter_pin", "pin_locked", "goodbye"]
    assert third.dialled == [STRANGER]


def test_an_unknown_account_number_counts_as_a_wrong_pin():
    context = box(anna(caller_ids=set()))
    session = ScriptedSession(STRANGER, [press("999999999#", after="enter_account"),
                                         press("4321#", after="enter_pin")])
    assert call_back(context, session, STRANGER) == "returned"
    # then two silent tries: no account number typed, nothing counted
    assert session.prompts() == ["enter_account", "enter_pin", "wrong_pin", "enter_account",
                                 "enter_account", "goodbye"]
    assert context.wrong_pins == {STRANGER: 1}


def test_silence_at_the_pin_prompts_ends_with_goodbye():
    session = ScriptedSession(STRANGER)
    assert call_back(box(anna(caller_ids=set())), session, STRANGER) == "returned"
    assert session.prompts() == ["enter_account"] * 3 + ["goodbye"]


def test_a_locked_account_gets_no_call_even_with_the_right_pin():
    session = ScriptedSession(USER, [press("123456782#", after="enter_account"),
                                     press("4321#", after="enter_pin")])
    assert call_back(box(anna(caller_ids=set(), locked=True)), session) == "returned"
    assert session.prompts() == ["enter_account", "enter_pin", "account_locked", "goodbye"]
    assert session.dialled == [USER]


# -- callback: money before the prompts ------------------------------------------------

def test_too_many_sessions_of_the_account_are_refused():
    session = ScriptedSession(USER)
    assert call_back(box(anna(running=1)), session) == "returned"
    assert session.said == ["all_lines_busy goodbye"]


def test_a_balance_that_does_not_cover_the_callback_ends_it():
    session = ScriptedSession(USER)
    assert call_back(box(anna(balance=2)), session) == "returned"    # 30 s of leg A: 3 cents
    assert session.said == ["not_enough_credit goodbye"]


def test_typing_too_slowly_uses_up_the_reserved_credit():
    session = ScriptedSession(USER)
    with pytest.raises(CreditExhausted):
        call_back(box(leg_a_seconds=20), session)
    assert session.clock() == pytest.approx(2.0 + 20.0)    # answered after 2 s


# -- callback: the destination -----------------------------------------------------------

def talk(*cues, **phones):
    return ScriptedSession(USER, [press(DEST_TYPED, after="enter_destination"), *cues],
                           phones={DEST: Phone(**phones)} if phones else None)


def test_a_destination_is_rated_announced_dialled_and_bridged():
    session = talk(hang_up(after="enter_destination"), hangs_up_after=30)
    context = box()
    assert call_back(context, session) == "hung up"
    assert session.prompts() == ["your_balance_is", "enter_destination", "you_can_talk_for",
                                 "enter_destination"]
    assert session.dialled == [USER, DEST] and session.bridged == [(USER, DEST)]
    assert session.hung_up == []       # B ended the call, then the user
    assert "ringback" in session.story[[i for i, line in enumerate(session.story)
                                         if f"dial {DEST}" in line][0]]
    assert context.held[1] > 0


def test_hash_eleven_ends_only_the_destination():
    session = talk(press("#11", wait=10), hang_up(after="enter_destination"))
    assert call_back(box(), session) == "hung up"
    assert session.hung_up == [DEST]
    assert session.legs[1].cause == "normal" and session.legs[1].talk_seconds > 5
    assert session.prompts()[-1] == "enter_destination"
    assert session.leg_a.ended_at is not None and USER not in session.hung_up


def test_time_up_beeps_ends_the_destination_and_asks_again():
    # 1 euro at 6 (leg A) + 3 (leg B) cents a minute: about 11 minutes of talk
    session = talk(hang_up(after="enter_destination"))
    assert call_back(box(anna(balance=100)), session) == "hung up"
    said = session.said[session.prompts().index("you_can_talk_for")]
    assert said.endswith("minutes")
    leg_b = session.legs[1]
    assert session.hung_up == [DEST] and 600 < leg_b.talk_seconds < 700
    ended = leg_b.ended_at - EPOCH
    assert session.beeps == [pytest.approx(ended - 60, abs=0.01)]     # warning_before_end
    assert session.prompts()[-2:] == ["time_is_up", "enter_destination"]


def test_a_busy_destination_is_said_and_the_user_asked_again():
    session = talk(hang_up(after="enter_destination"), busy=True)
    assert call_back(box(), session) == "hung up"
    assert session.prompts()[-2:] == ["destination_busy", "enter_destination"]
    assert session.bridged == [] and session.legs[1].cause == "busy"


def test_a_destination_that_does_not_answer_is_hung_up():
    session = talk(hang_up(after="enter_destination"), answers_after=None)
    assert call_back(box(), session) == "hung up"
    assert session.hung_up == [DEST] and session.legs[1].cause == "no answer"
    assert session.prompts()[-2:] == ["no_answer", "enter_destination"]


def test_no_free_destination_modem():
    session = ScriptedSession(USER, [press(DEST_TYPED, after="enter_destination"),
                                     hang_up(after="enter_destination")],
                              no_modem=("destination",))
    assert call_back(box(), session) == "hung up"
    assert session.prompts()[-2:] == ["all_lines_busy", "enter_destination"]


def test_no_rate_for_the_destination_is_a_refused_try():
    cues = [press("0033123456789#", after="enter_destination") for _ in range(3)]
    session = ScriptedSession(USER, cues)
    assert call_back(box(), session) == "returned"
    assert session.prompts() == ["your_balance_is"] + ["enter_destination", "no_rate"] * 3 \
        + ["goodbye"]
    assert session.dialled == [USER]


def test_not_enough_credit_for_a_call():
    # 5 cents: leg A's prompt time, but not a minute of a call more
    session = talk(hang_up(after="enter_destination"))
    context = box(anna(balance=5), callback={"min_call_seconds": 60})
    assert call_back(context, session) == "hung up"
    assert session.prompts()[-2:] == ["not_enough_credit", "enter_destination"]
    assert session.dialled == [USER]


def test_a_reservation_refused_at_the_last_moment_is_not_enough_credit():
    session = talk(hang_up(after="enter_destination"))
    assert call_back(box(hold_fails=True), session) == "hung up"
    assert session.prompts()[-2:] == ["not_enough_credit", "enter_destination"]


def test_a_blocked_prefix_is_not_dialled():
    session = ScriptedSession(USER, [press("0900123456#", after="enter_destination"),
                                     hang_up(after="enter_destination")])
    assert call_back(box(), session) == "hung up"
    assert session.prompts()[-2:] == ["number_not_allowed", "enter_destination"]


def test_a_destination_sent_by_sms_is_called_without_asking():
    session = ScriptedSession(USER, phones={DEST: Phone(hangs_up_after=5)})
    assert call_back(box(), session, destination=DEST) == "returned"
    assert session.prompts() == ["your_balance_is", "you_can_talk_for", "goodbye"]
    assert session.bridged == [(USER, DEST)]


def test_no_audio_for_the_bridge_ends_the_destination():
    session = ScriptedSession(USER, phones={DEST: Phone()}, no_audio=True)
    assert call_back(box(), session, destination=DEST) == "returned"
    assert session.hung_up == [DEST] and session.bridged == []


# -- keys typed ahead ----------------------------------------------------------------------
# A negative wait starts the keys that long before the prompt's end: during it.

def test_a_destination_typed_during_the_balance_is_kept_and_cuts_it_short():
    session = talk(hang_up(after="enter_destination"), hangs_up_after=30)
    session._cues[0] = press(DEST_TYPED, after="your_balance_is", wait=-1.0)
    assert call_back(box(), session) == "hung up"
    assert session.prompts() == ["your_balance_is", "you_can_talk_for", "enter_destination"]
    assert session.dialled == [USER, DEST] and session.bridged == [(USER, DEST)]
    balance_said = next(line for line in session.story if "says: your_balance_is" in line)
    first_key = next(line for line in session.story if "user presses" in line)
    # the balance (1.2 s) stopped at the first key: it said no more after it
    assert float(first_key.split()[0]) - float(balance_said.split()[0]) < 1.0
    assert session.story.index(first_key) < session.story.index(
        next(line for line in session.story if "says: you_can_talk_for" in line))


def test_account_and_pin_typed_in_one_go_are_both_kept():
    # the PIN prompt starts between two keys and the next key stops it
    account = anna(caller_ids=set())
    session = ScriptedSession(USER, [press("123456782#4321#", after="enter_account", wait=-0.3),
                                     hang_up(after="enter_destination")])
    assert call_back(box(account), session) == "hung up"
    assert session.prompts() == ["enter_account", "enter_pin", "your_balance_is",
                                 "enter_destination"]
    assert account.caller_ids == {USER}


def test_keys_typed_during_an_error_prompt_are_cleared():
    account = anna(caller_ids=set())
    session = ScriptedSession(USER, [press("123456782#9999#", after="enter_account"),
                                     press("5", after="wrong_pin", wait=-0.2),
                                     press("123456782#", after="enter_account"),
                                     press("4321#", after="enter_pin"),
                                     hang_up(after="enter_destination")])
    assert call_back(box(account), session) == "hung up"
    assert session.prompts() == ["enter_account", "enter_pin", "wrong_pin", "enter_account",
                                 "enter_pin", "your_balance_is", "enter_destination"]
    assert account.caller_ids == {USER}


def test_a_key_during_the_busy_prompt_starts_the_next_destination():
    session = ScriptedSession(USER, [press(DEST_TYPED, after="enter_destination"),
                                     press("017055555555#", after="destination_busy", wait=-0.3),
                                     hang_up(after="enter_destination")],
                              phones={DEST: Phone(busy=True), FRIEND: Phone(hangs_up_after=5)})
    assert call_back(box(), session) == "hung up"
    assert session.prompts() == ["your_balance_is", "enter_destination", "you_can_talk_for",
                                 "destination_busy", "you_can_talk_for", "enter_destination"]
    assert session.dialled == [USER, DEST, FRIEND] and session.bridged == [(USER, FRIEND)]


# -- connect two -------------------------------------------------------------------------

def connect(context: ScriptedBox, session: ScriptedSession, a: str = USER,
            b: str = FRIEND) -> Outcome:
    outcome = Outcome(a, b)
    try:
        connect_two.run(context, session, 7, a, b, outcome)
    except Hangup:
        outcome.states.append(("-", "hung up"))
    return outcome


@pytest.mark.parametrize("account, b, refusal", [
    (anna(locked=True), FRIEND, "the account is locked"),
    (anna(), "+4990012345", "+4990012345 may not be dialled"),
    (anna(running=1), FRIEND, "too many calls running for this account"),
    (anna(), "+33123456789", "no rate for +33123456789"),
    (anna(balance=1), FRIEND, "not enough credit"),
], ids=["locked", "prefix", "sessions", "rate", "credit"])
def test_connect_two_refused_before_dialling(account, b, refusal):
    session = ScriptedSession(USER)
    outcome = connect(box(account), session, b=b)
    assert outcome.refusal == refusal
    assert session.dialled == [] and session.said == []


def test_connect_two_reservation_refused():
    session = ScriptedSession(USER)
    assert connect(box(hold_fails=True), session).refusal == "not enough credit"


def test_connect_two_a_busy():
    session = ScriptedSession(USER, phones={USER: Phone(busy=True)})
    context = box()
    outcome = connect(context, session)
    assert outcome.a_state == "busy" and outcome.b_state == "not called"
    assert session.dialled == [USER]
    assert [(event["leg"], event["state"]) for event in context.published] == [
        ("a", "dialing"), ("a", "busy")]


def test_connect_two_b_no_answer():
    session = ScriptedSession(USER, phones={FRIEND: Phone(answers_after=None)})
    outcome = connect(box(), session)
    assert outcome.b_state == "no answer"
    assert session.hung_up == [FRIEND]
    assert session.said[0].startswith("connecting_you_to four nine one seven")
    assert session.said[-1] == "no_answer goodbye"


def test_connect_two_bridges_until_b_hangs_up():
    session = ScriptedSession(USER, phones={FRIEND: Phone(hangs_up_after=42)})
    context = box()
    outcome = connect(context, session)
    assert outcome.states[-1] == ("-", "hung up")
    assert session.bridged == [(USER, FRIEND)] and session.hung_up == []
    assert session.legs[1].talk_seconds == pytest.approx(42)
    assert ("b", "ended") in outcome.states and outcome.a_state == "connected"
    assert {event["session"] for event in context.published} == {1}


def test_connect_two_ends_b_when_the_time_is_up():
    session = ScriptedSession(USER)
    outcome = connect(box(anna(balance=30)), session)
    assert outcome.states[-1] == ("-", "hung up")
    assert session.hung_up == [FRIEND]
    assert 60 <= session.legs[1].talk_seconds <= 300


def test_connect_two_each_leg_hears_its_own_language():
    """A hears its account's language (the session's), B its number's ([languages])."""
    session = ScriptedSession(USER, phones={FRIEND: Phone(hangs_up_after=5)})
    connect(box(anna(language="de"), languages={"+4917055": "tr"}), session)
    assert session.language == "de"
    assert [(leg.number, leg.language) for leg in session.legs] == [(USER, None),
                                                                    (FRIEND, "tr")]
