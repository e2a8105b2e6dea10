"""Per-hop spectral measures of DTMF tones: vectorized Goertzel pairs on sliding windows.

Every hop (5 ms) the detector looks at the last 25 ms of audio as two
overlapping 20 ms Hann windows, one 5 ms later than the other. A single-bin DFT
(Goertzel's sum, done as one matrix product for all hops of a frame) at each of
the eight DTMF frequencies gives, per window:

- the amplitude of each tone, comparable to a sine's peak;
- its true frequency, from the phase the tone gains between the two windows.
  That measure does not depend on the level, so the ±1.5 % accept / ±3.5 %
  reject rule of Q.24 becomes one threshold, robust to twist and codec gain;
- the share of the window's power that the two strongest tones hold (purity):
  speech spreads its power over many harmonics and formants;
- the share below 600 Hz (low band): speech has its fundamental and first
  formant there, a DTMF pair has nothing there, and a GSM codec shapes its
  noise under the tones, not down there either;
- the strongest peak of the window's 50 Hz spectrum from 150 Hz up, farther
  than a main lobe from both tones, against the pair's RMS level (peak
  rival). White noise 15 dB under a pair leaves peaks 20 dB under it; speech
  has other harmonics of the same voice near the pair's level, music the other
  notes of its chord. This also weighs each tone's second harmonic (speech
  and instruments have one, DTMF has none) without a test of its own.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

RATE = 8000
HOP = 40                      # samples: 5 ms, the detector's time step
SUB_WINDOW = 160              # samples: 20 ms Hann window (null-to-null 100 Hz)
LAG = HOP                     # samples between the two windows: ±100 Hz unambiguous
SPAN = SUB_WINDOW + LAG       # samples each hop looks at: 25 ms

LOW_GROUP = (697.0, 770.0, 852.0, 941.0)
HIGH_GROUP = (1209.0, 1336.0, 1477.0, 1633.0)
KEY_GRID = ("123A", "456B", "789C", "*0#D")   # row: low tone, column: high tone
FREQS = np.array(LOW_GROUP + HIGH_GROUP)
LOW_BAND = (150.0, 250.0, 350.0, 450.0, 550.0)   # Hann bins 100 Hz apart: 100-600 Hz


_WINDOW = np.hanning(SUB_WINDOW + 2)[1:-1]     # no zero ends: all 160 samples count
_WINDOW_SUM = float(_WINDOW.sum())
# Columns: the eight tones, the low band, and 0 Hz (a DC offset is no signal).
_BASIS = _WINDOW[:, None] * np.exp(
    -2j * np.pi * np.concatenate((FREQS, LOW_BAND, [0.0]))[None, :]
    * np.arange(SUB_WINDOW)[:, None] / RATE)
_ONES = np.ones(len(LOW_BAND))
_LAG_TURN = np.exp(-2j * np.pi * FREQS * LAG / RATE)
# The window's response to a tone `offset` Hz off the bin: divides it back out, so
# a tone 1.5 % off its nominal frequency is measured at its true amplitude.
MAX_CORRECTED_OFFSET = 0.035
_OFFSETS = np.linspace(-60.0, 60.0, 241)
_RESPONSE = np.abs(np.exp(2j * np.pi * _OFFSETS[:, None] * np.arange(SUB_WINDOW)[None, :] / RATE)
                   @ _WINDOW) / _WINDOW_SUM

# A tone's own main lobe (Hann: ±100 Hz), wherever Q.24's ±1.5 % puts it, is
# not its rival.
PEAK_GUARD_HZ = 110.0
PEAK_GUARD_SHARE = 0.015
_BIN_FROM = 3                 # from 150 Hz: no DC offset or mains hum
_BIN_HZ = np.fft.rfftfreq(SUB_WINDOW, 1 / RATE)[_BIN_FROM:]
# For each pair (low index * 4 + high index): 1 at the bins away from both tones.
_AWAY = np.array([[float(all(abs(bin_hz - tone) > PEAK_GUARD_HZ + PEAK_GUARD_SHARE * tone
                                 for tone in (low, high)))
                   for bin_hz in _BIN_HZ] for low in LOW_GROUP for high in HIGH_GROUP])


class Hops(NamedTuple):
    """Measures of consecutive hops; every field is an array with one entry per hop."""

    low: np.ndarray          # index 0..3 of the strongest low-group tone
    high: np.ndarray         # index 0..3 of the strongest high-group tone
    low_level: np.ndarray    # its amplitude (sine peak, in sample units)
    high_level: np.ndarray
    low_offset: np.ndarray   # its measured frequency offset, fraction of nominal
    high_offset: np.ndarray
    low_rival: np.ndarray    # second strongest in the group / strongest
    high_rival: np.ndarray
    purity: np.ndarray       # power of the two tones / power of the window
    low_band: np.ndarray     # power at 100-600 Hz / power of the window
    hop_power: np.ndarray    # variance (power less DC) of the hop's newest HOP samples
    peak_rival: np.ndarray   # strongest spectral peak away from the pair / weaker tone


def analyse(samples: np.ndarray, hops: int) -> Hops:
    """Gives the measures of `hops` hops; `samples` holds SPAN - HOP + hops * HOP samples."""
    # LAG == HOP: the late window of one hop is the early window of the next.
    windows = samples[_window_index(hops)]
    spectrum = windows @ _BASIS
    tones = spectrum[:, :len(FREQS)]
    early, late = tones[:-1], tones[1:]
    offset_hz = np.angle(late * np.conj(early) * _LAG_TURN) * (RATE / (2 * np.pi * LAG))
    size = np.abs(tones)
    magnitude = (size[:-1] + size[1:]) / _WINDOW_SUM
    groups = magnitude.reshape(hops, 2, 4)
    strongest = np.argmax(groups, axis=2) + (0, 4)           # columns: low, high
    rows = _rows(hops)
    hz = offset_hz[rows, strongest]
    # No detector accepts a tone 3.5 % off: past that, no correction, no inflated level.
    limit = MAX_CORRECTED_OFFSET * FREQS[strongest]
    response = np.interp(np.clip(hz, -limit, limit), _OFFSETS, _RESPONSE)
    level = magnitude[rows, strongest] / response
    ordered = np.sort(groups, axis=2)
    rival = ordered[:, :, -2] / np.maximum(ordered[:, :, -1], 1e-9)
    mean = spectrum[:, -1].real / _WINDOW_SUM
    window_power = (windows * windows) @ _WINDOW / _WINDOW_SUM - mean * mean
    power = np.maximum((window_power[:-1] + window_power[1:]) / 2, 1e-9)
    band = np.abs(spectrum[:, len(FREQS):-1]) ** 2 @ _ONES
    low_band = (band[:-1] + band[1:]) / _WINDOW_SUM ** 2
    newest = samples[len(samples) - hops * HOP:].reshape(hops, HOP)
    full = np.abs(np.fft.rfft(windows * _WINDOW, axis=1))
    full = (full[:-1] + full[1:]) / _WINDOW_SUM
    rival_peak = np.max(full[:, _BIN_FROM:] * _AWAY[strongest[:, 0] * 4 + strongest[:, 1] - 4],
                        axis=1)
    offset = hz / FREQS[strongest]
    return Hops(
        low=strongest[:, 0], high=strongest[:, 1] - 4,
        low_level=level[:, 0], high_level=level[:, 1],
        low_offset=offset[:, 0], high_offset=offset[:, 1],
        low_rival=rival[:, 0], high_rival=rival[:, 1],
        purity=(level * level).sum(axis=1) / 2 / power,
        low_band=low_band / power,
        hop_power=(newest * newest).sum(axis=1) / HOP - (newest.sum(axis=1) / HOP) ** 2,
        peak_rival=rival_peak / np.maximum(np.sqrt((level * level).mean(axis=1)), 1e-9))


@functools.cache
def _window_index(hops: int) -> np.ndarray:
    """Gives the sample indices of the hops + 1 windows, HOP apart."""
    return np.arange(hops + 1)[:, None] * HOP + np.arange(SUB_WINDOW)[None, :]


@functools.cache
def _rows(hops: int) -> np.ndarray:
    return np.arange(hops)[:, None]
