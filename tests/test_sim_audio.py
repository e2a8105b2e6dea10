"""Audio of the virtual network through real ALSA PCMs (pyalsaaudio) and huawei's serial port."""
from __future__ import annotations

import subprocess
import time

import alsaaudio
import pytest
import serial

from modems.sim import Delays, Network, PhoneState
from modems.sim import audio
from modems.sim.atclient import AtClient

PHONE = "+4917012345678"
FRAME = audio.FRAME_BYTES


def open_pcm(name: str, kind):
    return alsaaudio.PCM(kind, device=name, channels=1, rate=8000,
                         format=alsaaudio.PCM_FORMAT_S16_LE, periodsize=160)


@pytest.fixture
def net(tmp_path):
    with Network(tmp_path / "sim", Delays.zero()) as network:
        yield network


def connect(net, modem, at):
    """Has a phone call the modem and the modem answer; gives the phone."""
    phone = net.add_phone(PHONE)
    start = at.mark()
    phone.call(modem.number)
    at.wait_line("^RING$", start)
    assert at.command("ATA")[-1] == "OK"
    assert phone.wait_state(PhoneState.ACTIVE)
    return phone


def has_tone(pcm: bytes, freq: float, level: float = 3000) -> bool:
    return audio.tone_level(pcm, freq) > level


def tail_has(*freqs: float, level: float = 1500):
    """Gives a predicate: the last 80 ms hold every one of `freqs`."""
    return lambda pcm: all(has_tone(bytes(pcm[-4 * FRAME:]), f, level) for f in freqs)


@pytest.mark.parametrize("profile", ["generic", "simcom", "quectel"])
def test_alsa_both_directions(net, profile):
    modem = net.add_modem("m1", number="+4915110000001", profile=profile)
    net.use_alsa_config()
    assert modem.audio.startswith("callbox_sim_") and modem.audio.endswith("_m1")
    with AtClient(modem.port) as at:
        at.command("ATE0")
        phone = connect(net, modem, at)
        capture = open_pcm(modem.audio, alsaaudio.PCM_CAPTURE)
        playback = open_pcm(modem.audio, alsaaudio.PCM_PLAYBACK)
        try:
            phone.play(audio.tone((1000,), 0.3))
            phone.clear_heard()
            out_tone = audio.tone((600,), 0.3)
            heard_tone, frames = False, 0
            for frames in range(1, 150):
                length, data = capture.read()
                assert length == 160
                heard_tone |= has_tone(data, 1000)
                playback.write(out_tone[:FRAME] or audio.SILENCE)
                out_tone = out_tone[FRAME:]
                if heard_tone and tail_has(600)(phone.heard()):
                    break
            assert heard_tone, "phone's tone never reached the modem's capture"
            assert tail_has(600)(phone.heard()), "modem's playback never reached the phone"
        finally:
            capture.close()
            playback.close()
        phone.hangup()


def test_alsa_capture_is_paced_idle_and_reopens(net):
    modem = net.add_modem("m1", number="+4915110000001")
    net.use_alsa_config()
    for _ in range(2):
        capture = open_pcm(modem.audio, alsaaudio.PCM_CAPTURE)
        playback = open_pcm(modem.audio, alsaaudio.PCM_PLAYBACK)
        begun = time.monotonic()
        for _ in range(15):
            length, data = capture.read()
            assert (length, data) == (160, audio.SILENCE)
            playback.write(audio.SILENCE)
        assert time.monotonic() - begun > 0.2          # 15 frames of 20 ms, paced by the sim
        capture.close()
        playback.close()


def test_in_band_dtmf_reaches_capture(net):
    modem = net.add_modem("m1", number="+4915110000001")
    net.use_alsa_config()
    with AtClient(modem.port) as at:
        at.command("ATE0")
        phone = connect(net, modem, at)
        capture = open_pcm(modem.audio, alsaaudio.PCM_CAPTURE)
        try:
            phone.press("5")
            tone_frames = 0
            for _ in range(60):
                data = capture.read()[1]
                if has_tone(data, 770) and has_tone(data, 1336):
                    tone_frames += 1
                elif tone_frames:
                    break
            assert 2 <= tone_frames <= 4                 # 70 ms of tone
        finally:
            capture.close()


