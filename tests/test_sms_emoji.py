"""Emoji and broken UCS2 on the SMS path (issue 11, item 1): nothing a phone can send stops
the SMS commands, fills the SIM, or is lost; replies carry emoji; the admin is told."""
from __future__ import annotations

import pytest

from gateway.money import accounts
from gateway.sms.models import SmsHealth
from gateway.store.alerts import Alert
from gateway.store.db import EventLogRecord, db, is_postgresql
from modems import sms as sms_codec
from modems.sim import sms_pdu

from tests.sms_rig import ActionRecord, SmsBox, commands, outbox, received, wait_until

SENDERS = [f"+49170123{n:05d}" for n in range(40)]
# (text a phone sends, what the reply must be); lone surrogates as a broken phone sends them
MIX = (
    ("BAL 😀", "balance"),
    ("hi 😀", "help"),
    ("BAL \ud83d", "balance"),                 # a high surrogate with no pair
    ("CB 👍🏽", "callback"),                    # emoji with a skin-tone modifier
    ("BAL", "balance"),
    ("\udc00 BAL", "balance"),                 # a low surrogate with no pair, first
    ("BAL😀", "balance"),                      # no space before the emoji
    ("CB 030 1234567 🙏", "callback_to"),
)


def kind_of(reply: str) -> str:
    if reply.startswith("Your balance is"):
        return "balance"
    if reply.startswith("Commands:"):
        return "help"
    if reply == "Calling you back now.":
        return "callback"
    if reply == "Calling you back now, then +49301234567.":
        return "callback_to"
    return f"unexpected: {reply!r}"


@pytest.fixture
def rig(network, tmp_path, db_url):
    rig = SmsBox(network, tmp_path, sms={"help_interval": 0}, database=db_url)
    rig.account("alice", "1234", 1234, numbers=SENDERS)
    yield rig
    rig.stop()


def test_forty_sms_with_emoji_and_lone_surrogates_into_a_full_sim(rig, network):
    modem = rig.modems[0]
    phones = [network.add_phone(number) for number in SENDERS]
    sent = [MIX[n % len(MIX)] for n in range(40)]
    for phone, (text, _) in zip(phones, sent):
        phone.send_sms(modem.number, text)
    network.settle()
    assert len(modem.stored_sms) == modem.sms_capacity == 20     # 20 more wait at the network
    rig.start()
    for phone, (text, kind) in zip(phones, sent):
        assert phone.wait_sms(1, timeout=60), f"no reply to {text!r}"
        assert [kind_of(sms.text) for sms in phone.inbox] == [kind], text
    wait_until(lambda: modem.stored_sms == [], what="nothing left on the SIM")
    rows = received()
    assert len(rows) == 40 and {row.state for row in rows} == {"assembled"}   # nothing lost
    assert sorted(row.text for row in rows) == sorted(
        sms_codec.repair_text(text) for text, _ in sent)
    assert sum("😀" in row.text for row in rows) == 15                # pairs joined
    assert sum("\ufffd" in row.text for row in rows) == 10           # lone ones marked
    assert len(commands("done")) == 40
    wait_until(lambda: len(outbox("sent")) == 40, what="every reply marked sent")
    assert ActionRecord.select().count() == 10                       # every CB ran once
    full = Alert.get(Alert.kind == "sms-storage-full")
    assert "stored and removed all 20 SMS" in full.message
    wait_until(lambda: (health := SmsHealth.get_or_none(SmsHealth.modem == "m1")) is not None
               and health.on_sim == 0 and health.failures == 0, what="health: SIM empty")


def test_reply_with_an_emoji_goes_out_as_ucs2(rig, network):
    phone = network.add_phone(SENDERS[0])
    rig.start()
    assert rig.reply_to(phone, "CB 12😀34") == "12😀34 is not a number the box can call."
    rig.service.send(SENDERS[0], "hi 😀 " + "🙂" * 80)               # three UCS2 parts
    assert phone.wait_sms(2, timeout=10)
    assert phone.inbox[1].text == "hi 😀 " + "🙂" * 80 and phone.inbox[1].parts == 3


