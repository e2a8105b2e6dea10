"""The language menu ([callback] language_menu) and the language a call speaks, branch by
branch on a scripted box and session (tests/flowscript.py): a caller with no language of
their own hears the options, the key picks one, keys typed after it stay typed ahead."""
from __future__ import annotations

from gateway.calls.flows import callback
from gateway.calls.flows.seams import Hangup

from tests.flowscript import Phone, ScriptedAccount, ScriptedBox, ScriptedSession, hang_up, press
from tests.test_flows_unit import FIXED, MOBILE, MOBILE_O2

USER = "+4915112345678"
DEST = "+49301234567"
MENU = "menu_option en 1 menu_option de 2 menu_option tr 3"


def anna(**changes) -> ScriptedAccount:
    fields = dict(id=7, name="anna", number="123456782", pin="4321", balance=1000,
                  caller_ids={USER})
    return ScriptedAccount(**{**fields, **changes})


def box(*accounts: ScriptedAccount, menu: bool = True) -> ScriptedBox:
    return ScriptedBox(list(accounts) or [anna()], [MOBILE, FIXED, MOBILE_O2],
                       callback={"language_menu": menu},
                       languages={"+90": "tr", "+49": "de"})


def call_back(context: ScriptedBox, session: ScriptedSession) -> None:
    try:
        callback.run(context, session, USER)
    except Hangup:
        pass


def test_a_caller_without_a_language_chooses_one_and_it_is_kept():
    context = box()
    session = ScriptedSession(USER, [press("2", after="menu_option"),
                                     hang_up(after="enter_destination", wait=1)])
    call_back(context, session)
    assert session.said[0] == MENU       # the box's language first, then [languages]
    assert session.prompts() == ["menu_option", "your_balance_is", "enter_destination"]
    assert context.chosen == {USER: "de"} and session.language == "de"
    again = ScriptedSession(USER, [hang_up(after="enter_destination", wait=1)])
    call_back(context, again)            # chosen once: no menu the next time
    assert again.prompts() == ["your_balance_is", "enter_destination"]
    assert again.language == "de"


def test_keys_typed_after_the_choice_are_the_next_entry():
    context = box()
    session = ScriptedSession(USER, [press("3" + "0301234567#", after="menu_option"),
                                     hang_up(wait=30)],
                              phones={DEST: Phone(answers_after=None)})
    call_back(context, session)
    assert context.chosen == {USER: "tr"}
    # the next key cuts the balance short; "enter the number" is not said: the keys
    # typed ahead were the number
    assert session.prompts()[:3] == ["menu_option", "your_balance_is", "you_can_talk_for"]
    assert session.dialled[:2] == [USER, DEST]


def test_a_key_that_is_no_option_keeps_no_language_and_starts_the_entry():
    context = box()
    session = ScriptedSession(USER, [press("0301234567#", after="menu_option"),
                                     hang_up(wait=30)],
                              phones={DEST: Phone(answers_after=None)})
    call_back(context, session)
    assert context.chosen == {} and session.language == "de"     # by its +49
    assert session.dialled[:2] == [USER, DEST]


def test_no_key_goes_on_in_the_language_of_the_number():
    context = box()
    session = ScriptedSession(USER, [hang_up(after="enter_destination", wait=1)])
    call_back(context, session)
    assert session.prompts() == ["menu_option", "your_balance_is", "enter_destination"]
    assert context.chosen == {} and session.language == "de"


def test_an_account_language_or_a_menu_left_off_asks_nothing():
    for context in (box(anna(language="pl")), box(menu=False)):
        session = ScriptedSession(USER, [hang_up(after="enter_destination", wait=1)])
        call_back(context, session)
        assert session.prompts() == ["your_balance_is", "enter_destination"]
    assert session.language == "de"
    polish = box(anna(language="pl"))
    session = ScriptedSession(USER, [hang_up(after="enter_destination", wait=1)])
    call_back(polish, session)
    assert session.language == "pl"


def test_an_unknown_caller_hears_the_menu_first_then_the_account_language_after_the_pin():
    context = box(anna(language="pl", caller_ids=set()))
    session = ScriptedSession(USER, [press("1", after="menu_option"),
                                     press("123456782#", after="enter_account"),
                                     press("4321#", after="enter_pin"),
                                     hang_up(after="enter_destination", wait=1)])
    call_back(context, session)
    assert session.prompts() == ["menu_option", "enter_account", "enter_pin",
                                 "your_balance_is", "enter_destination"]
    assert context.chosen == {USER: "en"} and session.language == "pl"


def test_a_voice_per_language_is_made_once_and_one_without_prompts_falls_back(caplog):
    from audio import prompts
    from audio.speech import Speech
    from gateway.calls.flows.voices import Voices

    assert prompts.generate("de").failed == {}       # a no-op after `make prompts`
    voices = Voices(Speech("en", currency="PLN"))
    german = voices.get("de")
    assert german is voices.get("de") and german.lang == "de" and german.currency == "PLN"
    assert german.phrases is voices.default.phrases
    assert voices.get(None) is voices.default and voices.get("en") is voices.default
    with caplog.at_level("ERROR", logger="gateway.calls.flows.voices"):
        assert voices.get("xx") is voices.default      # no prompts in xx at all
        assert voices.get("xx") is voices.default
    said = [record.getMessage() for record in caplog.records
            if record.name == "gateway.calls.flows.voices"]
    assert len(said) == 1 and said[0].startswith("callers of language xx hear en instead: ")
    assert voices.speaks("de") and not voices.speaks("xx")
