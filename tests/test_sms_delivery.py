"""Delivery reports end to end on the virtual network: a reply to an SMS command ends
`delivered`, a text to a number nobody has ends `failed`, whether the modem pushes its
reports (+CDS) or stores them (+CDSI); broken or stray reports are survived."""
from __future__ import annotations

import argparse
import datetime
import json
import re

import pytest

from callbox.cli import sms as sms_cli
from gateway.sms.models import SmsOut, SmsOutPart
from modems.sim import sms_pdu

from tests.sms_rig import SmsBox, outbox, received, wait_until

PHONE = "+4917012345678"
NOBODY = "+4917099999999"


@pytest.fixture
def start_box(network, tmp_path):
    boxes = []

    def start(routing: str = "+CDSI") -> SmsBox:
        box = SmsBox(network, tmp_path, modems=1)
        if routing == "+CDS":
            box.modems[0].cnmi_ds_supported = (0, 1)   # reports pushed, not stored
        boxes.append(box)
        return box.start()

    yield start
    for box in boxes:
        box.stop()


def delivery_of(out_id: int, *, timeout: float = 10) -> SmsOut:
    """Waits until the text's delivery is final; gives its row."""
    wait_until(lambda: SmsOut.get_by_id(out_id).delivery in ("delivered", "failed"), timeout,
               f"a final delivery report on SMS {out_id}")
    return SmsOut.get_by_id(out_id)


@pytest.mark.parametrize("routing", ["+CDSI", "+CDS"])
def test_a_reply_to_an_sms_command_ends_delivered(network, start_box, routing):
    box = start_box(routing)
    phone = network.add_phone(PHONE)
    box.account(numbers=[PHONE])
    assert "12.34" in box.reply_to(phone, "BAL")
    reply = outbox()[-1]
    row = delivery_of(reply.id)
    assert (row.kind, row.state, row.delivery) == ("reply", "sent", "delivered")
    assert "received by the phone" in row.delivery_status and row.delivered_at
    part = SmsOutPart.get(SmsOutPart.sms_out == reply.id)
    assert (part.modem, part.number, part.status) == ("m1", PHONE, 0)
    modem = box.modems[0]
    assert modem.settings.cnmi_ds == (2 if routing == "+CDSI" else 1)
    wait_until(lambda: not modem.reports, 5, "the stored report deleted")


def test_a_text_to_a_number_that_does_not_exist_ends_failed(network, start_box, tmp_path,
                                                             capsys):
    box = start_box()
    out_id = box.service.send(NOBODY, "y" * 200, kind="manual")    # two parts
    row = delivery_of(out_id)
    assert (row.state, row.delivery) == ("sent", "failed")
    assert "incompatible destination" in row.delivery_status and "0x41" in row.delivery_status
    assert SmsOutPart.select().where(SmsOutPart.sms_out == out_id).count() == 2
    # `callbox sms list --out --failed` lists it: sent, but not delivered
    config = tmp_path / "cli.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n'
                      f'database = "{box.config.gateway.database}"\nbox = "testbox"\n')
    parser = argparse.ArgumentParser()
    sms_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["sms", "list", "--out", "--failed", "--config", str(config)])
    capsys.readouterr()
    assert args.func(args) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines()
              if line.strip().startswith(f"{out_id} ")]
    assert line.split()[3:7] == [NOBODY, "sent", "1", "m1"] and " failed " in line
    assert "failed: incompatible destination" in line


def test_notices_ask_for_no_report(network, start_box):
    box = start_box()
    phone = network.add_phone(PHONE)
    notice = box.service.send(PHONE, "Your call lasted 3 minutes", kind="notice")
    manual = box.service.send(PHONE, "Hello from the admin", kind="manual")
    assert delivery_of(manual).delivery == "delivered"
    assert phone.wait_sms(2)
    assert SmsOut.get_by_id(notice).state == "sent"
    assert SmsOut.get_by_id(notice).delivery == ""
    assert not SmsOutPart.select().where(SmsOutPart.sms_out == notice).exists()


