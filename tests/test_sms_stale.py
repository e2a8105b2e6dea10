"""Stale SMS commands: one older than sms_max_age by its SMS centre time stamp when the
box gets to it is not carried out, and its sender gets the too-late reply once."""
from __future__ import annotations

import datetime
import time

import pytest

from gateway.config import ConfigError
from gateway.sms.commands import age_words
from gateway.sms.models import SmsCommand

from tests.sms_rig import ActionRecord, SmsBox, commands, make_config, outbox, wait_until

PHONE = "+4917012345678"
TOO_LATE = "came too late"


def ago(minutes: float, zone_hours: float = 0) -> datetime.datetime:
    """Gives an SMSC time stamp `minutes` ago, written in a zone `zone_hours` from UTC."""
    zone = datetime.timezone(datetime.timedelta(hours=zone_hours))
    return datetime.datetime.now(zone) - datetime.timedelta(minutes=minutes)


@pytest.fixture
def boxes():
    started = []
    yield started
    for box in started:
        box.stop()


def start(network, tmp_path, boxes, **options) -> SmsBox:
    box = SmsBox(network, tmp_path, modems=1, **options)
    boxes.append(box)
    return box


def test_a_stale_callback_gets_the_too_late_reply_once_and_no_call(network, tmp_path, boxes):
    box = start(network, tmp_path, boxes).start()
    phone = network.add_phone(PHONE)
    box.account(numbers=[PHONE])
    phone.send_sms(box.modems[0].number, "CB", sent_at=ago(20, zone_hours=-3))
    assert phone.wait_sms(1, timeout=10)
    assert TOO_LATE in phone.inbox[0].text and "20 minutes old" in phone.inbox[0].text
    [command] = commands()
    assert command.state == "stale" and "sms_max_age (600 s)" in command.result
    assert box.actions.calls == [] and ActionRecord.select().count() == 0
    # once: running it again (a restart finds it) neither calls nor replies again
    assert box.service.runner.execute(command.id) is False
    assert [out.text for out in outbox()] == [phone.inbox[0].text]
    # a fresh one, in a zone far east of the box, still works
    phone.send_sms(box.modems[0].number, "CB", sent_at=ago(2, zone_hours=9))
    wait_until(lambda: len(box.actions.calls) == 1, 10, "the fresh callback")
    assert box.actions.calls[0][:2] == ("callback", PHONE)
    assert phone.wait_sms(2, timeout=10) and TOO_LATE not in phone.inbox[1].text


def test_a_command_queued_while_the_box_was_stopped_is_too_late_when_it_starts(
        network, tmp_path, boxes):
    # The box starts 15 minutes after the SMS reached its SIM: its clock runs ahead.
    box = start(network, tmp_path, boxes, now=lambda: time.time() + 15 * 60)
    phone = network.add_phone(PHONE)
    box.account(numbers=[PHONE])
    phone.send_sms(box.modems[0].number, "BAL")
    network.settle()
    assert len(box.modems[0].stored_sms) == 1, "the SMS waits on the SIM"
    box.start()
    assert phone.wait_sms(1, timeout=10)
    assert phone.inbox[0].text == ("Your message came too late (15 minutes old) and was not "
                                   "carried out. Please send it again.")
    assert [command.state for command in commands()] == ["stale"]
    wait_until(lambda: box.modems[0].stored_sms == [], 5, "the SIM emptied")


def test_sms_max_age_zero_never_finds_a_command_too_old(network, tmp_path, boxes):
    box = start(network, tmp_path, boxes, sms={"sms_max_age": 0}).start()
    phone = network.add_phone(PHONE)
    box.account(numbers=[PHONE])
    phone.send_sms(box.modems[0].number, "CB", sent_at=ago(3 * 24 * 60))
    wait_until(lambda: len(box.actions.calls) == 1, 10, "the callback")
    assert SmsCommand.get().state == "done"


def test_the_too_late_reply_and_the_limit_are_checked_at_start(tmp_path):
    config = make_config(tmp_path, {"sms_max_age": 3600,
                                    "replies": {"too_late": "Late by {age}: send again."}})
    assert config.sms.sms_max_age == 3600
    assert config.sms.reply("too_late", age=age_words(7500)) == (
        "Late by 2 hours 5 minutes: send again.")
    with pytest.raises(ConfigError, match="unknown placeholder"):
        make_config(tmp_path, {"replies": {"too_late": "Late by {minutes}"}})
    with pytest.raises(ConfigError, match="at least 60"):
        make_config(tmp_path, {"sms_max_age": 10})
