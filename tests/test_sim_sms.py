"""SMS and USSD through the virtual modems, PDUs checked with python-gsmmodem's codec."""
from __future__ import annotations

import threading

import pytest
from gsmmodem.modem import GsmModem
from gsmmodem.pdu import Concatenation, decodeSmsPdu, encodeSmsSubmitPdu

from modems.sim import Network
from modems.sim.atclient import AtClient

PROFILES = ["generic", "huawei", "simcom", "quectel"]
PHONE = "+4917012345678"


@pytest.fixture
def net(tmp_path):
    with Network(tmp_path / "sim") as network:
        yield network


@pytest.fixture(params=PROFILES)
def modem(request, net):
    return net.add_modem("m1", number="+4915110000001", profile=request.param)


@pytest.fixture
def at(modem):
    with AtClient(modem.port) as client:
        client.command("ATE0+CMEE=1;+CMGF=0;+CNMI=2,1,0,2")
        yield client


def read_pdu(at, index):
    header, pdu, final = at.command(f"AT+CMGR={index}")
    assert final == "OK"
    return header, pdu


def test_incoming_sms_announced_and_readable(net, modem, at):
    first = 0 if modem.profile == "huawei" else 1
    start = at.mark()
    net.add_phone(PHONE).send_sms(modem.number, "Hello box")
    assert at.wait_line(r"^\+CMTI:", start) == f'+CMTI: "SM",{first}'
    header, pdu = read_pdu(at, first)
    fields = decodeSmsPdu(pdu)
    assert (fields["type"], fields["number"], fields["text"]) == ("SMS-DELIVER", PHONE, "Hello box")
    assert header == f"+CMGR: 0,,{len(pdu) // 2 - 7}"      # 7 octets of SMSC address
    assert read_pdu(at, first)[0].startswith("+CMGR: 1,,")  # now read
    assert modem.stored_sms[0][:2] == (first, 1)


def test_national_sender_keeps_its_form(net, modem, at):
    start = at.mark()
    net.add_phone(PHONE, presentation="national").send_sms(modem.number, "hi")
    index = int(at.wait_line(r"^\+CMTI:", start).split(",")[1])
    assert decodeSmsPdu(read_pdu(at, index)[1])["number"] == "017012345678"


def test_three_part_concatenated_sms(net, modem, at):
    text = "".join(f"part {n:03d} " for n in range(45))     # 405 GSM-7 characters
    start = at.mark()
    net.add_phone(PHONE).send_sms(modem.number, text)
    position = start
    for _ in range(3):
        position += len(at.lines_until(r"^\+CMTI:", position))
    listing = at.command("AT+CMGL=4")
    pdus = [line for line in listing if not line.startswith(("+CMGL", "OK", "+CMTI"))]
    parts = {}
    for pdu in pdus:
        fields = decodeSmsPdu(pdu)
        concat = next(e for e in fields["udh"] if isinstance(e, Concatenation))
        assert concat.parts == 3
        parts[concat.number] = fields["text"]
    assert "".join(parts[n] for n in (1, 2, 3)) == text


def test_ucs2_sms(net, modem, at):
    text = "Привет, мир! Grüße €"
    start = at.mark()
    net.add_phone(PHONE).send_sms(modem.number, text)
    index = int(at.wait_line(r"^\+CMTI:", start).split(",")[1])
    assert decodeSmsPdu(read_pdu(at, index)[1])["text"] == text


def send_pdu(at, pdu):
    return at.send_pdu(pdu.tpduLength, bytes(pdu.data).hex().upper())


def test_outgoing_sms_reaches_phone(net, modem, at):
    phone = net.add_phone(PHONE)
    lines = send_pdu(at, encodeSmsSubmitPdu(PHONE, "Your balance: 5.00 EUR", reference=1)[0])
    assert lines[0].startswith("+CMGS: ") and lines[-1] == "OK"
    assert phone.wait_sms(1)
    assert (phone.inbox[0].sender, phone.inbox[0].text) == (modem.number, "Your balance: 5.00 EUR")


