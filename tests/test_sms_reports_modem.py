"""Status reports on the AT link: asked for with TP-SRR, routed as +CDS or +CDSI by the
virtual network, read by the driver; a broken report never costs the modem its events."""
from __future__ import annotations

import pytest

from modems import sms as sms_codec
from modems.events import SmsReceived, SmsStatusReport, StatusReportStored
from modems.sim import sms_pdu

PHONE = "+4917012345678"
NOBODY = "+4917099999999"


def report_of(driver, events, modem):
    """Gives the next status report the driver hands over, read from storage for +CDSI."""
    if modem.settings.cnmi_ds == 1:
        return events.wait_for(SmsStatusReport)
    stored = events.wait_for(StatusReportStored)
    taken: list[SmsStatusReport] = []
    driver.take_status_report(stored.index, stored.memory, taken.append)
    return taken[0]


@pytest.mark.parametrize("routing", ["+CDSI", "+CDS"])
def test_a_text_asking_for_a_report_is_reported_delivered(network, open_driver, routing):
    modem = network.add_modem("m1", "+4915110000001")
    if routing == "+CDS":
        modem.cnmi_ds_supported = (0, 1)     # the library falls back to AT+CNMI=2,1,0,1,0
    phone = network.add_phone(PHONE)
    driver, events = open_driver(modem)
    assert modem.settings.cnmi_ds == (1 if routing == "+CDS" else 2)
    references = driver.send_sms(PHONE, "Your balance is 12.50 EUR", report=True)
    assert phone.wait_sms(1)
    report = report_of(driver, events, modem)
    assert (report.reference, report.recipient, report.status, report.error) == (
        references[0], PHONE, 0, None)
    assert report.smsc_time and report.done_time
    assert modem.reports == {}, "the stored report was deleted"
    assert modem.sms_storage() == {}, "the read memory is the messages' again"


def test_a_report_that_cannot_be_recorded_stays_where_it_is(network, open_driver):
    """take_status_report deletes a report only once it was kept, and reads messages from
    their own memory again either way."""
    modem = network.add_modem("m1", "+4915110000001")
    phone = network.add_phone(PHONE)
    driver, events = open_driver(modem)
    driver.send_sms(PHONE, "hello", report=True)
    assert phone.wait_sms(1)
    stored = events.wait_for(StatusReportStored)

    def refuse(report):
        raise RuntimeError("the database is away")

    commands = len(modem.commands)
    with pytest.raises(RuntimeError, match="away"):
        driver.take_status_report(stored.index, stored.memory, refuse)
    assert len(modem.reports) == 1
    assert not any(line.startswith("AT+CMGD") for line in modem.commands[commands:])
    taken: list[SmsStatusReport] = []
    driver.take_status_report(stored.index, stored.memory, taken.append)
    assert taken[0].recipient == PHONE and modem.reports == {}
    switches = [line for line in modem.commands[commands:] if line.startswith("AT+CPMS=")]
    assert len(switches) == 4, switches       # to the reports' memory and back, twice
    asked = [line for line in modem.commands[commands:] if line == "AT+CPMS?"]
    assert len(asked) == 1, asked             # the memory to go back to is asked once
    assert modem.sms_storage() == {}


def test_an_unknown_number_is_reported_failed_for_each_part(network, open_driver):
    modem = network.add_modem("m1", "+4915110000001")
    driver, events = open_driver(modem)
    references = driver.send_sms(NOBODY, "x" * 200, report=True)
    assert len(references) == 2
    reports = [report_of(driver, events, modem) for _ in references]
    assert sorted(report.reference for report in reports) == sorted(references)
    assert {(report.recipient, report.status) for report in reports} == {
        (NOBODY, sms_pdu.INCOMPATIBLE_DESTINATION)}


def test_no_report_unless_asked(network, open_driver):
    modem = network.add_modem("m1", "+4915110000001")
    phone = network.add_phone(PHONE)
    driver, events = open_driver(modem)
    driver.send_sms(PHONE, "hello")
    driver.send_sms(PHONE, "again", report=True)
    assert phone.wait_sms(2)
    events.wait_for(StatusReportStored)
    assert len(modem.reports) == 1


def test_a_broken_report_is_survived(network, open_driver):
    modem = network.add_modem("m1", "+4915110000001")
    modem.cnmi_ds_supported = (0, 1)
    network.add_phone(PHONE)
    driver, events = open_driver(modem)
    with network.lock:
        modem.urc("+CDS: 9\r\nNOT-A-PDU")          # no PDU line at all
        modem.urc("+CDS: 3\r\n0011FF")             # hexadecimal, but no report
        modem.urc("+CDS: 30\r\n" + "06" * 30)      # a report cut short
    broken = [events.wait_for(SmsStatusReport) for _ in range(2)]
    assert all(report.error and report.status is None for report in broken)
    # a report pushed while a command waits for its answer is not taken as its answer
    modem.urc_inside_next_reply = "+CDS: 25\r\n" + sms_pdu.encode_status_report(
        7, PHONE, sms_pdu.datetime.datetime.now().astimezone(), 0)
    assert driver.health().registration == "home"
    assert events.wait_for(SmsStatusReport).reference == 7
    references = driver.send_sms(PHONE, "still fine", report=True)
    assert events.wait_for(SmsStatusReport).reference == references[0]


def test_an_acknowledging_modem_gets_its_cnma(network, open_driver):
    modem = network.add_modem("m1", "+4915110000001")
    modem.cnmi_ds_supported, modem.csms_service = (0, 1), 1
    network.add_phone(PHONE)
    driver, events = open_driver(modem)
    driver.send_sms(PHONE, "ack me", report=True)
    events.wait_for(SmsStatusReport)
    modem.wait_for_command(r"^AT\+CNMA$")
    network.settle()
    assert modem.settings.vendor.get("acks") == 1


def test_a_report_stored_with_the_messages_is_told_apart():
    pdu = sms_pdu.encode_status_report(9, PHONE, sms_pdu.datetime.datetime.now().astimezone(),
                                       0x46)
    sms = sms_codec.decode("m1", 3, pdu)
    assert isinstance(sms, SmsReceived) and sms.status_report and sms.error
    report = sms_codec.decode_report("m1", pdu, index=3)
    assert (report.reference, report.status, report.recipient) == (9, 0x46, PHONE)
    # without the SMSC address some firmwares leave out of +CDS
    bare = pdu[2 + 2 * int(pdu[:2], 16):]
    assert sms_codec.decode_report("m1", bare, length=len(bare) // 2).reference == 9


def test_a_pushed_message_comes_with_its_pdu_even_during_a_command(network, open_driver):
    modem = network.add_modem("m1", "+4915110000001")
    phone = network.add_phone(PHONE)
    driver, events = open_driver(modem)
    with network.lock:
        modem.settings.cnmi_mt = 2        # 27.005 3.4.1 <mt>=2: +CMT, never stored
    phone.send_sms(modem.number, "CB")
    pushed = events.wait_for(SmsReceived)
    assert (pushed.index, pushed.sender, pushed.text) == (None, PHONE, "CB")
    pdu = sms_pdu.encode_deliver(PHONE, "BAL")[0]
    modem.urc_inside_next_reply = f"+CMT: ,{sms_pdu.tpdu_length(pdu)}\r\n{pdu}"
    assert driver.health().registration == "home"
    assert events.wait_for(SmsReceived).text == "BAL"
    assert modem.stored_sms == []
