"""Calls on the virtual network: RING/+CLIP, call progress per vendor, DTMF, faults."""
from __future__ import annotations

import re
import threading

import pytest
from gsmmodem.modem import GsmModem

from modems.sim import Delays, Network, PhoneState
from modems.sim.atclient import AtClient

PROFILES = ["generic", "huawei", "simcom", "quectel"]
PHONE = "+4917012345678"
SETUP = {
    "generic": [],
    "huawei": [],
    "simcom": ["AT+CLCC=1", "AT+DDET=1", "AT+CPCMREG=1"],
    "quectel": ['AT+QINDCFG="ccinfo",1,0', "AT+QTONEDET=1", "AT+QPCMV=1,2"],
}


@pytest.fixture
def net(tmp_path):
    with Network(tmp_path / "sim", Delays.zero(no_answer_after=0.3)) as network:
        yield network


@pytest.fixture(params=PROFILES)
def modem(request, net):
    return net.add_modem("m1", number="+4915110000001", profile=request.param)


@pytest.fixture
def at(modem):
    with AtClient(modem.port) as client:
        client.command("ATE0+CMEE=1;+CLIP=1")
        for line in SETUP[modem.profile]:
            assert client.command(line)[-1] == "OK", line
        yield client


def expect_in_order(at, start, patterns, timeout=5.0):
    """Waits for lines matching `patterns` in this order after `start`; gives the lines."""
    position, seen = start, []
    for pattern in patterns:
        lines = at.lines_until(pattern, position, timeout)
        position += len(lines)
        seen.append(lines[-1])
    return seen


@pytest.mark.parametrize("presentation,withheld,clip", [
    ("international", False, '+CLIP: "+4917012345678",145,,,,0'),
    ("national", False, '+CLIP: "017012345678",129,,,,0'),
    ("international_no_plus", False, '+CLIP: "4917012345678",145,,,,0'),
    ("international", True, '+CLIP: "",128,,,,1'),
])
def test_incoming_call_rings_with_caller_id(net, modem, at, presentation, withheld, clip):
    phone = net.add_phone(PHONE, withheld=withheld, presentation=presentation)
    start = at.mark()
    phone.call(modem.number)
    expect_in_order(at, start, ["^RING$", "^" + re.escape(clip) + "$", "^RING$",
                                "^" + re.escape(clip) + "$"])
    number = "" if withheld else clip.split('"')[1]
    assert at.command("AT+CLCC")[-2].endswith(f'1,1,4,0,0,"{number}",{clip.split(",")[1]}')
    assert at.command("ATA")[-1] == "OK"
    assert phone.wait_state(PhoneState.ACTIVE)
    assert at.command("AT+CLCC")[-2].startswith("+CLCC: 1,1,0,0,0")


def test_crc_gives_cring(net, modem, at):
    at.command("AT+CRC=1")
    phone = net.add_phone(PHONE)
    start = at.mark()
    phone.call(modem.number)
    at.wait_line(r"^\+CRING: VOICE$", start)


ANSWERED = {
    "generic": [],
    "huawei": [r"^\^ORIG:1,0$", r"^\^CONF:1$", r"^\^CONN:1,0$"],
    "simcom": [r'^\+CLCC: 1,0,2,0,0,"\+4917012345678",145$', r"^\+CLCC: 1,0,3,",
               r"^\+CLCC: 1,0,0,", "^VOICE CALL: BEGIN$"],
    "quectel": [r'^\+QIND: "ccinfo",1,0,2,0,0,"\+4917012345678",145$', r'^\+QIND: "ccinfo",1,0,3,',
                r'^\+QIND: "ccinfo",1,0,0,'],
}
ENDED = {
    "generic": [],
    "huawei": [r"^\^CEND:1,\d+,104,16$"],
    "simcom": [r"^\+CLCC: 1,0,6,", r"^VOICE CALL: END: 0000\d\d$"],
    "quectel": [r'^\+QIND: "ccinfo",1,0,7,'],
}


