"""The modem driver against every vendor profile of the virtual network, over real PTYs."""
from __future__ import annotations

import sys
import threading
import time

import pytest

from modems.errors import ModemError
from modems.events import (CallState, CallStateChanged, Direction, DtmfReceived, EndCause,
                           IncomingCall, ModemUp, SignalChanged, SmsStored)
from modems.sim import PhoneState

from tests.conftest import PROFILES

BOX = "+4915110000001"
USER = "+4917012345678"

EXPECTED_VENDOR = {"generic": "generic", "huawei": "huawei", "simcom": "simcom",
                   "quectel": "quectel"}


@pytest.fixture(params=PROFILES)
def modem(request, network):
    return network.add_modem(name="m1", number=BOX, profile=request.param)


def test_init_and_identity(modem, open_driver):
    driver, events = open_driver(modem)
    assert driver.identity.profile == EXPECTED_VENDOR[modem.profile]
    assert driver.identity.imei.isdigit() and len(driver.identity.imei) == 15
    events.wait_for(ModemUp, profile=modem.profile)
    health = driver.health()
    assert health.sim_state == "ready"
    assert health.registration in ("home", "roaming")
    assert health.dbm is not None and -113 <= health.dbm <= -51
    assert 1 <= health.bars <= 5
    assert health.iccid and health.iccid.isdigit()
    assert health.imsi and health.imsi.isdigit()
    assert health.operator
    events.wait_for(SignalChanged)


@pytest.mark.parametrize("presentation", ["international", "national"])
def test_incoming_call_reports_e164_caller(modem, network, open_driver, presentation):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER, presentation=presentation)
    phone.call(BOX)
    ring = events.wait_for(IncomingCall)
    assert ring.number == USER
    assert ring.ring == 1
    events.wait_for(CallStateChanged, state=CallState.INCOMING, direction=Direction.INCOMING)
    events.wait_for(IncomingCall, ring=2)
    driver.reject(ring.call_id)
    ended = events.wait_for(CallStateChanged, state=CallState.ENDED)
    assert ended.cause is EndCause.REJECTED
    assert phone.wait_state(PhoneState.IDLE)


def test_withheld_caller_has_no_number(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER, withheld=True)
    phone.call(BOX)
    ring = events.wait_for(IncomingCall)
    assert ring.number is None


def test_a_ring_without_caller_line_is_reported_after_its_wait_on_no_thread_of_its_own(
        network, open_driver):
    """With +CLIP off the modem says only RING: the driver waits CLIP_WAIT_S for a +CLIP
    line on the modem's dispatcher (a thread per RING once: two a second under load), then
    reports the call, its number read from the call list (27.007 +CLCC)."""
    from modems.driver import CLIP_WAIT_S
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.urc_log = []                      # (time, line) of what the modem sends unasked
    driver, events = open_driver(modem)
    events.wait_for(ModemUp)
    assert driver.command("AT+CLIP=0")[-1] == "OK"
    started = set()

    def note_started(*_):                   # the trace function of each thread started now
        started.add(threading.current_thread().name)

    phone = network.add_phone(number=USER)
    threading.settrace(note_started)
    try:
        phone.call(BOX)
        ring = events.wait_for(IncomingCall)
    finally:
        threading.settrace(None)
    rings = [at for at, line in modem.urc_log if line == "RING" or line.startswith("+CRING")]
    assert not any(line.startswith("+CLIP") for _, line in modem.urc_log)
    assert ring.number == USER
    assert ring.ring == 1 and ring.at - rings[0] >= CLIP_WAIT_S
    assert started == set()


def test_outgoing_call_alerting_active_ended(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    call_id = driver.dial(USER)
    assert phone.wait_state(PhoneState.RINGING)
    events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ALERTING)
    phone.answer()
    events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ACTIVE)
    phone.hangup()
    ended = events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ENDED)
    assert ended.cause is EndCause.NORMAL
    assert not driver.in_call


