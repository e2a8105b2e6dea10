"""The receive path: store first, delete after; duplicates, parts, hostile PDUs, full SIMs."""
from __future__ import annotations

import dataclasses
import time

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from gateway.sms import store as sms_store
from gateway.store.alerts import Alert
from gateway.store.db import close_database, db, is_postgresql
from modems import sms as sms_codec
from modems.events import ModemUp
from modems.sim import PhoneState, sms_pdu

from tests.sms_rig import (ActionRecord, SmsBox, commands, open_test_database, outbox, received,
                           wait_until)

USER = "+4917012345678"
CRASHERS = ("00F101010C0000000000", "001C011C", "000ABF00")


@pytest.fixture
def rig(network, tmp_path, db_url):
    """The SMS box on each engine: SQLite, and PostgreSQL (SMS shared by boxes)."""
    rig = SmsBox(network, tmp_path, database=db_url)
    rig.account("alice", "1234", 1234, numbers=[USER])
    yield rig
    rig.stop()


def count(modem, prefix: str) -> int:
    return sum(1 for command in list(modem.commands) if command.upper().startswith(prefix))


def drained(modem, times: int = 1) -> None:
    wait_until(lambda: count(modem, "AT+CMGL") >= times, what=f"{modem.name} read")


def test_fuzz_found_pdus_are_quarantined_and_deleted(rig):
    rig.start()
    modem = rig.modems[0]
    for pdu in CRASHERS:
        modem.deliver_raw_pdu(pdu)
    wait_until(lambda: len(received("quarantined")) == 3, what="three quarantined")
    wait_until(lambda: modem.stored_sms == [], what="SIM emptied")
    assert sorted(row.pdu for row in received()) == sorted(CRASHERS)
    assert all(row.error for row in received())
    # one notice per modem and hour, the later ones counted on it (no alert storm)
    [alert] = Alert.select().where(Alert.kind == "sms-quarantined")
    assert (alert.subject, alert.state, alert.repeats) == (modem.name, "notice", 2)
    assert commands() == [] and outbox() == []


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_decoding_random_bytes_never_raises(tmp_path, data):
    sms = sms_codec.decode("m1", 1, data.hex().upper())
    assert sms.pdu == data.hex().upper()
    assert sms.error is not None or sms.text is not None


@pytest.fixture
def fuzz_database(db_url):
    open_test_database(db_url)
    yield
    close_database()


@given(st.binary(min_size=1, max_size=120))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_storing_random_pdus_never_raises(fuzz_database, data):
    stored = sms_store.store_received(sms_codec.decode("m1", 1, data.hex()), "box", time.time())
    assert stored.duplicate or stored.quarantined or len(stored.commands) <= 1


def test_database_failure_leaves_the_sms_on_the_sim(rig, user_phone):
    rig.start()
    modem = rig.modems[0]
    drained(modem)
    if is_postgresql(db):
        db.execute_sql("CREATE FUNCTION sms_in_fails() RETURNS trigger AS $$ BEGIN "
                       "RAISE EXCEPTION 'the disk is full (test)'; END $$ LANGUAGE plpgsql")
        db.execute_sql("CREATE TRIGGER sms_in_fails BEFORE INSERT ON sms_in "
                       "FOR EACH ROW EXECUTE FUNCTION sms_in_fails()")
    else:
        db.execute_sql("CREATE TRIGGER sms_in_fails BEFORE INSERT ON sms_in "
                       "BEGIN SELECT RAISE(ABORT, 'the disk is full (test)'); END")
    reads = count(modem, "AT+CMGL")
    user_phone.send_sms(modem.number, "BAL")
    wait_until(lambda: count(modem, "AT+CMGL") >= reads + 2, what="two reads after the failure")
    assert len(modem.stored_sms) == 1 and count(modem, "AT+CMGD") == 0
    assert received() == [] and outbox() == []
    db.execute_sql("DROP TRIGGER sms_in_fails" + (" ON sms_in" if is_postgresql(db) else ""))
    assert user_phone.wait_sms(1, timeout=15)
    assert user_phone.inbox[0].text.startswith("Your balance is")
    wait_until(lambda: modem.stored_sms == [], what="deleted after the commit")
    assert len(commands("done")) == 1


@pytest.fixture
def user_phone(network):
    return network.add_phone(USER)


def test_same_sms_stored_twice_runs_once(rig, user_phone):
    modem = rig.modems[0]
    pdu = sms_pdu.encode_deliver(USER, "CB")[0]
    modem.deliver_raw_pdu(pdu)
    modem.deliver_raw_pdu(pdu)
    assert len(modem.stored_sms) == 2
    rig.start()
    wait_until(lambda: modem.stored_sms == [], what="both copies deleted")
    wait_until(lambda: len(outbox("sent")) == 1, what="one reply")
    # the reply's status report is read and deleted too (AT+CMGD in its own memory)
    wait_until(lambda: outbox("sent")[0].delivery == "delivered" and not modem.reports,
               what="the reply's report recorded and deleted")
    assert ActionRecord.select().count() == 1 and len(commands()) == 1
    deletes = count(modem, "AT+CMGD")
    modem.deliver_raw_pdu(pdu)                              # a third copy, while running
    wait_until(lambda: modem.stored_sms == [] and count(modem, "AT+CMGD") == deletes + 1,
               what="the late copy deleted")
    assert ActionRecord.select().count() == 1 and len(received()) == 1


