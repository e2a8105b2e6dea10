"""The one audio format of the box: 8000 Hz, signed 16-bit little-endian, mono, 20 ms frames.

Every module of `audio` speaks this format; what a modem delivers in another
format is converted at its endpoint.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

RATE = 8000
SAMPLE_BYTES = 2
FRAME_SAMPLES = 160                       # 20 ms
FRAME_BYTES = FRAME_SAMPLES * SAMPLE_BYTES
FRAME_S = FRAME_SAMPLES / RATE
SILENCE = bytes(FRAME_BYTES)
FULL_SCALE = 32767


def frames(pcm: bytes) -> Iterator[bytes]:
    """Gives `pcm` cut into 320-byte frames, the last one padded with silence."""
    for start in range(0, len(pcm) - len(pcm) % SAMPLE_BYTES, FRAME_BYTES):
        frame = pcm[start:start + FRAME_BYTES]
        yield frame if len(frame) == FRAME_BYTES else frame.ljust(FRAME_BYTES, b"\0")


def fit_frame(frame: bytes) -> bytes:
    """Gives `frame` padded with silence or cut to exactly one frame."""
    if len(frame) == FRAME_BYTES:
        return frame
    return bytes(frame[:FRAME_BYTES]).ljust(FRAME_BYTES, b"\0")


def samples(pcm: bytes) -> np.ndarray:
    """Gives the samples of S16LE `pcm` as float64 (a trailing odd byte is ignored)."""
    return np.frombuffer(pcm, dtype="<i2", count=len(pcm) // SAMPLE_BYTES).astype(np.float64)


def to_pcm(values: np.ndarray) -> bytes:
    """Gives S16LE bytes of `values`, rounded and clipped to 16 bits."""
    return np.clip(np.rint(values), -32768, FULL_SCALE).astype("<i2").tobytes()


def mix(first: bytes, second: bytes) -> bytes:
    """Gives the clipped sum of two frames of equal length."""
    total = np.frombuffer(first, "<i2").astype(np.int32) + np.frombuffer(second, "<i2")
    return np.clip(total, -32768, FULL_SCALE).astype("<i2").tobytes()


def dbfs(level_db: float) -> float:
    """Gives the peak amplitude of a sine at `level_db` dB below full scale."""
    return FULL_SCALE * 10 ** (level_db / 20)
