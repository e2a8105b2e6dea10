"""What the box does to a modem's sound: gain that never clips, echo cancelled, noise.

The echo canceller is libspeexdsp through ctypes (audio/speexdsp.py); it is
tested against the virtual network's handset echo (modems/sim/echo.py), first
frame by frame, then for real: a port on a virtual modem's ALSA PCM plays
speech-like sound to a phone whose handset echoes it back.
"""
from __future__ import annotations

import threading

import numpy as np
import pytest

from audio.dtmf import detect_keys
from audio.echo_align import MARGIN, AlignedEchoCanceller, estimate_delay
from audio.endpoint import open_endpoint
from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, FULL_SCALE, frames, samples, to_pcm
from audio.port import AudioPort
from audio.speexdsp import EchoCanceller, NoiseSuppressor
from audio.voice import Gain, VoiceProcessor, VoiceSettings
from modems.sim import audio as sim_audio
from modems.sim.echo import EchoPath
from tests.test_audio_helpers import answered_call, net, wait_frames  # noqa: F401

PHONE = "+4917012345678"


def speech_like(seconds: float, seed: int = 1) -> np.ndarray:
    """Gives noise shaped like speech: a voiced band, syllables of 200 ms, pauses."""
    rng = np.random.default_rng(seed)
    count = int(8000 * seconds)
    noise = np.convolve(rng.normal(0, 4000, count), np.ones(4) / 4, mode="same")
    syllables = (np.sin(np.arange(count) / 8000 * 2 * np.pi * 2.5) > -0.2)
    return noise * syllables


def power_db(values: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(values)) + 1e-9)


@pytest.mark.parametrize("delay_ms, return_loss_db", [(20, 10), (120, 20), (250, 15)])
def test_the_canceller_removes_a_handset_echo(delay_ms, return_loss_db):
    # a tail of 300 ms converges in about 5 s of speech, 128 ms in about 2 s
    far = speech_like(10.0)
    path = EchoPath(delay_ms, return_loss_db)
    canceller = EchoCanceller(tail_ms=300 if delay_ms > 120 else 128)
    echoes, residues = [], []
    for start in range(0, len(far), FRAME_SAMPLES):
        played = to_pcm(far[start:start + FRAME_SAMPLES])
        echo = path.add_to(bytes(FRAME_BYTES))      # the microphone: only the echo
        path.heard(played)
        echoes.append(samples(echo))
        residues.append(samples(canceller.cancel(echo, played)))
    converged = len(echoes) * 7 // 10                # the last 3 s
    echo_level = power_db(np.concatenate(echoes[converged:]))
    residue_level = power_db(np.concatenate(residues[converged:]))
    assert echo_level > power_db(far) - return_loss_db - 6     # the path did echo
    assert echo_level - residue_level >= 25, (echo_level, residue_level)
    canceller.close()
    canceller.close()       # twice is harmless


@pytest.mark.parametrize("delay_ms, return_loss_db", [(60, 15), (120, 20), (250, 15)])
def test_the_aligned_canceller_finds_the_echo_and_converges_within_two_seconds(
        delay_ms, return_loss_db):
    far = speech_like(3.0)
    path = EchoPath(delay_ms, return_loss_db)
    canceller = AlignedEchoCanceller(search_ms=300)
    echoes, residues = [], []
    for start in range(0, len(far), FRAME_SAMPLES):
        played = to_pcm(far[start:start + FRAME_SAMPLES])
        echo = path.add_to(bytes(FRAME_BYTES))
        path.heard(played)
        echoes.append(samples(echo))
        residues.append(samples(canceller.cancel(echo, played)))
    # the bulk delay is the echo's, less the few ms kept for its onset
    assert abs(canceller.delay + MARGIN - delay_ms * 8) <= 16 or canceller.delay == 0 and delay_ms * 8 <= MARGIN + 64, canceller.delay
    after_two_seconds = slice(100, 150)
    erle = (power_db(np.concatenate(echoes[after_two_seconds]))
            - power_db(np.concatenate(residues[after_two_seconds])))
    assert erle >= 25, erle
    canceller.close()


