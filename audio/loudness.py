"""Loudness as ITU-R BS.1770-4 measures it (LUFS), for 8 kHz mono S16 audio.

    integrated_lufs(pcm)      # e.g. -16.2 for a prompt made by `make prompts`

The K-weighting (a high shelf that counts the presence band more, and a
high-pass that counts rumble less) is the standard's, designed for our sample
rate from its analog prototypes by the bilinear transform (as the standard's
48 kHz coefficients are); then the mean square over 400 ms blocks overlapping
by 75 %, gated at -70 LUFS and again 10 LU below the level of the blocks kept.
A 997 Hz sine at full scale reads -3.01 LUFS, as the standard's check says.
"""
from __future__ import annotations

import logging
import math
import pathlib
import wave

import numpy as np

from audio.pcm import RATE, samples, to_pcm

log = logging.getLogger(__name__)

ABSOLUTE_GATE = -70.0       # LUFS
RELATIVE_GATE = -10.0       # LU below the first gated level
BLOCK_S, STEP_S = 0.4, 0.1


def _biquad(kind: str, f0: float, q: float, gain_db: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Gives (b, a) of a high shelf or high-pass biquad (RBJ cookbook, prewarped)."""
    k = math.tan(math.pi * f0 / RATE)
    if kind == "highpass":
        norm = 1 + k / q + k * k
        b = np.array([1, -2, 1]) / norm
        a = np.array([1, 2 * (k * k - 1) / norm, (1 - k / q + k * k) / norm])
        return b, a
    vh = 10 ** (gain_db / 20)
    vb = vh ** 0.4996667741545416      # the standard's shelf: Vb = Vh^(1/2) almost
    norm = 1 + k / q + k * k
    b = np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / norm
    a = np.array([1, 2 * (k * k - 1) / norm, (1 - k / q + k * k) / norm])
    return b, a


# The analog prototypes behind BS.1770's 48 kHz coefficients.
_SHELF = _biquad("shelf", 1681.974450955533, 0.7071752369554196, 3.999843853973347)
_HIGHPASS = _biquad("highpass", 38.13547087602444, 0.5003270373238773)


def _filter(values: np.ndarray, b: np.ndarray, a: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    x1 = x2 = y1 = y2 = 0.0
    b0, b1, b2 = b
    _, a1, a2 = a
    for index, x in enumerate(values):
        y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1, y2, y1 = x1, x, y1, y
        out[index] = y
    return out


def integrated_lufs(pcm: bytes) -> float:
    """Gives the integrated loudness of S16LE 8 kHz mono audio; -inf for silence."""
    values = samples(pcm) / 32768.0
    weighted = _filter(_filter(values, *_SHELF), *_HIGHPASS)
    block, step = int(BLOCK_S * RATE), int(STEP_S * RATE)
    if len(weighted) < block:
        weighted = np.pad(weighted, (0, block - len(weighted)))
    powers = np.array([np.mean(np.square(weighted[start:start + block]))
                       for start in range(0, len(weighted) - block + 1, step)])
    loudness = -0.691 + 10 * np.log10(powers + 1e-20)
    kept = powers[loudness > ABSOLUTE_GATE]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * math.log10(np.mean(kept)) + RELATIVE_GATE
    kept = powers[(loudness > ABSOLUTE_GATE) & (loudness > relative)]
    return -0.691 + 10 * math.log10(np.mean(kept))


def normalize(path: pathlib.Path, target_lufs: float, peak_limit_dbfs: float,
              label: str = "") -> float:
    """Sets a WAV's loudness to `target_lufs`, its peak never above `peak_limit_dbfs` (one
    that would clip is left quieter, and logged under `label`, else the file's name, at
    debug level: espeak-ng's peaks make it so for about one phrase in five, which is no
    news to whoever runs `make prompts`); gives the gain applied in dB."""
    with wave.open(str(path), "rb") as source:
        params = source.getparams()
        values = samples(source.readframes(params.nframes))
    measured = integrated_lufs(to_pcm(values))
    if measured == float("-inf"):
        return 0.0
    gain_db = target_lufs - measured
    headroom_db = peak_limit_dbfs - 20 * math.log10(float(np.abs(values).max()) / 32768)
    if gain_db > headroom_db:
        log.debug("%s: %.1f LUFS reaches only %.1f LUFS before its peak clips",
                  label or path.name, measured, measured + headroom_db)
        gain_db = headroom_db
    with wave.open(str(path), "wb") as target:
        target.setparams(params)
        target.writeframes(to_pcm(values * 10 ** (gain_db / 20)))
    return gain_db
