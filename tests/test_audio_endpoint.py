"""Voice endpoints on the virtual network: ALSA PCMs (simcom) and huawei's serial voice port."""
from __future__ import annotations

import time

import pytest

from audio import tones
from audio.endpoint import AudioGone, Pacing, open_endpoint
from audio.pcm import FRAME_BYTES, SILENCE, frames
from tests.test_audio_helpers import answered_call, net, tail_has_tone, tone_level  # noqa: F401

PHONE = "+4917012345678"


@pytest.mark.parametrize("profile", ["simcom", "huawei"])
def test_reads_paced_frames_and_writes_reach_the_phone(net, profile):
    modem = net.add_modem("m1", "+4915110000001", profile=profile)
    with answered_call(net, modem, PHONE) as leg, open_endpoint(modem.audio) as endpoint:
        leg.phone.play(tones.tone(1000, 2.0))
        outgoing = frames(tones.tone(600, 2.0))
        heard_tone = 0
        for _ in range(10):                       # let the stream settle
            endpoint.write_frame(next(outgoing))
            endpoint.read_frame()
        # The network's own clock, not the wall's (this test shares a loaded machine):
        # the phone hears one frame per network tick while the call is up.
        ticks_before = len(leg.phone.heard()) // FRAME_BYTES
        for _ in range(40):
            frame = endpoint.read_frame()
            assert len(frame) == FRAME_BYTES
            heard_tone += tone_level(frame, 1000) > 3000
            endpoint.write_frame(next(outgoing))
        ticks = len(leg.phone.heard()) // FRAME_BYTES - ticks_before
        # paced: 40 frames cannot be read faster than the network moves them (a period of
        # ALSA's file plugin may wait already); a reader slower than the clock overruns
        assert ticks >= 40 - 2, f"40 frames read in {ticks} network ticks"
        assert heard_tone >= 35, "the phone's tone did not reach the capture"
        assert leg.phone.wait_heard(tail_has_tone(600), timeout=2), "no playback at the phone"
        assert endpoint.overruns == 0


def test_alsa_endpoint_gives_silence_when_idle_and_closes_twice(net):
    modem = net.add_modem("m1", "+4915110000001", profile="simcom")
    endpoint = open_endpoint(modem.audio)
    assert [endpoint.read_frame() for _ in range(3)] == [SILENCE] * 3
    endpoint.close()
    endpoint.close()


def test_serial_endpoint_keeps_time_outside_a_call(net):
    modem = net.add_modem("hw", "+4915110000001", profile="huawei")
    with open_endpoint(modem.audio) as endpoint:
        begun = time.monotonic()
        assert [endpoint.read_frame() for _ in range(10)] == [SILENCE] * 10
        # paced by its own 20 ms timer: never faster (slower only on a starved machine)
        assert time.monotonic() - begun > 0.15
        endpoint.write_frame(SILENCE)                  # dropped: no call, nobody takes it
        assert endpoint.idle_frames == 10


def test_serial_endpoint_gone_when_modem_unplugged(net):
    modem = net.add_modem("hw", "+4915110000001", profile="huawei")
    endpoint = open_endpoint(modem.audio)
    endpoint.read_frame()
    modem.unplug()
    with pytest.raises(AudioGone):
        for _ in range(100):
            endpoint.read_frame()
    endpoint.close()
    endpoint.close()


def test_alsa_endpoint_gone_when_network_stops(net):
    modem = net.add_modem("m1", "+4915110000001", profile="simcom")
    endpoint = open_endpoint(modem.audio)
    endpoint.read_frame()
    net.stop()       # closes the capture FIFO: the PCM then reads instantly, forever
    with pytest.raises(AudioGone, match="faster than real time"):
        for _ in range(1000):
            endpoint.read_frame()
    endpoint.close()


def test_missing_devices_raise_audio_gone(tmp_path):
    with pytest.raises(AudioGone):
        open_endpoint(f"serial:{tmp_path}/no-such-port")
    with pytest.raises(AudioGone):
        open_endpoint("callbox_no_such_pcm")


def test_pacing_tells_real_time_from_instant():
    clock = [0.0]
    paced = Pacing(slack=5, now=lambda: clock[0])
    for _ in range(100):
        clock[0] += 0.02
        assert paced.frame()
    assert all(paced.frame() for _ in range(5))        # a backlog within the slack is fine
    assert not paced.frame()                           # one more: not a real-time device
