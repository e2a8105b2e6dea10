"""SMS commands end to end: a virtual phone texts the box, the box acts and answers by SMS.

Real SQLite, a real modem pool on the virtual network, the real SmsService; only the
call side is our RecordingActions (it records what a command asked for)."""
from __future__ import annotations

import pytest

from gateway.config.sms import SmsConfig
from gateway.money import accounts
from gateway.money.ledger import AuthFailure, CallerId
from gateway.sms.parsing import number_words, parse
from gateway.sms.models import SmsIn
from modems.sim import sms_pdu

from tests.sms_rig import ActionRecord, SmsBox, commands, outbox, wait_until

USER = "+4917012345678"
STRANGER = "+4917099999999"
REGISTER_FIRST = "Register first: REG <account> <pin>"


@pytest.fixture
def box(network, tmp_path, db_url):
    """The SMS box on each engine: SQLite, and PostgreSQL (commands shared by boxes)."""
    rig = SmsBox(network, tmp_path, database=db_url)
    rig.account("alice", "1234", 1234, numbers=[USER])
    rig.start()
    yield rig
    rig.stop()


@pytest.fixture
def user(network):
    return network.add_phone(USER)


@pytest.fixture
def stranger(network):
    return network.add_phone(STRANGER)


def actions() -> list[tuple]:
    return [(a.kind, a.number, a.destination, a.other) for a in ActionRecord.select()]


def test_parse_words_case_and_separators():
    config = SmsConfig()
    assert parse("  cb ", config).command == "cb"
    assert parse("Cb,0301234567", config).words == ("0301234567",)
    assert parse("conf +4930111 , +4930222", config).words == ("+4930111", "+4930222")
    assert parse("", config).command == "cb"
    assert parse("", SmsConfig(empty_sms_is_callback=False)).command == "help"
    assert parse("hello there", config).known is False
    assert number_words(("030", "123", "4567", "thanks")) == "0301234567"
    assert number_words(("+4930111", "+4930222")) == "+4930111"
    assert number_words(("please",)) is None


def test_callback(box, user):
    assert box.reply_to(user, "CB") == "Calling you back now."
    assert actions() == [("callback", USER, None, None)]


def test_empty_sms_is_a_callback(box, user):
    assert box.reply_to(user, "") == "Calling you back now."
    assert actions() == [("callback", USER, None, None)]


def test_callback_to_a_national_number(box, user):
    assert box.reply_to(user, "cb 030 1234 567") == "Calling you back now, then +49301234567."
    assert actions() == [("callback", USER, "+49301234567", None)]


def test_callback_to_a_bad_number(box, user):
    assert box.reply_to(user, "CB 12ab") == "12ab is not a number the box can call."
    assert actions() == []


def test_refusal_from_the_call_side_is_texted_back(box, user):
    box.actions.refusal = "no modem is free"
    assert box.reply_to(user, "CB") == "Sorry, not now: no modem is free"
    assert commands()[0].result == "callback refused: no modem is free"


def test_connect_two_with_summary(box, user):
    reply = box.reply_to(user, "CONNECT 0301111111, +4940222222")
    assert reply == ("Connecting +49301111111 and +4940222222. A summary follows by SMS "
                     "when the call ends.")
    account = accounts.by_name("alice")
    record = ActionRecord.get()
    assert (record.kind, record.number, record.destination, record.other, record.account) == (
        "connect", USER, "+49301111111", "+4940222222", account.id)
    box.actions.notifies[0]("Call ended: both answered, 2:05, 0.42 EUR")
    assert user.wait_sms(2) and user.inbox[1].text == "Call ended: both answered, 2:05, 0.42 EUR"
    assert outbox()[-1].kind == "notice"


def test_connect_alias_and_usage(box, user):
    assert box.reply_to(user, "conf 0301111111") == "Write CONNECT <number> <number>."
    assert actions() == []


def test_balance_in_words_and_digits(box, user):
    assert box.reply_to(user, "bal") == (
        "Your balance is €12.34 (twelve euro and thirty-four cents).")


def test_unknown_sender_must_register_first(box, stranger):
    for text in ("CB", "CB 0301234567", "CONNECT 0301111111 0302222222", "BAL"):
        assert box.reply_to(stranger, text) == REGISTER_FIRST
    assert actions() == []


def test_register_unregister(box, stranger):
    assert box.reply_to(stranger, "reg alice 1234") == (
        f"This phone ({STRANGER}) is now registered for account alice.")
    assert accounts.by_caller_id(STRANGER).name == "alice"
    assert box.reply_to(stranger, "CB") == "Calling you back now."
    assert box.reply_to(stranger, "UNREG") == f"This phone ({STRANGER}) is no longer registered."
    assert accounts.by_caller_id(STRANGER) is None
    assert box.reply_to(stranger, "unreg") == "This phone is not registered."
    reg = commands()[0]
    assert reg.text == "reg alice ****" and "1234" not in "".join(
        (row.text or "") + row.pdu for row in SmsIn.select())


def test_register_by_account_number(box, stranger):
    account = accounts.by_name("alice")
    assert box.reply_to(stranger, f"REG,{account.number},1234").startswith("This phone")


