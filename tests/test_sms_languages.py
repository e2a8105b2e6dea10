"""SMS in the sender's language: every command word in every language, the replies in the
account's language (else the country calling code's), LANG <code>, money as each
language writes it. The rig: real SQLite, virtual modems, the real SmsService."""
from __future__ import annotations

import ast
import os
import string

import pytest

from gateway.actions.audit import AuditRecord
from gateway.config import ConfigError, parse
from gateway.config.sms import COMMANDS, SmsConfig
from gateway.calls import policy
from gateway.calls.flows.connect_two import Outcome
from gateway.config.sms_texts import REASONS, STATES, TEXTS, WORDS, fold
from gateway.config.table_sms import SMS_ALIASES, SMS_REPLIES
from gateway.money import accounts
from gateway.money.ledger import Account, Blocklist
from gateway.sms.wording import (amount_text, amount_words, connect_summary, reason_text,
                                 state_text)

from tests.sms_rig import SmsBox, commands, wait_until

TURK = "+905321234567"
STRANGER = "+4917099999999"
LANGUAGES = ("en", *WORDS)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_word_names_two_commands_in_any_two_languages():
    config = SmsConfig()
    owner: dict[str, tuple[str, str]] = {}
    clashes = []
    every = {"en": {key.name: key.default for key in SMS_ALIASES.keys}, **WORDS}
    for lang, words in every.items():
        for command, items in words.items():
            for word in items:
                seen = owner.setdefault(fold(word), (lang, command))
                if seen[1] != command:
                    clashes.append((word, lang, command, seen))
                assert config.command_of(word) == command, (lang, word)
    assert clashes == []
    assert len(owner) > 8 * len(COMMANDS)          # every language has words of its own


def test_every_language_has_every_text_and_word_with_the_right_placeholders():
    for lang in WORDS:
        assert set(WORDS[lang]) == set(COMMANDS), lang
        assert set(TEXTS[lang]) == set(SMS_REPLIES.names()), lang
        for name, text in TEXTS[lang].items():
            english = {field for _, field, _, _ in string.Formatter().parse(
                SMS_REPLIES[name].default) if field}
            own = {field for _, field, _, _ in string.Formatter().parse(text) if field}
            assert own == english, (lang, name)     # says all the English text says
    config = SmsConfig()
    assert config.reply("help", "de").startswith("Befehle: RÜCKRUF = Rückruf.")
    assert "BAKİYE = bakiye" in config.reply("help", "tr")
    assert config.reply("usage_reg", "ru") == "Напишите РЕГ <счёт> <PIN>."


@pytest.mark.parametrize("written, command", [
    ("guthaben", "bal"), ("Solde", "bal"), ("SALDO", "bal"), ("bakiye", "bal"),
    ("BAKİYE", "bal"), ("Bakıye", "bal"), ("баланс", "bal"), ("رصيد", "bal"),
    ("RÜCKRUF", "cb"), ("rueckruf", "cb"), ("Ruckruf", "cb"), ("llámame", "cb"),
    ("polacz", "connect"), ("POŁĄCZ", "connect"), ("desinscrire", "unreg"),
    ("Désinscrire", "unreg"), ("الغاء", "unreg"), ("إلغاء", "unreg"), ("ЯЗЫК", "lang"),
    ("dil", "lang"), ("DİL", "lang"), ("Sprache", "lang"), ("language", "lang"),
    ("hallo", None), ("saldos", None),
])
def test_command_words_ignore_case_and_accents(written, command):
    assert SmsConfig().command_of(written) == command


def test_texts_and_words_overridden_per_language():
    config = parse({"sms": {"texts": {"de": {"balance": "Stand: {amount}"},
                                      "nl": {"balance": "Saldo: {amount}"}},
                            "words": {"de": {"bal": ["KONTOSTAND"]},
                                      "nl": {"bal": ["TEGOED"], "help": ["HULP"]}}}})
    sms = config.sms
    assert sms.reply("balance", "de", amount="1", words="x") == "Stand: 1"
    assert sms.reply("callback", "de") == "Wir rufen Sie jetzt zurück."
    assert sms.command_of("kontostand") == "bal" and sms.command_of("GUTHABEN") is None
    assert sms.command_of("tegoed") == "bal" and sms.reply("register_first", "nl") == (
        "Register first: REG <account> <pin>")           # Dutch lacks it: English
    assert sms.word("help", "nl") == "HULP" and sms.word("cb", "nl") == "CB"
    assert "[sms.texts.de]\nbalance = \"Stand: {amount}\"" in config.effective_toml()


