"""Hostile texts through the SMS command parser and runner (issue 11, item 4): the web's
corpus (tests/hostile.py) after each command word, from a registered and a stranger's
number. The runner never raises, every text gets a reply (an answer or a defined
refusal), and nothing bad is stored: no unstorable text, no PIN in clear, no money
moved, no caller ID gained."""
from __future__ import annotations

import datetime
import itertools
import time
import types

from hypothesis import HealthCheck, assume, example, given, settings, strategies as st
import pytest

from gateway.money import accounts
from gateway.money.ledger import Account, CallerId
from gateway.sms import store as sms_store
from gateway.sms.commands import PIN_MASK, CommandRunner
from gateway.sms.parsing import parse
from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from gateway.store.db import close_database
from modems.events import SmsReceived

from tests.hostile import hostile_values, unstorable
from tests.sms_rig import RecordingActions, make_config, open_test_database

REGISTERED, STRANGER = "+4917012345678", "+4917099999999"
COMMANDS = ("", "CB", "cb", "CB 030", "REG", "REG alice", "REG 1", "CONNECT",
            "CONNECT +4930123456", "BAL", "UNREG", "HELP", "?", "hi")


@pytest.fixture
def box(tmp_path, db_url):
    config = make_config(tmp_path, sms={"help_interval": 0}, database=db_url)
    open_test_database(config.gateway.database)
    alice = accounts.create("alice", "8642", 1000, time.time())
    accounts.authorize_caller_id(alice.id, REGISTERED, time.time())
    runner = CommandRunner(config, RecordingActions(), time.time,
                           lambda sender, modem: (lambda text: None))
    yield types.SimpleNamespace(config=config, runner=runner, alice=alice,
                                serial=itertools.count())
    close_database()


def received_from(box, sender: str, text: str) -> int:
    """Stores a text as the receive path does; gives the command it makes."""
    sms = SmsReceived("m1", index=None, pdu=f"{next(box.serial):020X}", sender=sender,
                      sender_raw=sender, text=text,
                      smsc_time=datetime.datetime.now(datetime.timezone.utc).isoformat())
    stored = sms_store.store_received(sms, "testbox", time.time())
    assert len(stored.commands) == 1 and not stored.quarantined
    return stored.commands[0]


@given(command=st.sampled_from(COMMANDS),
       words=st.lists(hostile_values().map(lambda value: value.text), max_size=3),
       sender=st.sampled_from((REGISTERED, STRANGER)))
@example(command="BAL", words=["\x01\x1b[2J\x7f"], sender=REGISTERED)
@example(command="REG", words=["²", "1234"], sender=STRANGER)
@example(command="REG", words=["alice", "9999\ud800"], sender=STRANGER)
@example(command="CB", words=["9" * 2 ** 20], sender=REGISTERED)
@example(command="CONNECT", words=["\x00", str(10 ** 23)], sender=REGISTERED)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
def test_hostile_texts_get_a_reply_and_store_nothing_bad(box, command, words, sender):
    assume(not (command == "UNREG" and sender == REGISTERED))   # a real change, not hostile
    text = " ".join([command, *words])
    request = parse(text, box.config.sms)                       # the raw text: never raises
    assert request.command in ("cb", "connect", "reg", "unreg", "bal", "help")
    command_id = received_from(box, sender, text)
    assert box.runner.execute(command_id) is True
    row = SmsCommand.get_by_id(command_id)
    assert row.state == "done" and row.result
    replies = [reply.text for reply in SmsOut.select().where(SmsOut.command == command_id)]
    assert len(replies) == 1 and replies[0].strip() and len(replies[0]) <= 500
    stored_texts = [row.text] + [part.text for part in SmsIn.select().where(
        SmsIn.command == command_id)] + replies
    assert not any(unstorable(stored) for stored in stored_texts)
    stored_request = parse(row.text, box.config.sms)
    if stored_request.command == "reg" and len(stored_request.words) >= 2:
        assert row.text.endswith(" " + PIN_MASK) and len(stored_request.words) == 2
        assert all(part.pdu == "" for part in SmsIn.select().where(SmsIn.command == command_id))
    assert Account.get_by_id(box.alice.id).balance == 1000
    assert not CallerId.select().where(CallerId.number == STRANGER).exists()
