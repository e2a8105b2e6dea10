"""Finding a known sound in recorded audio; generated tones."""
from __future__ import annotations

import numpy as np
import pytest

from audio import match, tones
from audio.pcm import FRAME_BYTES, RATE, samples, to_pcm
from audio.player import load_prompt
from tests.test_audio_helpers import chirp, noise, prompt_dir, tone_level  # noqa: F401


def scaled(pcm: bytes, gain: float) -> bytes:
    return to_pcm(samples(pcm) * gain)


def added(first: bytes, second: bytes) -> bytes:
    return to_pcm(samples(first) + samples(second))


def test_finds_a_prompt_in_noise_at_its_offset_despite_gain(prompt_dir):
    prompt = load_prompt("your_balance_is", prompt_dir=prompt_dir)
    offset = 3 * FRAME_BYTES // 2 + 1234
    before = noise(offset / (2 * RATE), 300.0, seed=2)
    after = noise(0.5, 300.0, seed=3)
    recording = before + scaled(prompt, 0.4) + after
    heard = added(recording, noise(len(recording) / (2 * RATE), 400.0, seed=4))
    assert match.find(heard, prompt) == offset // 2


def test_finds_the_middle_when_only_part_was_heard(prompt_dir):
    prompt = load_prompt("enter_destination", prompt_dir=prompt_dir)
    cut = len(prompt) // 3 // 2 * 2
    heard = prompt[cut:] + noise(0.2, 200.0)         # recording began after the start
    assert match.find(heard, prompt) == -cut // 2
    assert match.find(heard, load_prompt("your_balance_is", prompt_dir=prompt_dir)) is None


def test_does_not_find_an_absent_prompt(prompt_dir):
    heard = (noise(0.3, 300.0) + load_prompt("your_balance_is", prompt_dir=prompt_dir)
             + load_prompt("goodbye", prompt_dir=prompt_dir) + noise(0.3, 300.0))
    assert match.find(heard, load_prompt("not_enough_credit", prompt_dir=prompt_dir)) is None
    assert match.find(heard, load_prompt("welcome", prompt_dir=prompt_dir)) is None
    assert match.find(bytes(16000), load_prompt("goodbye", prompt_dir=prompt_dir)) is None
    assert match.find(b"", chirp()) is None


def test_chirp_found_to_the_sample():
    signal = chirp()
    heard = bytes(2 * 777) + signal + bytes(4000)
    assert match.find(heard, signal) == 777
    assert np.max(match.score(heard, signal)) == pytest.approx(1.0)


def test_ringback_cadence_and_level():
    ring = tones.ringback(pattern=(1.0, 4.0))
    first_second = b"".join(next(ring) for _ in range(50))
    rest = b"".join(next(ring) for _ in range(200))
    assert tone_level(first_second, 425) > 5000 and tone_level(first_second, 1000) < 100
    assert rest == bytes(len(rest))
    assert next(ring) == b"".join(frames_of(tones.cadence(425, (1.0, 4.0)))[:1])


def frames_of(pcm: bytes) -> list[bytes]:
    return [pcm[i:i + FRAME_BYTES] for i in range(0, len(pcm), FRAME_BYTES)]


def test_beep_and_dtmf_shapes():
    beep = tones.beep(count=3, seconds=0.1, gap=0.1, freq=1000)
    assert len(beep) == 2 * round(0.5 * RATE)
    assert tone_level(beep[:1600], 1000) > 5000
    five = tones.dtmf("5")
    assert tone_level(five[:1120], 770) > 5000 and tone_level(five[:1120], 1336) > 5000
    assert tone_level(five[:1120], 697) < 500
    with pytest.raises(ValueError):
        tones.dtmf("5x")


def test_finds_a_prompt_that_reached_the_phone_with_gaps(prompt_dir):
    prompt = load_prompt("enter_destination", prompt_dir=prompt_dir)
    gap = bytes(FRAME_BYTES)
    third = len(prompt) // 3 // FRAME_BYTES * FRAME_BYTES
    gappy = prompt[:third] + gap + prompt[third:2 * third] + gap + gap + prompt[2 * third:]
    heard = noise(0.3, 100.0) + gappy + noise(0.3, 100.0)
    assert match.find(heard, prompt) == round(0.3 * RATE)
    assert match.find(heard, load_prompt("enter_pin", prompt_dir=prompt_dir)) is None


def test_finds_a_short_prompt_with_a_gap_in_it(prompt_dir):
    # heard on a virtual phone while the machine was busy: one frame of silence where the
    # box's sound came late, inside a prompt of fewer than four pieces of PIECE_S
    prompt = load_prompt("your_balance_is", prompt_dir=prompt_dir)
    assert len(prompt) < 2 * 4 * RATE * match.PIECE_S
    middle = 2 * round(1.5 * RATE * match.PIECE_S)      # in the middle of its second piece
    gappy = prompt[:middle] + bytes(FRAME_BYTES) + prompt[middle:]
    heard = noise(0.3, 100.0) + gappy + noise(0.3, 100.0)
    assert match.find(heard, prompt) == round(0.3 * RATE)
    assert match.find(heard, load_prompt("goodbye", prompt_dir=prompt_dir)) is None
    assert match.find(heard, load_prompt("enter_pin", prompt_dir=prompt_dir)) is None


def test_finder_waits_on_growing_audio_and_looks_only_at_what_is_new(prompt_dir):
    prompt = load_prompt("your_balance_is", prompt_dir=prompt_dir)
    heard = bytearray(noise(5.0, 200.0, seed=6))
    finder = match.Finder(prompt)
    assert not finder(heard)
    for frame in range(0, len(prompt), FRAME_BYTES):    # the prompt arrives frame by frame
        heard += prompt[frame:frame + FRAME_BYTES]
        if finder(heard):
            break
    heard += noise(0.5, 200.0, seed=7)
    assert finder(heard) and finder.offset == 5 * RATE
    assert match.find(bytes(heard), prompt) == finder.offset