@pytest.mark.parametrize("sms, key, reason", [
    ({"texts": {"de": {"balanse": "x"}}}, "sms.texts.de.balanse",
     "unknown key (did you mean balance?)"),
    ({"texts": {"de": {"balance": "{amont}"}}}, "sms.texts.de.balance", "unknown placeholder"),
    ({"texts": {"de": {"help": ""}}}, "sms.texts.de.help", "must not be empty"),
    ({"texts": {"de": {"help": 3}}}, "sms.texts.de.help", "must be a string"),
    ({"texts": {"en": {"help": "x"}}}, "sms.texts.en", "English is [sms.replies]"),
    ({"texts": {"Deutsch": {}}}, "sms.texts.Deutsch", "is not a language code"),
    ({"texts": {"de": "x"}}, "sms.texts.de", "must be a table"),
    ({"words": {"fr": {"help": ["Guthaben"]}}}, "sms.words.fr.help",
     "'GUTHABEN' is already a word of 'bal' in de"),
    ({"words": {"de": {"help": ["cb"]}}}, "sms.words.de.help", "is already a word of 'cb' in en"),
    ({"words": {"de": {"bal": ["zwei worte"]}}}, "sms.words.de.bal", "is not one word"),
])
def test_bad_language_tables_are_named(sms, key, reason):
    with pytest.raises(ConfigError) as caught:
        parse({"sms": sms}, "callbox.toml")
    assert caught.value.key == key and reason in caught.value.reason, caught.value


def test_money_as_each_language_writes_it():
    assert [amount_text(123456, "EUR", lang) for lang in ("en", "de", "fr", "tr")] == [
        "€1,234.56", "1.234,56 €", "1 234,56 €", "€1.234,56"]
    assert amount_words(2150, "EUR", "de") == "einundzwanzig Euro und fünfzig Cent"
    assert amount_words(2100, "EUR", "fr") == "vingt et un euros"
    assert amount_words(150, "EUR", "nl") == "one euro and fifty cents"   # no Dutch words


@pytest.fixture
def box(network, tmp_path):
    rig = SmsBox(network, tmp_path, sections={"languages": {"+90": "tr"}})
    rig.account("ayse", "1234", 1234, numbers=[TURK])
    rig.start()
    yield rig
    rig.stop()


def test_replies_in_the_senders_language_and_lang_sets_it(box, network):
    turk = network.add_phone(TURK)
    # a Turkish number, no language of the account: Turkish ([languages] "+90" = "tr")
    assert box.reply_to(turk, "bakiye") == (
        "Bakiyeniz €12,34 (on iki avro otuz dört sent).")
    # any language's word works for anyone, the answer stays in the sender's language
    assert box.reply_to(turk, "GUTHABEN").startswith("Bakiyeniz €12,34")
    assert box.reply_to(turk, "merhaba").startswith("Komutlar: ARA = beni geri ara.")
    assert box.reply_to(turk, "DİL xx") == (
        "xx bu kutunun dillerinden değil. DİL <kod> yazın; diller: "
        "en, de, fr, es, it, pl, tr, ru, ar.")
    assert box.reply_to(turk, "dil") == "DİL <kod> yazın; diller: en, de, fr, es, it, pl, tr, ru, ar."
    # LANG DE: the account's language, by the action the CLI and the web use; the
    # reply already in German
    assert box.reply_to(turk, "lang DE") == "Ihre Sprache ist jetzt Deutsch."
    ayse = accounts.by_name("ayse")
    assert ayse.language == "de"
    audit = AuditRecord.get(AuditRecord.action == "set_language")
    assert (audit.actor, audit.via, audit.account_id) == (TURK, "sms", ayse.id)
    assert box.reply_to(turk, "BAL") == (
        "Ihr Guthaben beträgt 12,34 € (zwölf Euro und vierunddreißig Cent).")
    assert box.reply_to(turk, "язык ar") == "لغتك الآن: العربية."
    assert box.reply_to(turk, "رصيد").startswith("رصيدك")
    # "-" takes the account's language away: the number's decides again
    assert box.reply_to(turk, "SPRACHE -") == "Diliniz artık: Türkçe."
    assert accounts.by_name("ayse").language is None
    assert [command.result for command in commands()][-1] == "language of ayse set to tr"


def test_lang_from_an_unregistered_number_changes_nothing(box, network):
    stranger = network.add_phone(STRANGER)
    assert box.reply_to(stranger, "LANG de") == "Register first: REG <account> <pin>"
    wait_until(lambda: commands()[-1].state == "done", what="command done")
    assert AuditRecord.select().where(AuditRecord.action == "set_language").count() == 0


