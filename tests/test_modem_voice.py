"""The module's own voice settings: each profile sets them after open on the virtual
network, a [[modem]] override reaches the module, a refusal is no reason to stay down,
and `callbox probe` reads them back in plain words."""
from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.config import ConfigError, parse
from modems.driver import ModemDriver
from modems.events import ModemUp
from modems.pool import ModemPool
from modems.profiles.voice import ModuleVoice

from tests.conftest import EventLog

ROOT = Path(__file__).resolve().parent.parent
BOX = "+4915110000001"
# The voice lines of every profile (AT^CVOICE? is a Huawei init command, not one of them).
VOICE_LINE = re.compile(r"^AT\+(CECM|SIDET|CMICGAIN|CLVL|CMUT|QAUDMOD|QSIDET|QMIC)\b")


def voice_lines(modem) -> list[str]:
    return [line for line in modem.commands if VOICE_LINE.match(line)]


@pytest.fixture
def opened():
    drivers = []

    def opener(modem, voice: ModuleVoice | None):
        driver = ModemDriver(modem.name, modem.port, country="DE", at_timeout=2.0,
                             module_voice=voice)
        drivers.append(driver)
        driver.open()
        return driver

    yield opener
    for driver in drivers:
        driver.close()


WANTED = ModuleVoice(mic_gain=5, speaker_volume=4)


@pytest.mark.parametrize("profile, lines, values", [
    ("simcom", ["AT+CECM=1", "AT+SIDET=0", "AT+CMICGAIN=?", "AT+CMICGAIN=5", "AT+CLVL=?",
                "AT+CLVL=4"],
     {"+CECM": [1], "+SIDET": [0], "+CMICGAIN": [5], "+CLVL": [4]}),
    ("quectel", ["AT+QAUDMOD=0", "AT+QSIDET=0", "AT+QMIC=?", "AT+QMIC=5", "AT+CLVL=?",
                 "AT+CLVL=4"],
     {"+QAUDMOD": [0], "+QSIDET": [0], "+QMIC": [5, 8192], "+CLVL": [4]}),
    ("huawei", ["AT+CLVL=?", "AT+CLVL=4"], {"+CLVL": [4], "+CMUT": [0]}),
    ("generic", ["AT+CLVL=?", "AT+CLVL=4"], {"+CLVL": [4], "+CMUT": [0]}),
])
def test_each_profile_sets_the_modules_voice_after_open(network, opened, caplog, profile,
                                                         lines, values):
    modem = network.add_modem(name="m1", number=BOX, profile=profile)
    # As found: the echo canceller off and a side tone on, where the module has them.
    for name, found in {"+CECM": [0], "+SIDET": [2048], "+QAUDMOD": [3],
                        "+QSIDET": [512]}.items():
        if name in modem.voice:
            modem.voice[name] = found
    with caplog.at_level(logging.INFO, logger="modems"):
        opened(modem, WANTED)
    assert voice_lines(modem) == lines
    assert {name: modem.voice[name] for name in values} == values
    if profile in ("huawei", "generic"):     # no microphone gain command: said, not sent
        assert f"the {profile} profile has no command for mic_gain" in caplog.text


def test_without_voice_settings_the_driver_leaves_the_module_alone(network, opened):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    opened(modem, None)
    assert voice_lines(modem) == []
    assert modem.voice["+SIDET"] == [1024]


def test_an_override_from_the_config_file_reaches_the_module(network):
    simcom = network.add_modem(name="m1", number=BOX, profile="simcom")
    quectel = network.add_modem(name="m2", number="+4915110000002", profile="quectel")
    config = parse({"modem": [
        {"name": "m1", "port": simcom.port, "audio": simcom.audio, "roles": ["trigger"],
         "module_echo_cancel": False, "side_tone": True, "mic_gain": 2, "speaker_volume": 1},
        {"name": "m2", "port": quectel.port, "audio": quectel.audio, "roles": ["callback"],
         "module_echo_cancel": False, "mic_gain": 30000},
    ]})
    events = EventLog()
    pool = ModemPool(config.modems, country="DE", on_event=events, health_interval=5,
                     at_timeout=1.0)
    pool.start()
    try:
        events.wait_for(ModemUp, modem="m1")
        events.wait_for(ModemUp, modem="m2")
    finally:
        pool.stop()
    assert voice_lines(simcom) == ["AT+CECM=0", "AT+CMICGAIN=?", "AT+CMICGAIN=2", "AT+CLVL=?",
                                   "AT+CLVL=1"]
    assert (simcom.voice["+CECM"], simcom.voice["+SIDET"], simcom.voice["+CMICGAIN"],
            simcom.voice["+CLVL"]) == ([0], [1024], [2], [1])     # side tone left on
    assert voice_lines(quectel) == ["AT+QAUDMOD=3", "AT+QSIDET=0", "AT+QMIC=?", "AT+QMIC=30000"]
    assert (quectel.voice["+QAUDMOD"], quectel.voice["+QMIC"]) == ([3], [30000, 8192])


