"""Generated sounds: call progress tones, a warning beep, DTMF, silence (8 kHz S16LE PCM).

Functions named after a sound give its PCM; `ringback()` and `busy()` give an
endless iterator of frames for `AudioPort.play`, stopped by `Playback.stop()`.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from audio.pcm import RATE, dbfs, frames, to_pcm

TONE_LEVEL_DB = -13.0       # per frequency; ITU-T E.180 tones sit around -10..-15 dBm0
DTMF_LEVEL_DB = -10.0

DTMF_FREQS = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}


def silence(seconds: float) -> bytes:
    """Gives `seconds` of silence."""
    return bytes(2 * round(RATE * seconds))


def tone(freqs: tuple[float, ...] | float, seconds: float, level_db: float = TONE_LEVEL_DB,
         ramp_s: float = 0.004) -> bytes:
    """Gives the sum of sines at `freqs`, each `level_db` below full scale, with soft edges.

    The short ramps keep the edges from clicking (a click is broadband and
    can look like DTMF to a detector).
    """
    freqs = (freqs,) if isinstance(freqs, (int, float)) else tuple(freqs)
    count = round(RATE * seconds)
    t = np.arange(count) / RATE
    wave = sum(np.sin(2 * np.pi * f * t) for f in freqs) * dbfs(level_db)
    ramp = min(round(RATE * ramp_s), count // 2)
    if ramp:
        edge = np.linspace(0.0, 1.0, ramp, endpoint=False)
        wave[:ramp] *= edge
        wave[count - ramp:] *= edge[::-1]
    return to_pcm(wave)


def cadence(freqs: tuple[float, ...] | float, pattern: tuple[float, ...],
            level_db: float = TONE_LEVEL_DB) -> bytes:
    """Gives one period of a cadenced tone: `pattern` is (on, off, on, off, ...) in seconds."""
    parts = [tone(freqs, length, level_db) if index % 2 == 0 else silence(length)
             for index, length in enumerate(pattern)]
    return b"".join(parts)


def repeat_frames(pcm: bytes) -> Iterator[bytes]:
    """Gives the frames of `pcm` over and over (padded to whole frames each period)."""
    return itertools.cycle(list(frames(pcm)))


def ringback(pattern: tuple[float, ...] = (1.0, 4.0), freq: float = 425.0,
             level_db: float = TONE_LEVEL_DB) -> Iterator[bytes]:
    """Gives endless ringback frames; default the European 425 Hz, 1 s on, 4 s off."""
    return repeat_frames(cadence(freq, pattern, level_db))


def busy(pattern: tuple[float, ...] = (0.5, 0.5), freq: float = 425.0,
         level_db: float = TONE_LEVEL_DB) -> Iterator[bytes]:
    """Gives endless busy-tone frames; default the European 425 Hz, 0.5 s on, 0.5 s off."""
    return repeat_frames(cadence(freq, pattern, level_db))


def beep(count: int = 3, seconds: float = 0.1, gap: float = 0.1, freq: float = 1000.0,
         level_db: float = TONE_LEVEL_DB) -> bytes:
    """Gives a short warning: `count` beeps of `seconds` at `freq`, `gap` apart."""
    one = tone(freq, seconds, level_db)
    return (one + silence(gap)) * (count - 1) + one if count > 0 else b""


def dtmf(digits: str, tone_s: float = 0.07, gap_s: float = 0.07,
         level_db: float = DTMF_LEVEL_DB) -> bytes:
    """Gives in-band DTMF for `digits` (0-9 * # A-D): each tone then a gap."""
    unknown = [d for d in digits.upper() if d not in DTMF_FREQS]
    if unknown:
        raise ValueError(f"not DTMF keys: {''.join(unknown)!r}")
    return b"".join(tone(DTMF_FREQS[d], tone_s, level_db) + silence(gap_s) for d in digits.upper())