def test_subprocess_opens_pcm_with_alsa_env(net):
    modem = net.add_modem("m1", number="+4915110000001")
    result = subprocess.run(
        ["arecord", "-q", "-D", modem.audio, "-f", "S16_LE", "-r", "8000", "-c", "1",
         "-t", "raw", "--period-size=160", "--buffer-size=1280", "--samples=800"],
        env={"PATH": "/usr/bin:/bin", **net.alsa_env()}, capture_output=True, timeout=10)
    assert result.returncode == 0, result.stderr
    assert result.stdout == bytes(1600)


def test_two_networks_in_one_process(tmp_path):
    with Network(tmp_path / "a") as first, Network(tmp_path / "b") as second:
        one = first.add_modem("m1", number="+4915110000001")
        two = second.add_modem("m1", number="+4915110000001")
        assert one.audio != two.audio
        first.use_alsa_config()
        second.use_alsa_config()
        for name in (one.audio, two.audio):
            pcm = open_pcm(name, alsaaudio.PCM_CAPTURE)
            assert pcm.read()[0] == 160
            pcm.close()


def test_huawei_voice_port_after_ddsetex(net):
    modem = net.add_modem("hw", number="+4915110000001", profile="huawei")
    assert modem.audio == "serial:" + str(net.workdir / "by-id" / "hw-audio")
    voice = serial.Serial(modem.audio.removeprefix("serial:"), 115200, timeout=2)
    with AtClient(modem.port) as at:
        at.command("ATE0")
        phone = connect(net, modem, at)
        assert voice.in_waiting == 0
        assert at.command("AT^DDSETEX=2")[-1] == "OK"
        phone.play(audio.tone((1000,), 0.3))
        phone.clear_heard()
        received = b""
        while not has_tone(received[-4 * FRAME:], 1000):
            chunk = voice.read(FRAME)
            assert chunk, "no audio on the voice port"
            received += chunk
        voice.write(audio.tone((600,), 0.3))
        assert phone.wait_heard(tail_has(600))
        phone.hangup()
    voice.close()


def test_modem_vts_is_in_band_for_the_phone(net):
    modem = net.add_modem("m1", number="+4915110000001", profile="quectel")
    with AtClient(modem.port) as at:
        at.command("ATE0")
        phone = connect(net, modem, at)
        at.command("AT+VTS=#")
        assert phone.wait_dtmf(1) and phone.heard_dtmf == ["#"]
        assert phone.wait_heard(tail_has(941, 1477))


def test_unplugged_modem_still_paces_its_capture(net):
    modem = net.add_modem("m1", number="+4915110000001")
    net.use_alsa_config()
    capture = open_pcm(modem.audio, alsaaudio.PCM_CAPTURE)
    try:
        modem.unplug()
        assert [capture.read() for _ in range(3)] == [(160, audio.SILENCE)] * 3
        modem.replug()
        assert capture.read() == (160, audio.SILENCE)
    finally:
        capture.close()


def test_a_phone_keeps_the_last_ten_minutes_it_heard(net):
    from modems.sim.phone import HEARD_KEPT_BYTES
    phone = net.add_phone(PHONE)
    frames = HEARD_KEPT_BYTES // FRAME + 3          # 3 frames more than it keeps
    with net.lock:                                  # as the network's clock hands frames over
        for number in range(frames):
            phone.downlink(number.to_bytes(4, "little") * (FRAME // 4))
    kept = phone.heard()
    assert len(kept) == HEARD_KEPT_BYTES
    assert kept[:4] == (3).to_bytes(4, "little")    # the oldest 3 frames were let go
    total, tail = phone.heard_from(frames * FRAME - FRAME)    # offsets count all it heard
    assert total == frames * FRAME and tail == (frames - 1).to_bytes(4, "little") * (FRAME // 4)
    assert phone.heard_from(0) == (total, kept)     # a start before what is kept: all kept
    phone.clear_heard()
    assert phone.heard() == b"" and phone.heard_from(total) == (total, b"")