def stray_report(reference: int, recipient: str = PHONE, status: int = 0) -> str:
    return sms_pdu.encode_status_report(reference, recipient,
                                        datetime.datetime.now().astimezone(), status)


@pytest.mark.parametrize("routing", ["+CDSI", "+CDS"])
def test_broken_and_stray_reports_are_survived(network, start_box, routing):
    box = start_box(routing)
    phone = network.add_phone(PHONE)
    modem = box.modems[0]
    with network.lock:
        modem.urc("+CDS: 3\r\n0011FF")                    # hexadecimal, but no report
        modem.urc("+CDS: 9\r\nNOT A PDU")                 # no PDU at all
        modem.urc(f"+CDS: 25\r\n{stray_report(200)}")     # a report on nothing sent
        modem.reports[5] = sms_pdu.StoredSms(5, 0, "07FFFF")   # stored and broken
        modem.urc('+CDSI: "SR",5')
        modem.urc('+CDSI: "SR",9')                        # nothing stored there
        modem.urc("+CDSI: SR;+CFUN=0,3")                 # no memory a command may name
    out_id = box.service.send(PHONE, "still here", kind="manual")
    assert delivery_of(out_id).delivery == "delivered"
    assert phone.wait_sms(1)
    wait_until(lambda: 5 not in modem.reports, 5, "the broken stored report deleted")
    assert all(worker.alive() for worker in box.service.workers)
    assert not [command for command in modem.commands if "CFUN=0" in command]
    assert not received("quarantined")


def test_a_report_stored_among_the_messages_is_recorded_not_quarantined(network, start_box):
    box = start_box()
    phone = network.add_phone(PHONE)
    with network.lock:
        for modem in box.modems:
            modem.settings.cnmi_ds = 0      # these modems route no reports themselves...
    out_id = box.service.send(PHONE, "code 123456", kind="code")
    assert phone.wait_sms(1)
    wait_until(lambda: SmsOut.get_by_id(out_id).delivery == "awaiting", 5, "the text sent")
    part = SmsOutPart.get(SmsOutPart.sms_out == out_id)
    reference = part.reference
    modem = next(modem for modem in box.modems if modem.name == part.modem)   # its sender
    # ...but some firmwares file a report with the messages and announce it as one (+CMTI)
    modem.deliver_raw_pdu(stray_report(reference, status=0x46))
    row = delivery_of(out_id)
    assert row.delivery == "failed" and "validity period expired" in row.delivery_status
    assert not received() and modem.stored_sms == []


def test_the_sms_page_and_the_api_show_each_texts_delivery(app):
    from tests.webclient import Client
    now = app.clock.now
    rows = {}
    for delivery, status in (("delivered", "received by the phone (status 0x00)"),
                             ("failed", "failed: incompatible destination (no such number?) "
                                        "(status 0x41)"),
                             ("awaiting", ""), ("", "")):
        rows[delivery] = SmsOut.create(box="box", number=PHONE, text=f"text {delivery or 'none'}",
                                       kind="reply", state="sent", next_attempt_at=now,
                                       created_at=now, sent_at=now, delivery=delivery,
                                       delivery_status=status,
                                       delivered_at=now if status else None).id
    admin = Client(app)
    admin.login("root", "admin-secret")
    page = admin.get("/admin/sms?show=out").text
    cells = re.findall(r'<tr data-id="(\d+)">.*?<td class="sms-delivery"[^>]*>([^<]*)</td>', page,
                       re.S)
    shown = {int(out_id): text.strip() for out_id, text in cells}
    assert shown[rows["delivered"]].startswith("delivered ")
    assert shown[rows["failed"]].endswith(": failed: incompatible destination (no such "
                                          "number?) (status 0x41)")
    assert shown[rows["awaiting"]] == "awaiting" and shown[rows[""]] == ""
    listed = json.loads(admin.get("/api/admin/sms?direction=out").text)["messages"]
    assert {m["id"]: m["delivery"] for m in listed} == {v: k for k, v in rows.items()}
