"""The outbox: long and UCS2 replies, retries over modems, giving up, numbers checked
before AT+CMGS, and `callbox sms send|list|retry` through the database queue."""
from __future__ import annotations

import subprocess
import sys

import pytest

from gateway.sms import store as sms_store
from gateway.sms.models import SmsIn, SmsOut

from tests.sms_rig import SmsBox, outbox, wait_until

USER = "+4917012345678"


@pytest.fixture
def rig(network, tmp_path, db_url):
    """The SMS box on each engine: SQLite, and PostgreSQL (the outbox is shared by boxes)."""
    rig = SmsBox(network, tmp_path, sms={"retry_backoff": [1]}, database=db_url)
    rig.account("alice", "1234", 1234, numbers=[USER])
    yield rig
    rig.stop()


@pytest.fixture
def phone(network):
    return network.add_phone(USER)


def test_long_reply_goes_in_parts(rig, phone):
    rig.start()
    reply = rig.reply_to(phone, "HELP")
    assert len(reply) > 160 and phone.inbox[0].parts == 2
    assert phone.inbox[0].sender == rig.modems[0].number


def test_ucs2_reply(network, tmp_path, phone):
    rig = SmsBox(network, tmp_path, sms={"replies": {"balance": "Баланс: {amount} ✓"}})
    rig.account("alice", "1234", 250, numbers=[USER])
    rig.start()
    try:
        assert rig.reply_to(phone, "BAL") == "Баланс: €2.50 ✓"
    finally:
        rig.stop()


def test_retry_on_another_modem(rig, phone):
    rig.start()
    first, second = rig.modems
    first.no_network(True)
    out_id = rig.service.send(USER, "hello again", modem="m1")
    assert phone.wait_sms(1, timeout=10)
    assert (phone.inbox[0].sender, phone.inbox[0].text) == (second.number, "hello again")
    wait_until(lambda: SmsOut.get_by_id(out_id).state == "sent", what="marked sent")
    row = SmsOut.get_by_id(out_id)
    assert (row.attempts, row.modem) == (2, "m2")


def test_gives_up_with_the_reason(rig, phone):
    rig.start()
    for modem in rig.modems:
        modem.no_network(True)
    out_id = rig.service.send(USER, "nobody hears this")
    wait_until(lambda: SmsOut.get_by_id(out_id).state == "failed", timeout=10, what="failed")
    row = SmsOut.get_by_id(out_id)
    assert row.attempts == 2 and row.reason.startswith("gave up after 2 attempts")
    assert "331" in row.reason                      # +CMS ERROR: 331, no network service


@pytest.mark.parametrize("number", ["+4917\r\nAT+CMGD=1,4", "+49170;ATH", "Vodafone", ""])
def test_numbers_checked_before_the_modem(rig, number):
    rig.start()
    out_id = rig.service.send(number, "x")
    wait_until(lambda: SmsOut.get_by_id(out_id).state == "failed", what="refused")
    assert "not a number an SMS can go to" in SmsOut.get_by_id(out_id).reason
    assert not any("CMGS" in line or "CMGD=1" in line for modem in rig.modems
                   for line in modem.commands)


def run_cli(config_path, *argv) -> tuple[int, str]:
    """Runs `callbox sms ...` as the admin does: its own process beside the running box
    (in this process it would take the box's database connections over)."""
    result = subprocess.run([sys.executable, "-m", "callbox", "sms", *argv[:1], "--config",
                             str(config_path), *argv[1:]], capture_output=True, text=True,
                            timeout=60)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def config_file(rig, tmp_path):
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n'
                    f'database = "{rig.config.gateway.database}"\nbox = "testbox"\n')
    return path


def test_cli_send_is_picked_up_by_the_running_box(rig, phone, config_file):
    rig.start()
    code, out = run_cli(config_file, "send", "0170 12345678", "Maintenance tonight")
    assert code == 0 and "queued" in out
    assert phone.wait_sms(1, timeout=10) and phone.inbox[0].text == "Maintenance tonight"
    code, out = run_cli(config_file, "send", "not-a-number", "x")
    assert code == 2, out


def test_cli_list_and_retry(rig, phone, config_file):
    rig.start()
    rig.modems[0].deliver_raw_pdu("001C011C")
    wait_until(lambda: rig.modems[0].stored_sms == [] and len(SmsIn.select()) == 1,
               what="quarantined")
    for modem in rig.modems:
        modem.no_network(True)
    out_id = rig.service.send(USER, "first try fails")
    wait_until(lambda: SmsOut.get_by_id(out_id).state == "failed", timeout=10, what="failed")
    code, listing = run_cli(config_file, "list", "--out", "--failed")
    assert code == 0
    assert f"{out_id}" in listing and "failed" in listing and "gave up" in listing
    code, listing = run_cli(config_file, "list", "--in")
    assert code == 0 and "quarantined" in listing
    for modem in rig.modems:
        modem.no_network(False)
    assert run_cli(config_file, "retry", str(out_id))[0] == 0
    assert phone.wait_sms(1, timeout=10) and phone.inbox[0].text == "first try fails"
    assert run_cli(config_file, "retry", "999")[0] == 1
    wait_until(lambda: SmsOut.get_by_id(out_id).state == "sent", what="sent")
    assert run_cli(config_file, "retry", str(out_id))[0] == 1


def test_interrupted_sending_is_queued_again(rig, phone):
    out_id = sms_store.enqueue("testbox", USER, "was being sent", 0.0)
    SmsOut.update(state="sending").where(SmsOut.id == out_id).execute()
    rig.start()
    assert phone.wait_sms(1, timeout=10) and phone.inbox[0].text == "was being sent"
    wait_until(lambda: [row.state for row in outbox()] == ["sent"], what="marked sent")