def test_outgoing_call_answered_then_far_end_hangs_up(net, modem, at):
    phone = net.add_phone(PHONE)
    start = at.mark()
    assert at.command(f"ATD{PHONE};")[-1] == "OK"
    assert phone.wait_state(PhoneState.RINGING)
    assert re.match(r'\+CLCC: 1,0,[23],0,0,"\+4917012345678",145', at.command("AT+CLCC")[-2])
    phone.answer()
    expect_in_order(at, start, ANSWERED[modem.profile])
    assert at.command("AT+CLCC")[-2] == '+CLCC: 1,0,0,0,0,"+4917012345678",145'
    phone.hangup()
    expect_in_order(at, start, ENDED[modem.profile] + ["^NO CARRIER$"])
    assert at.command("AT+CLCC") == ["OK"]
    assert phone.last_cause == "normal"


@pytest.mark.parametrize("outcome,final,cc", [
    ("busy", "BUSY", 17), ("no answer", "NO ANSWER", 19), ("rejected", "NO CARRIER", 21),
    ("unassigned", "NO CARRIER", 1)])
def test_outgoing_call_fails(net, modem, at, outcome, final, cc):
    phone = net.add_phone(PHONE)
    if outcome == "busy":
        net.add_phone("+4917099999999").call(PHONE)
        assert phone.wait_state(PhoneState.RINGING)
    start = at.mark()
    number = "+4930123456" if outcome == "unassigned" else PHONE
    assert at.command(f"ATD{number};")[-1] == "OK"
    if outcome == "rejected":
        assert phone.wait_state(PhoneState.RINGING)
        phone.reject()
    lines = expect_in_order(at, start, [f"^{final}$"], timeout=3)
    if modem.profile == "huawei":
        assert any(re.match(rf"\^CEND:1,0,104,{cc}$", line) for line in at.lines[start:])
    if modem.profile == "simcom":
        assert any(line.startswith("+CLCC: 1,0,6,") for line in at.lines[start:])
    assert lines and at.command("AT+CLCC") == ["OK"]


def test_huawei_cend_without_cause(net):
    modem = net.add_modem("hw", number="+4915110000002", profile="huawei")
    modem.cend_with_cause = False
    with AtClient(modem.port) as at:
        at.command("ATE0")
        start = at.mark()
        at.command("ATD+4930123456;")
        assert at.wait_line(r"^\^CEND:", start) == "^CEND:1,0,104"


def test_modem_rejects_incoming_and_caller_hears_busy(net, modem, at):
    phone = net.add_phone(PHONE)
    start = at.mark()
    phone.call(modem.number)
    at.wait_line("^RING$", start)
    assert at.command("AT+CHUP")[-1] == "OK"
    assert phone.wait_state(PhoneState.IDLE)
    assert phone.last_cause == "busy"


def test_caller_gives_up_before_answer(net, modem, at):
    phone = net.add_phone(PHONE)
    start = at.mark()
    phone.call(modem.number)
    at.wait_line("^RING$", start)
    phone.hangup()
    at.wait_line("^NO CARRIER$", start)
    if modem.profile == "simcom":
        assert re.match(r"MISSED_CALL: \d\d:\d\d[AP]M \+4917012345678",
                        at.wait_line("^MISSED_CALL", start))


DTMF_URC = {"simcom": ["+RXDTMF: 1", "+RXDTMF: #", "+RXDTMF: *"],
            "quectel": ["+QTONEDET: 49", "+QTONEDET: 35", "+QTONEDET: 42"]}


def test_far_end_keys_reported_per_vendor(net, modem, at):
    phone = net.add_phone(PHONE)
    at.command(f"ATD{PHONE};")
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    start = at.mark()
    phone.press("1#*")
    if modem.profile in DTMF_URC:
        expect_in_order(at, start, ["^" + re.escape(u) + "$" for u in DTMF_URC[modem.profile]])
    else:
        at.command("AT+CLCC")
        assert not any("DTMF" in line for line in at.lines[start:])


def test_simcom_sim800_dtmf_format(net):
    modem = net.add_modem("s8", number="+4915110000003", profile="simcom")
    modem.dtmf_urc = "+DTMF:{d}"
    phone = net.add_phone(PHONE)
    with AtClient(modem.port) as at:
        at.command("ATE0;+DDET=1")
        at.command(f"ATD{PHONE};")
        assert phone.wait_state(PhoneState.RINGING)
        phone.answer()
        start = at.mark()
        phone.press("5")
        at.wait_line(r"^\+DTMF:5$", start)


