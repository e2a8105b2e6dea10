"""Bridges on the virtual network: two calls' audio joined both ways, with bounded delay."""
from __future__ import annotations

import contextlib
import queue
import threading

import pytest

from audio import match, tones
from audio.bridge import Bridge, JitterBuffer
from audio.endpoint import AudioGone, open_endpoint
from audio.pcm import FRAME_BYTES, FRAME_S, RATE, frames
from audio.port import AudioPort
from modems.sim import PhoneState
from tests.test_audio_helpers import (answered_call, chirp, heard_after, net,  # noqa: F401
                                      noise, tail_has_tone, wait_frames)

PHONE_A, PHONE_B = "+4917011111111", "+4917022222222"
ADDED_S = 0.020        # README: the bridge adds 20 ms (its jitter buffer's one-frame reserve)
BUFFER_LIMIT_S = 0.040  # the buffer's limit: never more, even while it absorbs clock drift


def one_way_delay(net, sender, receiver, signal: bytes) -> float:
    """Gives seconds from `sender` sending `signal` to `receiver` hearing it."""
    with net.lock:               # the network clock cannot tick between these two
        sender.play(signal)
        mark = len(receiver.heard())
    heard = heard_after(receiver, mark, len(signal) // 2 + RATE // 2)
    offset = match.find(heard, signal)
    assert offset is not None, "the signal never arrived"
    return offset / RATE


@contextlib.contextmanager
def bridged_calls(net, profile_a: str, profile_b: str):
    """Gives (leg_a, leg_b, bridge): two answered calls whose modems' ports are bridged."""
    modem_a = net.add_modem("ma", "+4915110000001", profile=profile_a)
    modem_b = net.add_modem("mb", "+4915110000002", profile=profile_b)
    with answered_call(net, modem_a, PHONE_A) as leg_a, \
            answered_call(net, modem_b, PHONE_B) as leg_b:
        port_a = AudioPort(open_endpoint(modem_a.audio), "ma")
        port_b = AudioPort(open_endpoint(modem_b.audio), "mb")
        bridge = Bridge(port_a, port_b)
        try:
            assert wait_frames(port_a, 3) and wait_frames(port_b, 3), "ports did not start"
            yield leg_a, leg_b, bridge
        finally:
            bridge.stop()
            port_a.stop()
            port_b.stop()


@contextlib.contextmanager
def modem_loopback(endpoint):
    """Plays back every frame the endpoint captures at once: the network's own turnaround."""
    stop = threading.Event()

    def loop():
        with contextlib.suppress(AudioGone):
            while not stop.is_set():
                endpoint.write_frame(endpoint.read_frame())
    thread = threading.Thread(target=loop, name="test-loopback", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(2)
        endpoint.close()


def network_turnaround(net) -> tuple[float, float]:
    """Gives the network's own delays: phone to phone, and phone to a modem and straight back."""
    caller, callee = net.add_phone("+4917033333333"), net.add_phone("+4917044444444")
    caller.call(callee.number)
    assert callee.wait_state(PhoneState.RINGING)
    callee.answer()
    assert caller.wait_state(PhoneState.ACTIVE)
    direct = one_way_delay(net, caller, callee, chirp())
    caller.hangup()
    modem = net.add_modem("loop", "+4915110000009", profile="simcom")
    with answered_call(net, modem, "+4917055555555") as leg:
        with modem_loopback(open_endpoint(modem.audio)):
            echo = one_way_delay(net, leg.phone, leg.phone, chirp())
    return direct, echo


@pytest.mark.parametrize("profiles", [("simcom", "simcom"), ("simcom", "huawei")])
def test_bridge_moves_audio_both_ways(net, profiles):
    with bridged_calls(net, *profiles) as (leg_a, leg_b, bridge):
        leg_a.phone.play(tones.tone(1000, 1.0))
        leg_b.phone.play(tones.tone(600, 1.0))
        assert leg_b.phone.wait_heard(tail_has_tone(1000)), "A's tone did not reach B"
        assert leg_a.phone.wait_heard(tail_has_tone(600)), "B's tone did not reach A"
        assert leg_b.phone.wait_heard(lambda pcm: not tail_has_tone(1000)(pcm)), "tone never ended"
        stats = bridge.stats()
        for direction in ("a_to_b", "b_to_a"):
            assert stats[direction]["moved"] >= 40          # the 1 s tone went through
            assert stats[direction]["dropped"] <= 2
            assert stats[direction]["underruns"] <= 2


def test_bridge_adds_20_ms(net):
    direct, turnaround = network_turnaround(net)
    assert direct == 0.0
    assert turnaround <= 2 * FRAME_S + 1e-9     # a tick + ALSA's file plugin holding a period
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        assert wait_frames(bridge.port_b, 5)
        delays = [one_way_delay(net, leg_a.phone, leg_b.phone, chirp()),
                  one_way_delay(net, leg_b.phone, leg_a.phone, chirp()),
                  one_way_delay(net, leg_a.phone, leg_b.phone, chirp(0.15, 300, 3000))]
    print(f"direct {direct * 1000:.0f} ms, turnaround {turnaround * 1000:.0f} ms, "
          f"bridged {[round(d * 1000) for d in delays]} ms")
    added = sorted(delay - turnaround for delay in delays)
    # one late tick of a starved test machine may hold one frame more: the median is
    # the claim, every one stays within the buffer's limit
    assert added[1] <= ADDED_S + 1e-9, (delays, turnaround)
    assert added[-1] <= BUFFER_LIMIT_S + 1e-9, (delays, turnaround)


def hold_up(port, seconds: float = 0.07) -> None:
    """Holds the port's audio thread up once, as a long GC pause or a busy GIL would."""
    held = threading.Event()

    def stall(_frame: bytes) -> None:
        if not held.is_set():
            held.set()
            threading.Event().wait(seconds)
    port.listen(stall)
    assert held.wait(1.0)
    assert wait_frames(port, 10)
    port.unlisten(stall)


def test_a_stalled_audio_thread_does_not_add_delay(net):
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        before = one_way_delay(net, leg_a.phone, leg_b.phone, chirp())
        hold_up(bridge.port_a)
        hold_up(bridge.port_b)
        after = one_way_delay(net, leg_a.phone, leg_b.phone, chirp())
        assert after == before, (before, after)
        assert bridge.port_a.late_frames >= 2 and bridge.port_b.late_frames >= 2
        for port in (bridge.port_a, bridge.port_b):     # the late frames tell why: the stall
            assert any(late.away_s >= 0.06 for late in port.late_log), list(port.late_log)


def test_a_prompt_survives_a_stall_whole_and_the_delay_is_won_back(net):
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        before = one_way_delay(net, leg_a.phone, leg_b.phone, chirp())
        prompt = noise(1.0, 3000.0, seed=5)
        mark = len(leg_b.phone.heard())
        playback = bridge.port_b.play(frames(prompt))
        assert wait_frames(bridge.port_b, 10)
        hold_up(bridge.port_b)
        assert playback.wait(3.0) and playback.frames_played == len(prompt) // FRAME_BYTES
        assert match.find(heard_after(leg_b.phone, mark, RATE + RATE // 2), prompt) is not None
        assert bridge.port_b.skipped_frames >= 2           # the delay the late frames added
        assert one_way_delay(net, leg_a.phone, leg_b.phone, chirp()) == before


def test_listeners_still_hear_leg_a_while_bridged(net):
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        assert wait_frames(bridge.port_b, 5)
        captured: queue.Queue[bytes] = queue.Queue()
        bridge.port_a.listen(captured.put)
        signal = chirp(0.2)
        with net.lock:
            leg_a.phone.play(signal)
            mark = len(leg_b.phone.heard())
        received = b""
        while match.find(received, signal) is None:
            received += captured.get(timeout=2.0)
            assert len(received) < 3 * RATE * 2, "the listener on leg A heard nothing"
        assert match.find(heard_after(leg_b.phone, mark, RATE), signal) is not None


def test_hash_11_detected_on_leg_a_while_bridged(net):
    dtmf = pytest.importorskip("audio.dtmf")
    with bridged_calls(net, "simcom", "simcom") as (leg_a, _leg_b, bridge):
        detector, keys = dtmf.DtmfDetector(), queue.Queue()
        bridge.port_a.listen(lambda frame: [keys.put(key) for key in detector.feed(frame)])
        leg_a.phone.press("#11")
        assert [keys.get(timeout=2.0) for _ in range(3)] == ["#", "1", "1"]


def test_warning_beep_mixed_into_the_bridged_call(net):
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        leg_a.phone.play(tones.tone(1000, 3.0))
        assert leg_b.phone.wait_heard(tail_has_tone(1000))
        beep = bridge.port_b.play(frames(tones.tone(700, 0.5)), mix_with_source=True)
        both = lambda pcm: tail_has_tone(700)(pcm) and tail_has_tone(1000)(pcm)  # noqa: E731
        assert leg_b.phone.wait_heard(both), "the beep did not play over the call"
        assert beep.wait(2.0) and beep.how_ended == "finished"
        assert leg_b.phone.wait_heard(lambda pcm: not tail_has_tone(700)(pcm))
        assert tail_has_tone(1000)(leg_b.phone.heard()), "the call was not heard after the beep"


def test_stop_returns_both_ports_to_silence(net):
    with bridged_calls(net, "simcom", "simcom") as (leg_a, leg_b, bridge):
        leg_a.phone.play(tones.tone(1000, 3.0))
        assert leg_b.phone.wait_heard(tail_has_tone(1000))
        bridge.stop()
        bridge.stop()
        assert not bridge.active
        assert leg_b.phone.wait_heard(lambda pcm: not tail_has_tone(1000, level=100)(pcm), 1.0)
        beep = bridge.port_b.play(iter([tones.tone(700, FRAME_S)] * 10))
        assert beep.wait(2.0)
        assert leg_b.phone.wait_heard(tail_has_tone(700, frames=2), 1.0)


def test_jitter_buffer_keeps_one_frame_in_reserve_and_bounds_delay():
    buffer = JitterBuffer(reserve=1, limit=2)
    assert buffer.take() is None                        # priming
    buffer.push(b"1")
    assert buffer.take() is None                        # still priming: one frame is the reserve
    buffer.push(b"2")
    assert buffer.take() == b"1"
    buffer.push(b"3")                                   # push then take, or take then push:
    assert buffer.take() == b"2"                        # the same frame comes out
    assert buffer.take() == b"3"
    buffer.push(b"4")
    for frame in (b"5", b"6", b"7"):                    # a faster capture clock
        buffer.push(frame)
    assert buffer.stats.dropped == 2
    assert [buffer.take(), buffer.take(), buffer.take()] == [b"6", b"7", None]
    assert buffer.stats.underruns == 1
    assert buffer.max_delay_s() == pytest.approx(0.040)