def test_outgoing_concatenated_ucs2_sms_is_reassembled(net, modem, at):
    phone = net.add_phone(PHONE)
    text = "Звонок через коробку. " * 8
    pdus = encodeSmsSubmitPdu(PHONE, text, reference=42, requestStatusReport=False)
    assert len(pdus) == 3
    for pdu in pdus:
        assert send_pdu(at, pdu)[-1] == "OK"
    assert phone.wait_sms(1)
    assert (phone.inbox[0].text, phone.inbox[0].parts) == (text, 3)


def test_cmgs_escape_length_and_no_network(net, modem, at):
    phone = net.add_phone(PHONE)
    pdu = encodeSmsSubmitPdu(PHONE, "x")[0]
    assert at.send_pdu(pdu.tpduLength, "0011", end=b"\x1b") == ["OK"]
    assert at.send_pdu(pdu.tpduLength + 1, bytes(pdu.data).hex()) == ["+CMS ERROR: 304"]
    modem.no_network(True)
    assert send_pdu(at, pdu) == ["+CMS ERROR: 331"]
    assert net.settle() and phone.inbox == []


def test_storage_full_holds_sms_until_room(net, modem, at):
    phone = net.add_phone(PHONE)
    modem.set_storage_full(True)
    start = at.mark()
    phone.send_sms(modem.number, "waiting")
    assert net.settle()
    assert modem.stored_sms == [] and not any("+CMTI" in line for line in at.lines[start:])
    assert send_pdu(at, encodeSmsSubmitPdu(PHONE, "out")[0])[-1] == "OK"   # sending unaffected
    modem.set_storage_full(False)
    at.wait_line(r"^\+CMTI:", start)
    assert len(modem.stored_sms) == 1


def test_capacity_and_delete(net, modem, at):
    modem.sms_capacity = 2
    phone = net.add_phone(PHONE)
    for n in range(3):
        phone.send_sms(modem.number, f"sms {n}")
    assert net.settle()
    first = modem.stored_sms[0][0]
    assert len(modem.stored_sms) == 2
    assert at.command(f"AT+CMGD={first}")[-1] == "OK"
    assert net.settle() and len(modem.stored_sms) == 2      # the held one moved in
    assert at.command("AT+CMGD=1,4")[-1] == "OK"
    assert modem.stored_sms == []


def test_raw_undecodable_pdu_is_stored_as_given(net, modem, at):
    start = at.mark()
    modem.deliver_raw_pdu("0791947107000000FFFF")
    index = int(at.wait_line(r"^\+CMTI:", start).split(",")[1])
    assert read_pdu(at, index)[1] == "0791947107000000FFFF"


def test_ussd(modem, at):
    modem.ussd_replies["*101#"] = "Tariff: Basic"
    start = at.mark()
    assert at.command('AT+CUSD=1,"*100#",15')[-1] == "OK"
    assert at.wait_line(r"^\+CUSD:", start) == '+CUSD: 0,"Your balance is 5.00",15'
    start = at.mark()
    at.command('AT+CUSD=1,"*101#",15')
    assert at.wait_line(r"^\+CUSD:", start) == '+CUSD: 0,"Tariff: Basic",15'
    start = at.mark()
    at.command('AT+CUSD=1,"*999#",15')
    assert at.wait_line(r"^\+CUSD:", start) == "+CUSD: 4"


@pytest.mark.parametrize("profile", ["huawei", "quectel"])
def test_python_gsmmodem_receives_and_sends(net, profile):
    modem = net.add_modem("g", number="+4915110000005", profile=profile)
    phone = net.add_phone(PHONE)
    received, got = [], threading.Event()

    def on_sms(sms):
        received.append(sms)
        got.set()

    reports, reported = [], threading.Event()

    def on_report(report):
        reports.append(report)
        reported.set()

    gsm = GsmModem(modem.port, 115200, smsReceivedCallbackFunc=on_sms,
                   smsStatusReportCallback=on_report)
    gsm.connect()
    try:
        phone.send_sms(modem.number, "callback please")
        assert got.wait(5)
        assert (received[0].number, received[0].text) == (PHONE, "callback please")
        sent = gsm.sendSms(PHONE, "calling you back", waitForDeliveryReport=False)
        assert phone.wait_sms(1) and phone.inbox[0].text == "calling you back"
        # the library asks for a status report and reads the one the network stores (+CDSI)
        assert reported.wait(5)
        assert (reports[0].reference, reports[0].deliveryStatus) == (sent.reference, 0)
    finally:
        gsm.close()
