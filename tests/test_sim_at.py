"""The virtual modems' AT ports, spoken to through real PTYs with pyserial."""
from __future__ import annotations

import os
import threading

import pytest
import serial
from gsmmodem.modem import GsmModem

from modems.sim import Network
from modems.sim.atclient import AtClient

PROFILES = ["generic", "huawei", "simcom", "quectel"]


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
        yield client


def test_port_is_a_stable_symlink_to_a_pty(modem):
    assert os.path.islink(modem.port)
    assert os.path.realpath(modem.port).startswith("/dev/pts/")
    assert modem.port.endswith("/by-id/m1-at")


def test_echo_until_ate0_and_crlf_framing(modem, at):
    at.write(b"AT\r")
    at.wait_raw(b"AT\r\r\nOK\r\n")
    at.write(b"AT+C")
    at.write(b"SQ\r")                        # a command arriving in pieces
    at.wait_raw(b"AT+CSQ\r\r\n+CSQ: 18,99\r\n\r\nOK\r\n")
    assert at.command("ATE0")[-1] == "OK"
    before = len(at.raw)
    at.command("AT")
    assert bytes(at.raw[before:]) == b"\r\nOK\r\n"
    assert modem.commands == ["AT", "AT+CSQ", "ATE0", "AT"]


def test_unknown_and_vendor_probes_answer_error(modem, at):
    at.command("ATE0")
    for line in ("AT+WIND?", "AT+ZPAS?", "AT+NOSUCH", "HELLO"):
        assert at.command(line)[-1] == "ERROR", line


def test_several_commands_on_one_line(at):
    lines = at.command("ATE0+CMEE=1;+CSQ;+CREG?")
    assert lines[-3:] == ["+CSQ: 18,99", "+CREG: 0,1", "OK"]


IDENTITY = {
    "generic": ("Generic", "GSM Modem", "AT+ICCID", "+ICCID: "),
    "huawei": ("huawei", "E1550", "AT^ICCID?", "^ICCID: "),
    "simcom": ("SIMCOM INCORPORATED", "SIM7600E-H", "AT+CCID", "+ICCID: "),
    "quectel": ("Quectel", "EC25", "AT+QCCID", "+QCCID: "),
}


def test_identity_commands(modem, at):
    manufacturer, model, iccid_command, iccid_prefix = IDENTITY[modem.profile]
    at.command("ATE0")
    assert at.command("AT+CGMI") == [manufacturer, "OK"]
    assert at.command("AT+CGMM") == [model, "OK"]
    assert at.command("AT+CGSN")[0] == modem.imei and len(modem.imei) == 15
    assert at.command("AT+GSN")[0] == modem.imei
    assert at.command("AT+CIMI")[0] == modem.imsi
    stored = "".join(modem.iccid[i + 1:i + 2] + modem.iccid[i] for i in range(0, 20, 2))
    expected = stored if modem.profile == "huawei" else modem.iccid   # E173: swapped
    assert at.command(iccid_command)[0] == iccid_prefix + expected
    assert at.command("AT+CNUM")[0] == f'+CNUM: "","{modem.number}",145'
    assert at.command("AT+COPS?")[0] == '+COPS: 0,0,"Virtual GSM",7'
    assert f"IMEI: {modem.imei}" in at.command("ATI")
    clac = at.command("AT+CLAC")
    if modem.profile == "simcom":
        assert clac == ["ERROR"]
    else:
        assert "+CLIP" in clac and clac[-1] == "OK"
    if modem.profile == "huawei":
        assert {"^CVOICE", "^DTMF", "^USSDMODE"} <= set(clac)
        assert at.command("AT^CVOICE?")[0] == "^CVOICE: 0,8000,16,20"


def test_clcc_urc_switch_only_on_simcom(modem, at):
    at.command("ATE0")
    assert at.command("AT+CLCC=1")[-1] == ("OK" if modem.profile == "simcom" else "ERROR")
    assert at.command("AT+CLCC") == ["OK"]


def test_sim_pin_wrong_three_times_locks_to_puk(net):
    modem = net.add_modem("locked", number="+4915110000009", sim_pin="1234")
    with AtClient(modem.port) as at:
        at.command("ATE0+CMEE=1")
        assert at.command("AT+CPIN?")[0] == "+CPIN: SIM PIN"
        assert at.command("AT+CIMI") == ["+CME ERROR: 11"]
        assert at.command("AT+CREG?")[0] == "+CREG: 0,0"
        for _ in range(3):
            assert at.command('AT+CPIN="0000"') == ["+CME ERROR: 16"]
        assert at.command("AT+CPIN?")[0] == "+CPIN: SIM PUK"
        assert at.command('AT+CPIN="12345678","4321"')[-1] == "OK"
        assert at.command("AT+CPIN?")[0] == "+CPIN: READY"
        assert at.command("AT+CREG?")[0] == "+CREG: 0,1"


