"""Synthesized music for DTMF talk-off: melodies over chords and a bass line, at 8 kHz.

Hold music and a radio in the room are what a caller's phone sends while the
box listens for keys. No recording ships with the code, so this module plays
music of its own: equal-tempered notes (A4 = 440 Hz) from C2 to C7, in several
instruments whose harmonic series and envelopes differ (piano, organ,
strings with vibrato, clarinet, trumpet, flute with breath noise), a melody of
short and long notes, three-note chords, arpeggios and a bass line. Equal
temperament puts some notes within 0.2 % of a DTMF tone (F5 = 698.5 Hz against
697 Hz, F#6 = 1480 Hz against 1477 Hz): a detector must tell them apart by
what else sounds with them, as it must with speech.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from audio.dtmf_analysis import RATE

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)


class Instrument(NamedTuple):
    harmonics: tuple[float, ...]   # amplitude of harmonic 1, 2, 3, ...
    decay_s: float                 # 0: sustained
    vibrato: float                 # depth, fraction of the frequency, at 5.5 Hz
    breath: float                  # noise, share of the note's amplitude


INSTRUMENTS = {
    "piano": Instrument(tuple(1 / n ** 1.3 for n in range(1, 12)), 0.6, 0.0, 0.0),
    "organ": Instrument((1.0, 0.7, 0.4, 0.5, 0.2, 0.3, 0.1, 0.2), 0.0, 0.0, 0.0),
    "strings": Instrument(tuple(1 / n for n in range(1, 14)), 0.0, 0.006, 0.01),
    "clarinet": Instrument((1.0, 0.05, 0.6, 0.04, 0.35, 0.03, 0.2, 0.02, 0.1), 0.0, 0.002, 0.01),
    "trumpet": Instrument((0.6, 0.9, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1), 0.0, 0.004, 0.0),
    "flute": Instrument((1.0, 0.35, 0.12, 0.05), 0.0, 0.004, 0.04),
}


def note_hz(semitones_from_a4: float) -> float:
    return 440.0 * 2 ** (semitones_from_a4 / 12)


def play(instrument: Instrument, hz: float, seconds: float, amplitude: float,
         rng: np.random.Generator) -> np.ndarray:
    """Gives one note: its harmonics below 4 kHz, an attack and release of 10 ms."""
    times = np.arange(int(seconds * RATE)) / RATE
    bend = 1 + instrument.vibrato * np.sin(2 * np.pi * 5.5 * times + rng.uniform(0, 6.3))
    phase = 2 * np.pi * hz * np.cumsum(bend) / RATE
    note = np.zeros(len(times))
    for number, share in enumerate(instrument.harmonics, start=1):
        if number * hz < 0.45 * RATE:
            note += share * np.sin(number * phase + rng.uniform(0, 6.3))
    if instrument.breath:
        note += instrument.breath * 3 * rng.standard_normal(len(times))
    envelope = np.minimum(1.0, np.minimum(times, times[::-1]) / 0.01)
    if instrument.decay_s:
        envelope *= np.exp(-times / instrument.decay_s)
    return amplitude * note * envelope


def piece(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Gives `seconds` of one random piece: melody, chords and bass, each its instrument."""
    names = list(INSTRUMENTS)
    melody, chords, bass = (INSTRUMENTS[str(rng.choice(names))] for _ in range(3))
    scale = MAJOR if rng.random() < 0.5 else MINOR
    key = int(rng.integers(-9, 3))                       # tonic from C4 to B4
    beat = rng.uniform(0.1, 0.3)
    out = np.zeros(int(seconds * RATE) + RATE)
    at = 0.0
    while at < seconds:
        degree = int(rng.integers(0, 7))
        root = key + scale[degree] - 12
        chord_s = beat * int(rng.choice((4, 8)))
        for step in (0, 2, 4):                            # the chord: a triad, an octave down
            tone = root + scale[(degree + step) % 7] - scale[degree] + 12 * ((degree + step) // 7)
            _add(out, at, play(chords, note_hz(tone), chord_s, 0.12, rng))
        _add(out, at, play(bass, note_hz(root - 12), chord_s, 0.2, rng))
        melody_at = at
        while melody_at < at + chord_s:                   # melody: one to four beats a note
            length = beat * int(rng.choice((1, 1, 2, 4)))
            tone = key + scale[int(rng.integers(0, 7))] + 12 * int(rng.integers(0, 3))
            _add(out, melody_at, play(melody, note_hz(tone), length, 0.25, rng))
            melody_at += length
        at += chord_s
    return out[:int(seconds * RATE)]


def _add(out: np.ndarray, at: float, note: np.ndarray) -> None:
    start = min(int(at * RATE), len(out))
    end = min(len(out), start + len(note))
    out[start:end] += note[:end - start]


def music(seconds: float, seed: int, piece_s: float = 10.0,
          level_dbfs: float = -12.0) -> np.ndarray:
    """Gives `seconds` of music in pieces of `piece_s`, its peaks near `level_dbfs`."""
    rng = np.random.default_rng(seed)
    parts = [piece(min(piece_s, seconds - done), rng)
             for done in np.arange(0.0, seconds, piece_s)]
    samples = np.concatenate(parts)
    return samples * (32767 * 10 ** (level_dbfs / 20) / np.max(np.abs(samples)))
