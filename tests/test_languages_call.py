"""A callback in the caller's language on the virtual network: what the phone hears."""
from __future__ import annotations

import pytest

from audio import prompts
from audio.match import Finder
from audio.phrases import phrase_path
from audio.pcm import RATE
from audio.player import PAUSE_S, load_prompt
from modems.sim import PhoneState

from tests.boxrig import BOX, Rig
from tests.sms_rig import wait_until


@pytest.fixture
def rig(network, tmp_path, request):
    lang = request.param
    assert prompts.generate(lang).failed == {}      # a no-op after `make prompts`
    box = Rig(network, tmp_path, callback={"language": lang, "destination_tries": 1})
    yield box
    box.stop()


# One language end to end (about 15 s of real-time audio; the suite is near its time
# limit): Arabic, the one furthest from English (its own script, noun before "one",
# duals); every language's words and prompts are checked without a call in
# tests/test_languages.py.
@pytest.mark.parametrize("rig", ["ar"], indirect=True)
def test_balance_talk_time_and_goodbye_in_the_box_language(rig):
    # 21.01 USD: plural and singular in one amount ("واحد و عشرون دولاراً وسنت واحد");
    # both legs at 12 c a minute, billed by the minute, leg A 10 s past the bridge:
    # 12 (m + 1) + 12 m <= 2101 gives 87 minutes
    rig.start(balance=2101)
    user, friend = rig.user, rig.friend
    user.call(BOX)
    assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
    # the balance's words are made while the phone rings, not after the answer
    balance = rig.speech.money_words(2101)
    made = phrase_path(rig.workdir / "phrases", "ar", balance)
    wait_until(made.is_file, timeout=6, what=f"the balance phrase in {made.parent}")
    assert user.state is PhoneState.RINGING
    user.answer()
    assert rig.heard(user, "your_balance_is", balance, timeout=20)
    user.press("017098765432#")         # typed ahead: "enter the number" is not said
    # 87 minutes are past the pre-made 60: made now, while "you can talk for" is said
    talk_for, talk_time = Finder(rig.prompt("you_can_talk_for")), Finder(
        rig.prompt(rig.speech.duration_words(87 * 60)))
    assert user.wait_heard(talk_for, timeout=15) and user.wait_heard(talk_time, timeout=15)
    silence = talk_time.offset - talk_for.offset - len(rig.prompt("you_can_talk_for")) // 2
    assert 0 <= silence <= RATE * (PAUSE_S + 0.3), f"{silence / RATE:.3f} s between them"
    assert friend.wait_state(PhoneState.RINGING, timeout=15), "destination did not ring"
    friend.answer()
    assert user.wait_state(PhoneState.ACTIVE)
    friend.hangup()                     # the talk ends: the user is asked again
    user.clear_heard()
    asked = load_prompt("enter_destination", rig.speech.lang)[:RATE]      # its first 0.5 s
    assert user.wait_heard(Finder(asked), timeout=15)
    user.press("#")                     # no second destination: the one try is spent
    assert rig.heard(user, "goodbye")
    assert rig.wait_settled()
