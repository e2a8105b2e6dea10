"""Lines real modems send that the parsers must take: non-voice calls in the call list,
optional 27.007 fields, vendor forms; each sent by a virtual modem over a real PTY."""
from __future__ import annotations

import time

import pytest

from modems.errors import ModemError
from modems.events import (CallState, CallStateChanged, EndCause, IncomingCall, SignalChanged,
                           SmsStored)
from modems.profiles import by_name
from modems.sim import PhoneState
from modems.sim.other_calls import DATA, FAX, UNKNOWN

from tests.conftest import PROFILES

BOX = "+4915110000001"
USER = "+4917012345678"


@pytest.fixture(params=PROFILES)
def modem(request, network):
    return network.add_modem(name="m1", number=BOX, profile=request.param)


def call_events(events, call_id: int) -> list[CallStateChanged]:
    return [event for event in events.drain()
            if isinstance(event, CallStateChanged) and event.call_id == call_id]


def test_a_leftover_data_call_is_no_call(modem, network, open_driver):
    """The EG25-G line `+CLCC: 1,1,0,1,0,"",128`: the modem is free, a caller is call 2,
    and keys go to call 2 (Huawei's AT^DTMF names the call)."""
    modem.list_other_call(1, DATA)
    driver, events = open_driver(modem)
    assert not driver.in_call
    phone = network.add_phone(number=USER)
    phone.call(BOX)
    ring = events.wait_for(IncomingCall)
    assert (ring.call_id, ring.number) == (2, USER)
    events.wait_for(CallStateChanged, call_id=2, state=CallState.INCOMING)
    driver.answer(ring.call_id)
    events.wait_for(CallStateChanged, call_id=2, state=CallState.ACTIVE)
    driver.send_dtmf("5")
    assert phone.wait_dtmf(1) and phone.heard_dtmf == ["5"]
    driver.hangup(ring.call_id)
    ended = events.wait_for(CallStateChanged, call_id=2, state=CallState.ENDED)
    assert ended.cause is EndCause.NORMAL
    assert phone.wait_state(PhoneState.IDLE)
    assert not driver.in_call
    assert call_events(events, 1) == []


@pytest.mark.parametrize("mode", [DATA, FAX, UNKNOWN])
def test_non_voice_lines_coming_and_going_leave_a_call_alone(modem, network, open_driver, mode):
    """Listed and ended during an outgoing call, with the vendor's URCs for them; the voice
    line carries the optional 27.007 §7.18 fields (<alpha>,<priority>,<CLI validity>)."""
    modem.clcc_tail = ',"Alice",0,0'
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    call_id = driver.dial(USER)
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ACTIVE)
    sent = len(modem.commands)
    other = modem.list_other_call(call_id + 1, mode)
    modem.wait_for_command(r"(?i)^AT\+CLCC$", after=sent)
    assert phone.state is PhoneState.ACTIVE
    assert driver.in_call and set(driver.calls.calls) == {call_id}
    modem.end_other_call(other.call_id)
    phone.hangup()
    ended = events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ENDED)
    assert ended.cause is EndCause.NORMAL
    assert not driver.in_call
    assert call_events(events, other.call_id) == []


@pytest.mark.parametrize("profile, data_line, voice_line", [
    ("simcom", '+CLCC: 1,1,0,1,0,"",128', '+CLCC: 1,1,0,0,0,"",128'),
    ("simcom", '+CLCC: 1,1,6,2,0,"",128,""', '+CLCC: 1,1,6,0,0,"",128,""'),
    ("quectel", '+QIND: "ccinfo",1,1,0,1,0,"",128', '+QIND: "ccinfo",1,1,0,0,0,"",128'),
    ("quectel", "^DSCI: 1,1,6,1,,128", "^DSCI: 1,1,6,0,,128"),
    ("huawei", "^ORIG:1,1", "^ORIG:1,0"),
    ("huawei", "^CONN:1,2", "^CONN:1,9"),
])
def test_vendor_urcs_of_data_calls_give_no_call_hint(profile, data_line, voice_line):
    """The same URC for a voice call hints at a call; for a data or fax call it does not."""
    parser = by_name(profile)
    assert parser.parse_urc(data_line) is None
    assert parser.parse_urc(voice_line).call_id == 1


def test_an_sms_announced_without_its_memory_is_read(modem, network, open_driver):
    """`+CMTI: ,2`, as chan_quectel meets it (27.005 §3.4.1 names <mem> first)."""
    modem.cmti_urc = "+CMTI: ,{index}"
    driver, events = open_driver(modem)
    network.add_phone(number=USER).send_sms(BOX, "BAL")
    stored = events.wait_for(SmsStored)
    assert stored.memory == ""
    message = driver.read_sms(stored.index)
    assert (message.sender, message.text) == (USER, "BAL")


@pytest.mark.parametrize("reply, reason", [(None, "not supported"), ((2,), "ended by the network")])
def test_a_ussd_answer_without_text_is_a_clear_error_at_once(modem, open_driver, reply, reason):
    """`+CUSD: 4` / `+CUSD: 2` (27.007 §7.15: <str> and <dcs> are optional)."""
    if reply is not None:
        modem.ussd_replies["*101#"] = reply
    driver, _ = open_driver(modem)
    started = time.monotonic()
    with pytest.raises(ModemError, match=reason):
        driver.send_ussd("*101#", timeout=10)
    assert time.monotonic() - started < 5


def test_a_ussd_menu_over_several_lines_comes_whole(modem, network, open_driver):
    """Networks put CR LF inside the quoted text of a menu; a text whose closing quote never
    comes does not swallow the lines after it."""
    modem.ussd_replies["*100#"] = "Balance: 5.00 EUR\n1 Top up\n2 Offers"
    driver, events = open_driver(modem)
    assert driver.send_ussd("*100#", timeout=10) == "Balance: 5.00 EUR\n1 Top up\n2 Offers"
    modem.send_urc('+CUSD: 1,"Menu cut short')
    network.add_phone(number=USER).call(BOX)
    assert events.wait_for(IncomingCall).number == USER


def test_a_ussd_answer_in_ucs2_is_decoded(modem, open_driver):
    """<dcs> 72 (UCS2, 23.038 §5): the modem shows the text as UCS2 hex."""
    modem.ussd_replies["*100#"] = (0, "Баланс: 5,00 € 😀", 72)
    driver, _ = open_driver(modem)
    assert driver.send_ussd("*100#", timeout=10) == "Баланс: 5,00 € 😀"


def test_registration_urcs_are_reported_at_once(modem, open_driver):
    """After AT+CREG=2 (27.007 §7.2) the URC has no <n> and may leave <lac>,<ci> empty."""
    driver, events = open_driver(modem)
    driver.command("AT+CREG=2")
    driver.health()
    events.wait_for(SignalChanged, registration="home")
    modem.no_network(True)
    assert events.wait_for(SignalChanged, registration="not registered").operator is None
    for line, registration in [("+CREG: 2,,,7", "searching"),
                               ('+CREG: 5,"1A2B","01C3D4E5",7', "roaming"),
                               ("+CREG: 3,,,7,0,13", "denied")]:
        modem.send_urc(line)
        events.wait_for(SignalChanged, registration=registration)
    modem.no_network(False)
    events.wait_for(SignalChanged, registration="home")
    # AT+CLAC's answer lists "+CREG" on a line of its own (Quectel): no registration news
    assert [event.registration for event in events.drain() if isinstance(event, SignalChanged)
            ] == ["home", "not registered", "searching", "roaming", "denied", "home"]