def fields(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def test_every_language_gives_every_refusal_reason_with_its_values():
    assert set(REASONS) == set(LANGUAGES)
    for lang, texts in REASONS.items():
        assert set(texts) == set(REASONS["en"]), lang
        for name, text in texts.items():
            assert fields(text) == fields(REASONS["en"][name]), (lang, name)
            if lang != "en":
                assert text != REASONS["en"][name], (lang, name)      # translated
    assert reason_text("account ayşe is locked", "de") == "das Konto ayşe ist gesperrt"
    assert reason_text("+3312345 may not be dialled", "tr") == "+3312345 aranamaz"
    assert reason_text("account x is locked", "nl") == "account x is locked"   # no Dutch
    assert reason_text("a reason nobody wrote down", "de") == "a reason nobody wrote down"


def refusals_written_in(path: str, function: str) -> list[str]:
    """Gives each reason `function` in `path` returns, its values filled with X1, X2..."""
    with open(os.path.join(ROOT, path)) as source:
        tree = ast.parse(source.read())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == function:
            for returned in ast.walk(node):
                value = getattr(returned, "value", None) if isinstance(returned, ast.Return) \
                    else None
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append(value.value)
                elif isinstance(value, ast.JoinedStr):
                    found.append("".join(part.value if isinstance(part, ast.Constant)
                                         else f"X{index}"
                                         for index, part in enumerate(value.values)))
    return found


def test_each_reason_the_call_side_gives_an_sms_has_its_translation():
    written = (refusals_written_in("gateway/calls/policy.py", "refusal")
               + refusals_written_in("gateway/calls/by_sms.py", "_not_dialled"))
    assert len(written) >= 8
    untranslated = [text for text in written if reason_text(text, "de") == text]
    assert untranslated == []


def test_a_refusal_reply_gives_the_reason_in_the_senders_language(box, network):
    turk = network.add_phone(TURK)
    Blocklist.create(number=TURK)
    box.actions.refusal = policy.refusal(None, None, TURK, False, 0.0)   # the real words
    assert box.reply_to(turk, "ARA") == "Üzgünüz, şu an olmuyor: numara engelli listesinde"
    box.reply_to(turk, "SPRACHE de")
    assert box.reply_to(turk, "RÜCKRUF") == (
        "Leider nicht möglich: die Nummer steht auf der Sperrliste")
    box.actions.refusal = "a reason only the English knows"
    assert box.reply_to(turk, "rueckruf") == (
        "Leider nicht möglich: a reason only the English knows")


def refusals_assigned_in(path: str) -> list[str]:
    """Gives each `outcome.refusal = ...` text in `path`, its values filled with X1, X2..."""
    with open(os.path.join(ROOT, path)) as source:
        tree = ast.parse(source.read())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(target, ast.Attribute)
                                                and target.attr == "refusal"
                                                for target in node.targets):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(value.value)
            elif isinstance(value, ast.JoinedStr):
                found.append("".join(part.value if isinstance(part, ast.Constant)
                                     else f"X{index}" for index, part in enumerate(value.values)))
    return found


def test_the_connect_summary_in_every_language():
    config = SmsConfig()
    refusals = refusals_assigned_in("gateway/calls/flows/connect_two.py")
    assert len(refusals) >= 5
    states = ("not called", "dialing", "alerting", "connected", "ended", "busy", "no answer",
              "rejected", "failed", "no carrier", "network", "modem down",
              "no free callback modem", "no free destination modem")
    assert set(STATES["en"]) == set(states)
    for lang in LANGUAGES:
        assert set(STATES[lang]) == set(states), lang
        for state in states:
            assert lang == "en" or STATES[lang][state] != state, (lang, state)   # translated
        text = connect_summary(Outcome("+4930111", "+4940222", "ended", "no answer",
                                       seconds=83, cost=1234), lang, config, "EUR")
        for piece in (STATES[lang]["ended"], STATES[lang]["no answer"], "1:23",
                      amount_text(1234, "EUR", lang)):
            assert piece in text, (lang, piece, text)
        for refusal in refusals:
            said = connect_summary(Outcome("+4930111", "+4940222", refusal=refusal), lang,
                                   config, "EUR")
            assert said.startswith(config.reply("not_connected", lang, reason="")[:5])
            assert lang == "en" or refusal not in said, (lang, said)       # translated
    assert connect_summary(Outcome("+4930111", "+4940222", "ended", "busy", cost=0), "de",
                           config, "EUR") == ("+4930111: beendet. +4940222: besetzt. "
                                              "Gesprächszeit 0:00, Kosten 0,00 €.")
    assert connect_summary(Outcome("+4930111", "+4940222", refusal="no rate for +4940222"),
                           "tr", config, "EUR") == "Bağlanmadı: +4940222 için tarife yok."
    assert state_text("a modem's own words", "fr") == "a modem's own words"


def test_the_summary_goes_in_the_language_of_the_account_that_asked(box, network):
    turk = network.add_phone(TURK)
    ayse = accounts.by_caller_id(TURK)
    notify = box.service.summary_to(TURK, None)
    outcome = Outcome(TURK, "+4930111", "ended", "busy", cost=0)
    notify(outcome, ayse.id)         # no language of the account: Turkish by +90
    assert turk.wait_sms(1, 10), "no summary"
    assert turk.inbox[0].text == ("+905321234567: sona erdi. +4930111: meşgul. Konuşma "
                                  "süresi 0:00, ücret €0,00.")
    Account.update(language="pl").where(Account.id == ayse.id).execute()
    notify(Outcome(TURK, "+4930111", refusal="not enough credit"), ayse.id)
    assert turk.wait_sms(2, 10), "no second summary"
    assert turk.inbox[1].text == "Nie połączono: za mało środków."