def test_wrong_pin_counts_towards_the_lock(box, stranger):
    for attempt in range(4):
        assert box.reply_to(stranger, f"REG alice 99{attempt:02d}") == "Wrong account or PIN."
    locked = "Too many wrong PINs: PIN entry is locked, try again later."
    assert box.reply_to(stranger, "REG alice 9999") == locked       # the fifth locks
    assert box.reply_to(stranger, "REG alice 1234") == locked
    assert accounts.by_caller_id(STRANGER) is None
    # the sender's number is locked, not alice's account
    assert accounts.number_locked(STRANGER, box.service.now())
    assert not accounts.pin_locked(accounts.by_name("alice"), box.service.now())


def test_wrong_account_says_the_same(box, stranger):
    assert box.reply_to(stranger, "REG nobody 1234") == "Wrong account or PIN."
    assert box.reply_to(stranger, "REG alice") == "Write REG <account> <pin>."
    # a wrong account counts against the sender, like a wrong PIN
    assert [(row.account_id, row.number) for row in AuthFailure.select()] == [(None, STRANGER)]
    assert CallerId.select().where(CallerId.number == STRANGER).count() == 0


def test_help_at_most_once_per_hour(box, stranger):
    help_text = box.reply_to(stranger, "HELP")
    assert help_text.startswith("Commands: CB = call me back.")
    stranger.send_sms(box.modems[0].number, "what is this")
    wait_until(lambda: len(commands("done")) == 2, what="second help processed")
    assert commands()[1].result.endswith("help already sent within 3600 s")
    assert len(outbox()) == 1
    box.net.settle()
    assert len(stranger.inbox) == 1


def test_alphanumeric_and_short_code_senders_are_dropped(box, network):
    modem = box.modems[0]
    for sender in ("VODAFONE", "22222", "+49\rAT"):
        modem.deliver_raw_pdu(sms_pdu.encode_deliver(sender, "CB")[0])
    wait_until(lambda: len(commands("dropped")) == 3, what="three dropped")
    assert outbox() == [] and actions() == []
    assert not any("CMGS" in command for command in modem.commands)


def test_ucs2_command(box, user):
    assert box.reply_to(user, "Bal ☎ bitte").startswith("Your balance is €12.34")


def test_localized_aliases_and_replies(network, tmp_path):
    rig = SmsBox(network, tmp_path, sms={
        "aliases": {"cb": ["RR", "RÜCKRUF"], "bal": ["KONTO"]},
        "replies": {"callback": "Wir rufen zurück.", "balance": "Guthaben: {amount}"}})
    rig.account("alice", "1234", 500, numbers=[USER])
    rig.start()
    try:
        phone = network.add_phone(USER)
        assert rig.reply_to(phone, "rückruf") == "Wir rufen zurück."
        assert rig.reply_to(phone, "Konto") == "Guthaben: €5.00"
        assert rig.reply_to(phone, "CB").startswith("Commands: RR = call me back.")
    finally:
        rig.stop()


def test_words_after_cb_that_are_no_number_are_ignored(box, user):
    assert box.reply_to(user, "CB please, thanks") == "Calling you back now."
    assert actions() == [("callback", USER, None, None)]


def test_connect_bad_number_and_refusal(box, user):
    assert box.reply_to(user, "CONNECT 0301111111 abc") == "abc is not a number the box can call."
    box.actions.refusal = "not enough credit"
    assert box.reply_to(user, "CONNECT 0301111111 0302222222") == (
        "Sorry, not now: not enough credit")
    assert actions() == [] and len(box.actions.calls) == 1


def test_empty_sms_gets_help_when_so_configured(network, tmp_path):
    rig = SmsBox(network, tmp_path, sms={"empty_sms_is_callback": False})
    rig.account("alice", "1234", 500, numbers=[USER])
    rig.start()
    try:
        assert rig.reply_to(network.add_phone(USER), "").startswith("Commands:")
        assert actions() == []
    finally:
        rig.stop()
        rig.stop()                          # stopping twice is safe


def test_emergency_and_short_numbers_are_not_dialled(box, user):
    """CB 112 gets the words to call it from one's own phone (it became +49112 and was
    dialled); a service number and a number without its area code are refused plainly."""
    assert box.reply_to(user, "CB 112") == ("112 is an emergency number: the box does not "
                                            "call it. Call 112 from your own phone.")
    assert box.reply_to(user, "CONNECT 0301111111 +49110") == (
        "+49110 is an emergency number: the box does not call it. Call +49110 from your "
        "own phone.")
    assert box.reply_to(user, "CB 116117") == "116117 is not a number the box can call."
    stranger = box.net.add_phone(STRANGER)      # not registered: told the same first
    assert box.reply_to(stranger, "CB 1 1 2").startswith("112 is an emergency number")
    assert box.reply_to(stranger, "CB 0301234567") == REGISTER_FIRST
    assert box.reply_to(user, "CB 12") == "12 is not a number the box can call."
    assert actions() == []
    assert [row.result for row in commands()][:2] == [
        "callback refused: '112' is an emergency number: call it from your own phone; the "
        "box does not connect emergency calls",
        "connect refused: '+49110' is an emergency number: call it from your own phone; "
        "the box does not connect emergency calls"]