def test_outgoing_call_we_hang_up(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    call_id = driver.dial(USER)
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ACTIVE)
    driver.hangup(call_id)
    ended = events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ENDED)
    assert ended.cause is EndCause.NORMAL
    assert phone.wait_state(PhoneState.IDLE)


def test_outgoing_call_busy(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    other = network.add_phone(number="+4917099999999")
    other.call(USER)
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    call_id = driver.dial(USER)
    ended = events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ENDED)
    assert ended.cause is EndCause.BUSY


def test_outgoing_call_no_answer(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    call_id = driver.dial(USER)
    assert phone.wait_state(PhoneState.RINGING)
    ended = events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ENDED, timeout=10)
    assert ended.cause is EndCause.NO_ANSWER


def test_sms_in_plain_multipart_and_ucs2(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    long_text = "Callback please. " * 25          # 425 characters: 3 parts
    texts = ["BAL", long_text, "Привет, баланс? ☎"]
    for text in texts:
        phone.send_sms(BOX, text)
    stored = [events.wait_for(SmsStored) for _ in range(1 + 3 + 1)]
    messages = [driver.read_sms(event.index) for event in stored]
    assert all(message.error is None for message in messages)
    assert all(message.sender == USER for message in messages)
    assert messages[0].text == "BAL"
    parts = sorted(messages[1:4], key=lambda message: message.concat_part)
    assert [part.concat_total for part in parts] == [3, 3, 3]
    assert len({part.concat_ref for part in parts}) == 1
    assert "".join(part.text for part in parts) == long_text
    assert messages[4].text == texts[2]
    # reading does not delete: the gateway deletes after it has committed
    assert len(driver.list_sms()) == 5
    driver.delete_sms(stored[0].index)
    assert len(driver.list_sms()) == 4


def test_sms_out_plain_multipart_and_ucs2(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    long_text = "Your balance is 12.50 EUR. " * 12
    assert len(driver.send_sms(USER, "Hello")) == 1
    assert len(driver.send_sms(USER, long_text)) == 3
    assert len(driver.send_sms(USER, "Ваш баланс 5 €")) == 1
    assert phone.wait_sms(count=3)
    assert [sms.text for sms in phone.inbox] == ["Hello", long_text, "Ваш баланс 5 €"]


def test_dtmf_received_in_order(network, open_driver):
    """SIMCom and Quectel report keys as URCs; the others in-band only (audio)."""
    for index, profile in enumerate(["simcom", "quectel"]):
        number = f"+49151100000{index + 10}"
        modem = network.add_modem(name=f"d{index}", number=number, profile=profile)
        driver, events = open_driver(modem)
        phone = network.add_phone(number=f"+49170123456{index + 10}")
        phone.call(number)
        ring = events.wait_for(IncomingCall)
        driver.answer(ring.call_id)
        assert phone.wait_state(PhoneState.ACTIVE)
        phone.press("0123456789*#")
        digits = "".join(events.wait_for(DtmfReceived).digit for _ in range(12))
        assert digits == "0123456789*#"
        driver.hangup()


def test_dtmf_sent(modem, network, open_driver):
    driver, events = open_driver(modem)
    phone = network.add_phone(number=USER)
    call_id = driver.dial(USER)
    assert phone.wait_state(PhoneState.RINGING)
    phone.answer()
    events.wait_for(CallStateChanged, call_id=call_id, state=CallState.ACTIVE)
    driver.send_dtmf("12#")
    assert phone.heard_dtmf == ["1", "2", "#"]


def test_ussd(network, open_driver):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.ussd_replies["*100#"] = "Your balance is 5.00"
    driver, _ = open_driver(modem)
    assert driver.send_ussd("*100#") == "Your balance is 5.00"


def _wakeups(thread) -> int:
    """Gives how often the kernel woke `thread` from a wait so far (Linux)."""
    with open(f"/proc/self/task/{thread.native_id}/status") as status:
        for line in status:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches in /proc")


def test_an_idle_modem_wakes_no_thread_and_closes_at_once(network, open_driver):
    """A box idles most of its life: the port's reader sleeps until a byte comes and the
    call-list poller until a call exists; close() ends both at once."""
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.urc_log = []                    # what the modem sends unasked: it wakes the reader
    driver, events = open_driver(modem)
    events.wait_for(ModemUp)
    driver.health()                       # the last command; nothing is written after it
    reader, dispatcher, poller = driver.threads
    idle = {"m1-rx": 0, "m1-urc": 0, "m1-clcc": 0}
    windows = []
    for _ in range(5):                    # a window in which the modem sent nothing
        sent = len(modem.urc_log)
        began = time.monotonic()
        before = {thread.name: _wakeups(thread) for thread in driver.threads}
        threading.Event().wait(1.2)       # an interval of nothing: what would wake them?
        woken = {thread.name: _wakeups(thread) - before[thread.name] for thread in driver.threads}
        # nor just before it: a line written then may be read and handled in the window
        last_sent = modem.urc_log[-1][0] if modem.urc_log else float("-inf")
        quiet = len(modem.urc_log) == sent and last_sent < began - 0.5
        windows.append((quiet, woken))
        # A thread that wakes on a timer of 1.2 s or less wakes in every window; one that
        # was still finishing earlier work on a loaded machine (waiting for the GIL counts
        # as a wakeup) is idle in the next window.
        if quiet and woken == idle:
            break
    assert (True, idle) in windows, (windows, modem.urc_log)
    began = time.monotonic()
    driver.close()
    assert time.monotonic() - began < 1.0
    assert not any(thread.is_alive() for thread in (reader, dispatcher, poller))


def test_the_sim_identity_is_read_again_only_when_the_sim_may_have_changed(network, open_driver):
    """A health check reads ICCID and IMSI when the SIM's state or the registration changed
    since the last read (a card taken out and another put in), not at every check."""
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    driver, events = open_driver(modem)
    events.wait_for(ModemUp)
    identity_commands = (*driver.profile.iccid_commands, "AT+CIMI")

    def checked():
        before = len(modem.commands)
        health = driver.health()
        return health, [line for line in modem.commands[before:] if line in identity_commands]

    first, _ = checked()
    again, read = checked()
    assert (again.iccid, again.imsi) == (first.iccid, first.imsi) == (modem.iccid, first.imsi)
    assert first.imsi and read == []
    modem.sim_state = "NOT INSERTED"             # the card is taken out ...
    out, read = checked()
    assert out.sim_state != "ready" and "AT+CIMI" in read
    modem.iccid = "89490200001234567890"          # ... and another put in
    modem.sim_state = "READY"
    back, read = checked()
    assert back.iccid == "89490200001234567890" and "AT+CIMI" in read


def test_a_command_that_finds_the_port_gone_reports_the_modem_lost_at_once(network, open_driver):
    """Unplugged, the port fails a command's write at once, while the reader may not have
    been scheduled yet to see the hang-up: the command's failure reports the modem lost
    (once), so the pool takes the "port vanished" path, not "stopped answering"."""
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    interval = sys.getswitchinterval()
    for _ in range(5):
        lost = []
        driver, events = open_driver(modem, on_lost=lost.append)  # as the pool is told
        events.wait_for(ModemUp)
        sys.setswitchinterval(1.0)  # the reader, woken by the hang-up, waits for this thread
        try:
            modem.unplug()
            with pytest.raises(ModemError):
                driver.health()
            alive_after_failure = driver.alive
        finally:
            sys.setswitchinterval(interval)
        assert not alive_after_failure
        reader = driver.threads[0]
        reader.join(timeout=2)
        assert not reader.is_alive()
        assert len(lost) == 1 and lost[0].startswith("port vanished"), lost
        driver.close()
        modem.replug()