def test_vts_reaches_the_phone(net, modem, at):
    phone = net.add_phone(PHONE)
    at.command(f"ATD{PHONE};")
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    assert phone.wait_state(PhoneState.ACTIVE)
    command = "AT^DTMF=1,7" if modem.profile == "huawei" else 'AT+VTS="7"'
    assert at.command(command)[-1] == "OK"
    assert at.command("AT+VTS=9")[-1] == "OK"
    assert phone.wait_dtmf(2)
    assert phone.heard_dtmf == ["7", "9"]


def test_vts_without_call_is_an_error(at):
    assert at.command("AT+VTS=1") == ["+CME ERROR: 3"]


def test_network_drops_call(net, modem, at):
    phone = net.add_phone(PHONE)
    start = at.mark()
    at.command(f"ATD{PHONE};")
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    assert phone.wait_state(PhoneState.ACTIVE)
    modem.drop_call()
    assert phone.wait_state(PhoneState.IDLE)
    assert phone.last_cause == "network"
    at.wait_line("^NO CARRIER$", start)


def test_phone_to_phone_call(net):
    alice, bob = net.add_phone(PHONE), net.add_phone("+4917011111111")
    alice.call("017011111111")
    assert bob.wait_state(PhoneState.RINGING) and alice.wait_state(PhoneState.ALERTING)
    bob.answer()
    assert alice.wait_state(PhoneState.ACTIVE)
    bob.press("4")
    assert alice.wait_dtmf(1)
    alice.hangup()
    assert bob.wait_state(PhoneState.IDLE) and bob.last_cause == "normal"


def test_python_gsmmodem_dials_through_huawei_urcs(net):
    modem = net.add_modem("hw", number="+4915110000004", profile="huawei")
    phone = net.add_phone(PHONE)
    answered, ended = threading.Event(), threading.Event()

    def on_status(call):
        (answered if call.answered else ended).set()
        if not call.active:
            ended.set()

    gsm = GsmModem(modem.port, 115200)
    gsm.connect()
    try:
        call = gsm.dial(PHONE, callStatusUpdateCallbackFunc=on_status)
        assert phone.wait_state(PhoneState.RINGING)
        phone.answer()
        assert answered.wait(5)
        phone.hangup()
        assert ended.wait(5) and not call.active
    finally:
        gsm.close()


def test_quectel_dsci_when_ccinfo_is_off(net):
    modem = net.add_modem("q", number="+4915110000006", profile="quectel")
    phone = net.add_phone(PHONE)
    with AtClient(modem.port) as at:
        at.command("ATE0;^DSCI=1")
        start = at.mark()
        at.command("ATD017012345678;")
        assert phone.wait_state(PhoneState.RINGING)
        phone.answer()
        phone.hangup()
        expect_in_order(at, start, ["^\\^DSCI: 1,0,2,0,017012345678,129$", "^\\^DSCI: 1,0,3,",
                                    "^\\^DSCI: 1,0,0,", "^\\^DSCI: 1,0,6,", "^NO CARRIER$"])
        assert not any("QIND" in line for line in at.lines)


def test_modem_calls_modem(net):
    caller = net.add_modem("a", number="+4915110000001", profile="simcom")
    callee = net.add_modem("b", number="+4915110000002", profile="huawei")
    with AtClient(caller.port) as at_a, AtClient(callee.port) as at_b:
        at_a.command("ATE0")
        at_b.command("ATE0+CLIP=1")
        start = at_b.mark()
        at_a.command("ATD015110000002;")
        at_b.wait_line(r'^\+CLIP: "\+4915110000001",145,,,,0$', start)
        assert at_b.command("ATA")[-1] == "OK"
        assert at_a.command("AT+CLCC")[-2] == '+CLCC: 1,0,0,0,0,"015110000002",129'
        start = at_a.mark()
        at_b.command("ATH")
        at_a.wait_line("^NO CARRIER$", start)