def test_cmee_0_gives_plain_error(net):
    modem = net.add_modem("pin", number="+4915110000008", sim_pin="1234")
    with AtClient(modem.port) as at:
        at.command("ATE0")
        assert at.command('AT+CPIN="9999"') == ["ERROR"]


@pytest.mark.parametrize("profile", PROFILES)
def test_python_gsmmodem_connects_and_closes(net, profile):
    pin = "1234" if profile == "quectel" else None
    modem = net.add_modem("g", number="+4915110000007", profile=profile, sim_pin=pin)
    gsm = GsmModem(modem.port, 115200)
    gsm.connect(pin=pin)
    try:
        assert gsm.manufacturer == IDENTITY[profile][0]
        assert gsm.imei == modem.imei
        assert gsm.signalStrength == 18
        assert gsm.networkName == "Virtual GSM"
    finally:
        gsm.close()
    for command in ("ATZ", "ATE0", "AT+CFUN?", "AT+CMEE=1", "AT+CPIN?", "AT+CMGF=0",
                    "AT+CNMI=2,1,0,2", "AT+CLIP=1", "AT+CRC=1", "AT+CVHU=0"):
        assert command in modem.commands
    assert not [t for t in threading.enumerate() if t.name.startswith("Thread-")
                and "gsmmodem" in repr(t._target)]


def test_urc_between_command_and_its_result(modem, at):
    at.command("ATE0")
    modem.urc_during_next_command = "RING"
    assert at.command("AT+CSQ") == ["RING", "+CSQ: 18,99", "OK"]
    assert at.command("AT+CSQ") == ["+CSQ: 18,99", "OK"]


def test_hang_swallows_commands_then_recovers(modem, at):
    at.command("ATE0")
    modem.hang(True)
    with pytest.raises(TimeoutError):
        at.command("AT", timeout=0.3)
    modem.hang(False)
    assert at.command("AT")[-1] == "OK"
    assert b"AT\r" in modem.received


def test_garbage_reaches_the_daemon_raw(modem, at):
    modem.send_garbage(b"\x00\xff\xfe garbage\r\n")
    at.wait_raw(b"\x00\xff\xfe garbage\r\n")


def test_unplug_gives_eio_and_replug_gives_fresh_modem(modem):
    port = serial.Serial(modem.port, 115200, timeout=1)
    port.write(b"ATE0\r")
    assert port.read_until(b"OK\r\n").endswith(b"OK\r\n")
    modem.unplug()
    assert not os.path.lexists(modem.port)
    with pytest.raises(serial.SerialException):
        port.read(1)
    port.close()
    modem.replug()
    assert os.path.islink(modem.port)
    with AtClient(modem.port) as at:
        at.write(b"AT\r")
        at.wait_raw(b"AT\r\r\nOK\r\n")       # echo is on again: state is fresh


def test_no_network(modem, at):
    at.command("ATE0+CMEE=1;+CREG=1")
    modem.no_network(True)
    at.wait_line(r"^\+CREG: 0$")
    assert at.command("AT+CREG?")[0] == "+CREG: 1,0"
    assert at.command("AT+CSQ")[0] == "+CSQ: 99,99"
    assert at.command("ATD+4917012345678;") == ["NO CARRIER"]
    modem.no_network(False)
    at.wait_line(r"^\+CREG: 1$")
    assert at.command("AT+CSQ")[0] == "+CSQ: 18,99"


def test_stop_twice_leaves_nothing_behind(tmp_path):
    before = set(os.listdir("/proc/self/fd"))
    threads_before = set(threading.enumerate())
    net = Network(tmp_path / "sim")
    for index, profile in enumerate(PROFILES):
        net.add_modem(f"m{index}", number=f"+491511000001{index}", profile=profile)
    net.start()
    ports = [m.port for m in net.modems.values()]
    net.stop()
    net.stop()
    assert set(threading.enumerate()) <= threads_before
    assert set(os.listdir("/proc/self/fd")) <= before | {str(len(before))}
    assert not any(os.path.lexists(p) for p in ports)
