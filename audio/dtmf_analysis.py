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

`analyse` gives the first three for every hop; `details` gives the last two
for the hops the detector asks about (those that could be a key's): the
window's spectrum is an FFT per window, the costliest measure, and most hops
of a call are speech, noise or silence. numpy's cost on arrays this small is
mostly per call, so `analyse` keeps its calls few (one real matrix product for
all tones of all windows, windows as a view of the samples).
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
# The eight tones' single-bin DFTs as one real matrix product (numpy would
# otherwise turn every window into complex numbers first): columns the real and
# imaginary part of each tone in turn, so that the product reads as complex
# numbers in place; then the window alone: the windowed mean (a DC offset is no signal).
_TONE_BASIS = _WINDOW[:, None] * np.exp(
    -2j * np.pi * FREQS[None, :] * np.arange(SUB_WINDOW)[:, None] / RATE)
_BASIS = np.empty((SUB_WINDOW, 2 * len(FREQS) + 1))
_BASIS[:, 0:2 * len(FREQS):2] = _TONE_BASIS.real
_BASIS[:, 1:2 * len(FREQS):2] = _TONE_BASIS.imag
_BASIS[:, -1] = _WINDOW
_LAG_TURN = np.exp(-2j * np.pi * FREQS * LAG / RATE)
# The window's response to a tone `offset` Hz off the bin: divides it back out, so
# a tone 1.5 % off its nominal frequency is measured at its true amplitude.
MAX_CORRECTED_OFFSET = 0.035
_OFFSETS = np.linspace(-60.0, 60.0, 241)
_RESPONSE = np.abs(np.exp(2j * np.pi * _OFFSETS[:, None] * np.arange(SUB_WINDOW)[None, :] / RATE)
                   @ _WINDOW) / _WINDOW_SUM
_GROUP_START = np.array([0, 4])     # column of each group's first tone
# The highest tone level `analyse` can give, per square root of the energy of the
# samples its windows cover: Cauchy-Schwarz on each window's DFT, both windows, and
# the offset correction at its largest (the response between grid points included).
# Samples with less energy than (level / LEVEL_PER_ROOT_ENERGY)² hold no tone at `level`.
LEVEL_PER_ROOT_ENERGY = float(
    2 * np.sqrt((_WINDOW * _WINDOW).sum()) / _WINDOW_SUM
    / _RESPONSE[np.abs(_OFFSETS) <= MAX_CORRECTED_OFFSET * FREQS.max() + 0.5].min())

# A tone's own main lobe (Hann: ±100 Hz), wherever Q.24's ±1.5 % puts it, is
# not its rival.
PEAK_GUARD_HZ = 110.0
PEAK_GUARD_SHARE = 0.015
_BIN_FROM = 3                 # from 150 Hz: no DC offset or mains hum
_BIN_HZ = np.fft.rfftfreq(SUB_WINDOW, 1 / RATE)
# The low band's frequencies are bins of the window's spectrum (50 Hz apart).
_LOW_BAND_BINS = np.searchsorted(_BIN_HZ, LOW_BAND)
assert np.allclose(_BIN_HZ[_LOW_BAND_BINS], LOW_BAND)
# For each pair (low index * 4 + high index): 1 at the bins away from both tones.
_AWAY = np.array([[float(all(abs(bin_hz - tone) > PEAK_GUARD_HZ + PEAK_GUARD_SHARE * tone
                                 for tone in (low, high)))
                   for bin_hz in _BIN_HZ[_BIN_FROM:]]
                  for low in LOW_GROUP for high in HIGH_GROUP])


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
    hop_power: np.ndarray    # variance (power less DC) of the hop's newest HOP samples
    power: np.ndarray        # the window's power less DC (both windows' mean)


class Details(NamedTuple):
    """What `details` measures of some hops: arrays with one entry per hop asked for."""

    low_band: np.ndarray     # power at 100-600 Hz / power of the window
    peak_rival: np.ndarray   # strongest spectral peak away from the pair / RMS of the pair


def analyse(samples: np.ndarray, hops: int) -> Hops:
    """Gives the measures of `hops` hops; `samples` holds SPAN - HOP + hops * HOP samples.

    The low band and the peak rival, which only matter for a hop whose pair
    could be a key, come from `details`: most hops of a call are not."""
    # LAG == HOP: the late window of one hop is the early window of the next.
    windows = _windows(samples, hops)
    products = windows @ _BASIS
    tones = products[:, :-1].view(np.complex128)
    early, late = tones[:-1], tones[1:]
    size = np.abs(tones)
    magnitude = (size[:-1] + size[1:]) / _WINDOW_SUM
    groups = magnitude.reshape(hops, 2, 4)
    strongest = groups.argmax(axis=2)                        # columns: low, high (0..3)
    rows = _rows(hops)
    columns = strongest + _GROUP_START
    turn = late[rows, columns] * np.conj(early[rows, columns]) * _LAG_TURN[columns]
    hz = np.arctan2(turn.imag, turn.real) * (RATE / (2 * np.pi * LAG))
    nominal = FREQS[columns]
    # No detector accepts a tone 3.5 % off: past that, no correction, no inflated level.
    limit = MAX_CORRECTED_OFFSET * nominal
    response = np.interp(np.minimum(np.maximum(hz, -limit), limit), _OFFSETS, _RESPONSE)
    best = magnitude[rows, columns]
    level = best / response
    groups.sort(axis=2)                  # in place: `magnitude` is not used after this
    rival = groups[:, :, -2] / np.maximum(best, 1e-9)
    mean = products[:, -1] / _WINDOW_SUM
    window_power = np.square(windows) @ _WINDOW / _WINDOW_SUM - mean * mean
    power = np.maximum((window_power[:-1] + window_power[1:]) / 2, 1e-9)
    offset = hz / nominal
    return Hops(
        low=strongest[:, 0], high=strongest[:, 1],
        low_level=level[:, 0], high_level=level[:, 1],
        low_offset=offset[:, 0], high_offset=offset[:, 1],
        low_rival=rival[:, 0], high_rival=rival[:, 1],
        purity=(level * level).sum(axis=1) / 2 / power,
        hop_power=hop_powers(samples, hops), power=power)


def hop_powers(samples: np.ndarray, hops: int) -> np.ndarray:
    """Gives the variance (power less DC) of each hop's newest HOP samples."""
    newest = samples[len(samples) - hops * HOP:].reshape(hops, HOP)
    return (newest * newest).sum(axis=1) / HOP - (newest.sum(axis=1) / HOP) ** 2


def details(samples: np.ndarray, measures: Hops, which: np.ndarray) -> Details:
    """Gives the low band and the peak rival of the hops `which` (indices) of `measures`."""
    windows = _windows(samples, len(measures.low))
    pairs = np.stack((which, which + 1), axis=1).ravel()
    full = np.abs(np.fft.rfft(windows[pairs] * _WINDOW, axis=1)).reshape(len(which), 2, -1)
    band = (full[:, :, _LOW_BAND_BINS] ** 2).sum(axis=(1, 2)) / _WINDOW_SUM ** 2
    full = full.sum(axis=1) / _WINDOW_SUM
    away = _AWAY[measures.low[which] * 4 + measures.high[which]]
    rival_peak = np.max(full[:, _BIN_FROM:] * away, axis=1)
    low, high = measures.low_level[which], measures.high_level[which]
    return Details(low_band=band / measures.power[which],
                   peak_rival=rival_peak / np.maximum(np.sqrt((low * low + high * high) / 2),
                                                      1e-9))


def _windows(samples: np.ndarray, hops: int) -> np.ndarray:
    """Gives the hops + 1 windows of SUB_WINDOW samples, HOP apart: a view of `samples`
    (float64, contiguous), made by the array constructor (numpy's helpers for views
    cost several times more in Python)."""
    return np.ndarray((hops + 1, SUB_WINDOW), dtype=np.float64, buffer=samples,
                      strides=(HOP * samples.itemsize, samples.itemsize))


@functools.cache
def _rows(hops: int) -> np.ndarray:
    return np.arange(hops)[:, None]