def test_sms_stored_while_down_and_full_storage(rig, user_phone):
    modem = rig.modems[1]
    modem.sms_capacity = 3
    for n in range(5):
        user_phone.send_sms(modem.number, f"BAL {n}")
    rig.net.settle()
    assert len(modem.stored_sms) == 3                      # two wait at the network
    rig.start()
    assert user_phone.wait_sms(5, timeout=15)
    assert sorted(command.text for command in commands("done")) == [f"BAL {n}" for n in range(5)]
    alert = Alert.get(Alert.kind == "sms-storage-full")
    assert alert.modem == "m2" and "3 of 3" in alert.message
    assert {row.modem for row in outbox()} == {"m2"}       # replies from the modem asked


def test_concatenated_and_ucs2_command(rig, user_phone):
    rig.start()
    long_text = "CB 030 1234567 " + "bitte ruf mich zurück, Привет " * 6
    user_phone.send_sms(rig.modems[0].number, long_text)
    assert user_phone.wait_sms(1) and user_phone.inbox[0].text == (
        "Calling you back now, then +49301234567.")
    command = commands()[0]
    assert command.text == long_text and command.parts >= 3 and not command.incomplete
    assert len(received("assembled")) == command.parts


def test_parts_assembled_across_a_restart(rig, user_phone):
    modem = rig.modems[0]
    parts = sms_pdu.encode_deliver(USER, "BAL " + "x" * 300, reference=77)
    assert len(parts) == 2
    rig.start()
    modem.deliver_raw_pdu(parts[0])
    wait_until(lambda: len(received("part")) == 1 and modem.stored_sms == [], what="part 1")
    rig.stop()
    rig.start()
    modem.deliver_raw_pdu(parts[1])
    assert user_phone.wait_sms(1) and user_phone.inbox[0].text.startswith("Your balance")
    assert commands()[0].text == "BAL " + "x" * 300


def test_incomplete_message_used_after_the_wait_and_flagged(rig, user_phone):
    rig.config = dataclasses.replace(rig.config, sms=dataclasses.replace(
        rig.config.sms, incomplete_after=0.5))
    modem = rig.modems[0]
    parts = sms_pdu.encode_deliver(USER, "CB please " + "y" * 400, reference=9)
    assert len(parts) == 3
    rig.start()
    modem.deliver_raw_pdu(parts[0])
    modem.deliver_raw_pdu(parts[2])
    assert user_phone.wait_sms(1, timeout=10)
    command = commands()[0]
    assert command.incomplete and command.state == "done" and command.parts == 3
    modem.deliver_raw_pdu(parts[1])                        # too late: kept, not run again
    wait_until(lambda: len(received("late")) == 1, what="late part kept")
    assert len(commands()) == 1 and ActionRecord.select().count() == 1


def test_sms_during_a_call_leaves_the_call_alone(rig, user_phone, network):
    rig.start()
    caller = network.add_phone("+4917055555555")
    modem = rig.modems[0]
    caller.call(modem.number)
    driver = rig.pool.driver("m1")
    wait_until(lambda: driver.in_call, what="the call rings at the box")
    driver.answer()
    assert caller.wait_state(PhoneState.ACTIVE)
    assert rig.reply_to(user_phone, "BAL").startswith("Your balance")
    assert caller.state is PhoneState.ACTIVE and driver.in_call
    caller.hangup()


def test_modem_up_reads_what_arrived_while_it_was_away(rig, user_phone):
    rig.start()
    modem = rig.modems[0]
    modem.unplug()
    modem.replug()
    modem.deliver_raw_pdu(sms_pdu.encode_deliver(USER, "BAL")[0])
    rig.events.wait_for(ModemUp, modem="m1", timeout=10)
    assert user_phone.wait_sms(1, timeout=10)


def test_pushed_sms_and_its_stored_copy_run_once(rig, user_phone):
    rig.start()
    modem = rig.modems[0]
    pdu = sms_pdu.encode_deliver(USER, "BAL")[0]
    rig.service.on_event(sms_codec.decode("m1", None, pdu))      # as a +CMT push would come
    modem.deliver_raw_pdu(pdu)                                   # and the SIM's own copy
    assert user_phone.wait_sms(1)
    wait_until(lambda: count(modem, "AT+CMGD") >= 1 and modem.stored_sms == [],
               what="the copy deleted")
    rig.net.settle()
    assert len(user_phone.inbox) == 1 and len(commands()) == 1 and len(received()) == 1