def test_a_long_emoji_text_is_never_split_inside_a_pair():
    text = "x" + "😀" * 100
    pdus = sms_codec.submit_pdus("+4917012345678", text, reference=7)
    parts = [sms_pdu.decode_submit(pdu) for pdu, _ in pdus]
    assert "".join(part.text for part in parts) == text
    assert all(part.text.encode("utf-8") for part in parts)          # no half pair anywhere
    assert all(length == sms_pdu.tpdu_length(pdu) for pdu, length in pdus)


def refuse_poison(database) -> str:
    """Makes the database refuse an SMS whose text has POISON; gives the SQL undoing it."""
    if is_postgresql(database):
        database.execute_sql(
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
            "IF POSITION('POISON' IN NEW.text) > 0 THEN RAISE EXCEPTION 'refused (test)'; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
        database.execute_sql("CREATE TRIGGER poison BEFORE INSERT ON sms_in "
                             "FOR EACH ROW EXECUTE FUNCTION poison()")
        return "DROP TRIGGER poison ON sms_in"
    database.execute_sql("CREATE TRIGGER poison BEFORE INSERT ON sms_in "
                         "WHEN instr(NEW.text, 'POISON') > 0 "
                         "BEGIN SELECT RAISE(ABORT, 'refused (test)'); END")
    return "DROP TRIGGER poison"


def test_an_sms_the_database_refuses_is_quarantined_and_blocks_nothing(rig, network):
    modem = rig.modems[0]
    poison = sms_pdu.encode_deliver(SENDERS[0], "BAL POISON")[0]
    modem.deliver_raw_pdu(poison)                      # first on the SIM: read first
    phones = [network.add_phone(number) for number in SENDERS[1:4]]
    for phone in phones:
        phone.send_sms(modem.number, "BAL")
    network.settle()
    refuse_poison(db)
    rig.start()
    for phone in phones:                               # the ones after it run at once
        assert phone.wait_sms(1, timeout=10)
    wait_until(lambda: modem.stored_sms == [], timeout=20, what="the SIM emptied")
    quarantined = received("quarantined")
    assert [row.pdu for row in quarantined] == [poison]
    assert "refused (test)" in quarantined[0].error
    assert len(commands()) == 3                        # the refused one ran nothing
    alert = Alert.get(Alert.kind == "sms-quarantined")
    assert "could not be stored" in alert.message and "not executed" in alert.message
    assert EventLogRecord.select().where(EventLogRecord.kind == "sms-quarantined").count() == 1
    health = SmsHealth.get(SmsHealth.modem == "m1")
    assert "refused (test)" in health.last_error and health.last_error_at is not None


def test_storage_full_alert_says_when_the_sim_could_not_be_emptied(rig, network):
    modem = rig.modems[0]
    modem.sms_capacity = 3
    for n in range(3):
        modem.deliver_raw_pdu(sms_pdu.encode_deliver(SENDERS[n], f"BAL {n}")[0])
    undo = refuse_everything(db)
    rig.start()
    wait_until(lambda: Alert.select().where(Alert.kind == "sms-storage-full").exists(),
               what="the storage alert")
    message = Alert.get(Alert.kind == "sms-storage-full").message
    assert "could not empty it" in message and "emptying it now" not in message
    assert len(modem.stored_sms) == 3
    db.execute_sql(undo)
    wait_until(lambda: modem.stored_sms == [] and len(commands("done")) == 3, timeout=30,
               what="read empty once the database takes SMS again")


def refuse_everything(database) -> str:
    """Makes the database refuse every SMS; gives the SQL undoing it."""
    if is_postgresql(database):
        database.execute_sql("CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                             "RAISE EXCEPTION 'refused (test)'; END $$ LANGUAGE plpgsql")
        database.execute_sql("CREATE TRIGGER refuse BEFORE INSERT ON sms_in "
                             "FOR EACH ROW EXECUTE FUNCTION refuse()")
        return "DROP TRIGGER refuse ON sms_in"
    database.execute_sql("CREATE TRIGGER refuse BEFORE INSERT ON sms_in "
                         "BEGIN SELECT RAISE(ABORT, 'refused (test)'); END")
    return "DROP TRIGGER refuse"


def test_reg_with_a_unicode_digit_gets_the_wrong_account_reply(rig, network):
    phone = network.add_phone("+4917099900001")
    rig.start()
    assert rig.reply_to(phone, "REG ² 1234") == "Wrong account or PIN."
    command = commands()[-1]
    assert command.state == "done" and command.text == "REG ² ****"
    assert all("1234" not in (row.text or "") + row.pdu for row in received())
    assert accounts.AuthFailure.select().where(
        accounts.AuthFailure.number == "+4917099900001").count() == 1


def test_the_pin_is_masked_before_anything_else(rig, network, caplog):
    phone = network.add_phone("+4917099900002")
    undo = refuse_auth_failures(db)          # the PIN check's write fails: the command waits
    rig.start()
    phone.send_sms(rig.modems[0].number, "REG alice 9876")
    wait_until(lambda: any("failed; trying again" in record.getMessage()
                           for record in list(caplog.records)), what="the command failed")
    command = commands()[0]
    assert command.state == "pending" and command.text == "REG alice ****"
    assert all("9876" not in (row.text or "") + row.pdu for row in received())
    db.execute_sql(undo)
    assert phone.wait_sms(1, timeout=20) and phone.inbox[0].text == "Wrong account or PIN."


def refuse_auth_failures(database) -> str:
    if is_postgresql(database):
        database.execute_sql("CREATE FUNCTION no_failures() RETURNS trigger AS $$ BEGIN "
                             "RAISE EXCEPTION 'refused (test)'; END $$ LANGUAGE plpgsql")
        database.execute_sql("CREATE TRIGGER no_failures BEFORE INSERT ON auth_failure "
                             "FOR EACH ROW EXECUTE FUNCTION no_failures()")
        return "DROP TRIGGER no_failures ON auth_failure"
    database.execute_sql("CREATE TRIGGER no_failures BEFORE INSERT ON auth_failure "
                         "BEGIN SELECT RAISE(ABORT, 'refused (test)'); END")
    return "DROP TRIGGER no_failures"


def test_a_pair_split_between_two_parts_is_one_emoji_again(rig, network):
    phone = network.add_phone(SENDERS[0])
    rig.start()
    text = "BAL " + "x" * 65 + "😀 end"
    halves = ["BAL " + "x" * 65 + "\ud83d", "\ude00 end"]      # split inside the pair
    assert sms_pdu.joined_text("".join(halves)) == text
    for pdu in sms_pdu.encode_deliver(SENDERS[0], text, reference=42, parts=halves):
        rig.modems[0].deliver_raw_pdu(pdu)
    assert phone.wait_sms(1, timeout=10) and phone.inbox[0].text.startswith("Your balance")
    assert commands()[0].text == text and commands()[0].parts == 2


def test_a_pushed_sms_the_database_refuses_is_quarantined_at_once(rig):
    rig.start()
    refuse_poison(db)
    pdu = sms_pdu.encode_deliver(SENDERS[0], "BAL POISON")[0]
    rig.service.on_event(sms_codec.decode("m1", None, pdu))     # as a +CMT push comes
    wait_until(lambda: [row.pdu for row in received("quarantined")] == [pdu], timeout=3,
               what="quarantined at once: a pushed SMS has no copy on the SIM")
    assert commands() == []


def test_a_text_too_long_for_any_sms_fails_at_once_and_reaches_no_modem(rig, network):
    network.add_phone(SENDERS[0])
    rig.start()
    out_id = rig.service.send(SENDERS[0], "😀" * 20_000)         # 607 UCS2 parts of 33
    wait_until(lambda: outbox("failed") != [], what="the text failed")
    row = outbox("failed")[0]
    assert row.id == out_id and "too long: 607 SMS parts" in row.reason and row.attempts == 0
    assert not any(command.startswith("AT+CMGS") for modem in rig.modems
                   for command in list(modem.commands))