@pytest.mark.parametrize("seed", range(1, 9))
def test_keys_pressed_while_the_box_speaks_leave_no_sound_behind(seed):
    """A caller presses 5# while a prompt plays, on a line with no echo at all: the
    filter adapts to the tones (double talk) and, unguarded, played the prompt back
    through them into the silence after: keys nobody pressed (seed 3 made "5#55")."""
    far = speech_like(4.0, seed)
    keys = samples(sim_audio.dtmf("5#"))
    near = np.zeros(len(far))
    near[8000:8000 + len(keys)] = keys
    canceller = AlignedEchoCanceller(search_ms=256)
    out = np.concatenate([
        samples(canceller.cancel(to_pcm(near[start:start + FRAME_SAMPLES]),
                                 to_pcm(far[start:start + FRAME_SAMPLES])))
        for start in range(0, len(far), FRAME_SAMPLES)])
    assert detect_keys(to_pcm(out)) == ["5", "#"]
    after = slice(8000 + len(keys) + FRAME_SAMPLES, None)   # the line silent again
    assert np.abs(out[after]).max() <= 32, np.abs(out[after]).max()
    canceller.close()


def test_no_delay_is_taken_from_silence_or_from_sound_that_is_no_echo():
    rng = np.random.default_rng(5)
    assert estimate_delay(np.zeros(6000), np.zeros(4000), 2000) is None
    assert estimate_delay(rng.normal(0, 1000, 6000), rng.normal(0, 1000, 4000), 2000) is None


def test_gain_never_clips_and_comes_back():
    loud = to_pcm(np.sin(np.arange(FRAME_SAMPLES) / 8000 * 2 * np.pi * 440) * 20000)
    quiet = to_pcm(np.sin(np.arange(FRAME_SAMPLES) / 8000 * 2 * np.pi * 440) * 1000)
    gain = Gain(12.0)
    out = samples(gain.apply(loud))
    assert np.abs(out).max() <= 0.98 * FULL_SCALE + 1 and gain.limited_frames == 1
    for _ in range(30):
        out = samples(gain.apply(quiet))
    assert np.abs(out).max() == pytest.approx(1000 * 10 ** (12 / 20), rel=0.02)
    assert Gain(0.0).apply(loud) is loud


def test_noise_suppression_lowers_steady_noise():
    rng = np.random.default_rng(3)
    suppressor = NoiseSuppressor()
    noise = rng.normal(0, 800, 8000 * 4)
    out = [samples(suppressor.clean(to_pcm(noise[i:i + FRAME_SAMPLES])))
           for i in range(0, len(noise), FRAME_SAMPLES)]
    tail = np.concatenate(out[len(out) // 2:])
    assert power_db(noise) - power_db(tail) >= 10


def test_plain_settings_process_nothing():
    assert VoiceSettings().plain and not VoiceSettings(echo_cancel=True).plain
    processor = VoiceProcessor(VoiceSettings(rx_gain_db=6.0))
    assert processor.echo is None and processor.noise is None


def test_a_port_with_echo_cancellation_hears_little_of_its_own_sound(net):
    """Speech-like sound played through a real port to a phone whose handset echoes it
    (60 ms, 15 dB; 100 ms round trip with the network's own delay): after 4 s the
    port's listeners hear the echo at least 20 dB below what a port without the
    canceller would hear."""
    modem = net.add_modem("m1", "+4915110000001", profile="simcom")
    played = speech_like(6.0)
    with answered_call(net, modem, PHONE) as leg:
        leg.phone.echo = EchoPath(delay_ms=60, return_loss_db=15)
        port = AudioPort(open_endpoint(modem.audio), modem.name,
                         voice=VoiceSettings(echo_cancel=True, echo_tail_ms=128))
        captured: list[bytes] = []
        done = threading.Event()

        def keep(frame: bytes) -> None:
            captured.append(frame)
            if len(captured) >= 300:
                done.set()
        try:
            assert wait_frames(port, 3)
            port.listen(keep)
            port.play(frames(to_pcm(played)))
            assert done.wait(20), "the port stopped capturing"
        finally:
            port.stop()
        heard_by_phone = samples(leg.phone.heard())
    assert power_db(heard_by_phone) > power_db(played) - 3, "the phone did not hear it"
    echo_without_canceller = power_db(played) - 15 - 1       # the path's loss, its low-pass
    left = power_db(samples(b"".join(captured[200:300])))
    assert echo_without_canceller - left >= 20, (echo_without_canceller, left)