def test_a_module_refusing_a_voice_command_still_comes_up(network, opened, caplog):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    modem.refused_commands.add("+CECM")      # a firmware that takes it only during a call
    with caplog.at_level(logging.INFO, logger="modems"):
        driver = opened(modem, ModuleVoice(mic_gain=9, speaker_volume=2))
    assert driver.alive and driver.identity.profile == "simcom"
    assert voice_lines(modem) == ["AT+CECM=1", "AT+SIDET=0", "AT+CMICGAIN=?", "AT+CLVL=?",
                                  "AT+CLVL=2"]
    assert (modem.voice["+CECM"], modem.voice["+SIDET"], modem.voice["+CMICGAIN"],
            modem.voice["+CLVL"]) == ([0], [0], [3], [2])
    refused = [r for r in caplog.records if "refused AT+CECM=1" in r.getMessage()]
    assert refused and refused[0].levelno == logging.INFO
    assert "microphone gain 9 is outside what the module takes (0 to 8" in caplog.text
    assert "m1: module voice settings: side tone off, speaker volume 2" in caplog.text


@pytest.mark.parametrize("profile, expected", [
    ("simcom", [("echo canceller", "off"), ("side tone", "on (gain 1024)"),
                ("microphone gain", "3"), ("speaker volume", "3"),
                ("voice device", "handset")]),
    ("quectel", [("echo canceller", "on (audio mode 0, handset)"), ("side tone", "off"),
                 ("microphone gain", "8192 (digital 8192)"), ("speaker volume", "3")]),
    ("huawei", [("voice port", "on (8000 Hz, 16 bit, 20 ms frames)"), ("speaker volume", "3"),
                ("microphone", "not muted")]),
    ("generic", [("speaker volume", "3"), ("microphone", "not muted")]),
])
def test_each_profile_reads_the_modules_voice_in_plain_words(network, opened, profile,
                                                             expected):
    modem = network.add_modem(name="m1", number=BOX, profile=profile)
    assert opened(modem, None).module_voice_report() == expected


def test_probe_prints_the_modules_voice_settings(network):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    modem.refused_commands.add("+SIDET")
    result = subprocess.run([sys.executable, "-m", "callbox", "probe", modem.port,
                             "--timeout", "2"], capture_output=True, text=True, timeout=60,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    fields = {key: value.strip() for key, value in
              (line.split(":", 1) for line in result.stdout.splitlines())}
    assert fields["echo canceller"] == "off"
    assert fields["side tone"] == "not supported"
    assert fields["microphone gain"] == "3" and fields["speaker volume"] == "3"
    assert fields["profile"] == "simcom"
    assert voice_lines(modem) == ["AT+CECM?", "AT+SIDET?", "AT+CMICGAIN?", "AT+CLVL?"]  # read only


@pytest.mark.parametrize("key, value, reason", [
    ("speaker_volume", 101, "must be between 0 and 100, got 101"),
    ("mic_gain", -1, "must be between 0 and 65535, got -1"),
    ("module_echo_cancel", "yes", "must be a boolean (true or false), got the string 'yes'"),
])
def test_a_wrong_voice_setting_is_named_in_the_config_error(key, value, reason):
    modem = {"name": "m1", "port": "/dev/ttyUSB2", "audio": "hw:1,0", "roles": ["trigger"],
             key: value}
    with pytest.raises(ConfigError) as caught:
        parse({"modem": [modem]}, "/etc/callbox/callbox.toml")
    assert (caught.value.key, caught.value.reason) == (f"modem[1].{key}", reason)
