"""Audio ports on the virtual network: prompts reach the phone, barge-in, listeners, failure."""
from __future__ import annotations

import queue
import threading

import pytest

from audio import match, tones
from audio.endpoint import open_endpoint
from audio.pcm import FRAME_BYTES, RATE, frames
from audio.player import load_prompt, sequence
from audio.port import AudioPort, CaptureClock
from tests.test_audio_helpers import (answered_call, chirp, net, prompt_dir,  # noqa: F401
                                      tail_has_tone, wait_frames)

PHONE = "+4917012345678"


@pytest.fixture(params=["simcom", "huawei"])
def leg_and_port(request, net):
    modem = net.add_modem("m1", "+4915110000001", profile=request.param)
    with answered_call(net, modem, PHONE) as leg:
        port = AudioPort(open_endpoint(modem.audio), "m1")
        try:
            assert wait_frames(port, 3), "the port did not start"
            yield leg, port
        finally:
            port.stop()


def test_prompt_played_is_heard_by_the_phone(leg_and_port, prompt_dir):
    leg, port = leg_and_port
    prompt = load_prompt("your_balance_is", prompt_dir=prompt_dir)
    mark = len(leg.phone.heard())
    playback = port.play(frames(prompt))
    assert playback.wait(timeout=len(prompt) / (2 * RATE) + 2)
    assert playback.how_ended == "finished" and not playback.stopped_early
    assert playback.frames_played == -(-len(prompt) // FRAME_BYTES)
    assert leg.phone.wait_heard(lambda pcm: len(pcm) >= mark + len(prompt) + 4 * FRAME_BYTES)
    heard = leg.phone.heard()[mark:]
    assert match.find(heard, prompt) is not None
    assert match.find(heard, load_prompt("goodbye", prompt_dir=prompt_dir)) is None


def test_stop_ends_playback_within_a_frame(leg_and_port):
    leg, port = leg_and_port
    playback = port.play(tones.ringback(pattern=(10.0, 0.0)))    # 425 Hz without end
    assert leg.phone.wait_heard(tail_has_tone(425))
    frames_at_stop = playback.frames_played
    playback.stop()
    assert playback.wait(timeout=1.0)
    assert playback.how_ended == "stopped"
    assert playback.frames_played <= frames_at_stop + 1
    assert leg.phone.wait_heard(lambda pcm: not tail_has_tone(425, level=300)(pcm), timeout=1.0)


def test_play_replaces_what_plays(leg_and_port):
    leg, port = leg_and_port
    first = port.play(tones.ringback(pattern=(10.0, 0.0)))
    assert leg.phone.wait_heard(tail_has_tone(425))
    second = port.play(frames(tones.tone(1000, 0.3)))
    assert first.done.is_set() and first.how_ended == "replaced"
    assert leg.phone.wait_heard(tail_has_tone(1000))
    assert second.wait(timeout=2.0) and second.how_ended == "finished"


def test_listeners_receive_the_phones_audio(leg_and_port):
    leg, port = leg_and_port
    captured: queue.Queue[bytes] = queue.Queue()
    port.listen(captured.put)
    signal = chirp(0.2)
    leg.phone.play(signal)
    received = b""
    while match.find(received, signal) is None:
        received += captured.get(timeout=2.0)
        assert len(received) < 3 * RATE * 2, "the phone's chirp never reached the listener"
    port.unlisten(captured.put)
    assert all(len(frame) == FRAME_BYTES for frame in [received[:FRAME_BYTES]])


def test_listener_errors_do_not_stop_the_port(leg_and_port):
    leg, port = leg_and_port
    calls = threading.Event()

    def broken(_frame: bytes) -> None:
        calls.set()
        raise RuntimeError("listener bug")
    port.listen(broken)
    assert calls.wait(1.0)
    playback = port.play(frames(tones.tone(700, 0.2)))
    assert playback.wait(2.0)
    assert port.running and not port.failed and port.listener_errors >= 1


def test_dtmf_detector_as_listener(leg_and_port):
    dtmf = pytest.importorskip("audio.dtmf")
    leg, port = leg_and_port
    detector, keys = dtmf.DtmfDetector(), queue.Queue()

    def on_frame(frame: bytes) -> None:
        for key in detector.feed(frame) or ():
            keys.put(key)
    port.listen(on_frame)
    leg.phone.press("5#")
    assert [keys.get(timeout=2.0), keys.get(timeout=2.0)] == ["5", "#"]


def test_port_fails_when_the_device_vanishes(net):
    modem = net.add_modem("hw", "+4915110000001", profile="huawei")
    failures: queue.Queue = queue.Queue()
    port = AudioPort(open_endpoint(modem.audio), "hw", on_failure=failures.put)
    playback = port.play(tones.ringback())
    modem.unplug()
    assert failures.get(timeout=2.0) is port
    assert port.failed and not port.running and "read failed" in str(port.error)
    assert playback.done.is_set() and playback.how_ended == "port stopped"
    assert port.play(frames(tones.beep())).done.is_set()      # a dead port plays nothing
    port.stop()
    port.stop()


def test_sequence_of_prompts_is_heard_in_order(leg_and_port, prompt_dir):
    leg, port = leg_and_port
    names = ["your_balance_is", "four", "goodbye"]
    parts = [load_prompt(name, prompt_dir=prompt_dir) for name in names]
    pcm = sequence(names, prompt_dir=prompt_dir)
    mark = len(leg.phone.heard())
    assert port.play(frames(pcm)).wait(timeout=len(pcm) / (2 * RATE) + 2)
    assert leg.phone.wait_heard(lambda heard: len(heard) >= mark + len(pcm) + 4 * FRAME_BYTES)
    heard = leg.phone.heard()[mark:]
    offsets = [match.find(heard, part) for part in parts]
    assert None not in offsets and offsets == sorted(offsets)


def test_capture_clock_skips_only_frames_too_late_to_play():
    clock, now = CaptureClock(), 0.0
    results = []
    for _ in range(5):                                  # each read waits for its frame
        results.append(clock.in_time(now, now + 0.0199))
        now += 0.02
    assert results == [True] * 5
    # held up: frames 5, 6 and 7 (due 0.12, 0.14, 0.16 s) are read at once at 0.165 s
    now = 0.165
    assert [clock.in_time(now, now + 0.0001) for _ in range(3)] == [False, False, True]
    assert clock.in_time(0.166, 0.1799)                 # frame 8, read as it arrives
    # frame 9 is lost upstream: from frame 10 on the count is one behind; fresh frames
    # that the count calls late, three in a row, re-anchor the clock
    assert not clock.in_time(0.181, 0.2205)
    assert not clock.in_time(0.221, 0.2405)
    assert clock.in_time(0.241, 0.2605)
    assert clock.in_time(0.261, 0.2805)
    assert not clock.in_time(0.325, 0.3251)             # frame 14, due 0.30 s: a period late
