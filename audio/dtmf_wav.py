"""WAV files for the DTMF detector: any PCM WAV in, 8 kHz S16LE mono out.

Reads what the stdlib `wave` module reads (integer PCM, 8/16/24/32 bit, any
rate and channel count) and, because Python 3.11's `wave` refuses them, the
WAVE_FORMAT_EXTENSIBLE and 32-bit float files that recorders write for 24-bit or
multichannel audio. Mixes the channels to mono and resamples to 8 kHz by
band-limited (Kaiser-windowed sinc) interpolation, so a 44.1 kHz recording of a
phone call gives the detector the same tones a modem would.
"""
from __future__ import annotations

import struct
import wave
from fractions import Fraction
from typing import NamedTuple

import numpy as np

RATE = 8000
ZERO_CROSSINGS = 16        # of the interpolation kernel, each side
KAISER_BETA = 8.6          # about 90 dB of stop-band attenuation
PASS_BAND = 0.92           # of the lower Nyquist frequency kept flat
CHUNK = 4096               # output samples computed at once: bounds memory
WAVE_FORMAT_PCM = 1
WAVE_FORMAT_IEEE_FLOAT = 3
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
MAX_BANK = 1 << 20         # polyphase kernel bank entries (44.1 kHz to 8 kHz needs 43 000)


class WavError(Exception):
    """The file is not a WAV file this module can read; the message says why."""


class _Format(NamedTuple):
    channels: int
    width: int             # bytes per sample
    rate: int
    is_float: bool


def read_wav_8k(path: str) -> bytes:
    """Gives the WAV file at `path` as 8 kHz S16LE mono; raises WavError if unreadable."""
    audio_format, data = _read(path)
    if audio_format.rate <= 0 or audio_format.channels <= 0:
        raise WavError(f"cannot read {path}: {audio_format.rate} Hz, "
                       f"{audio_format.channels} channels")
    samples = _to_float(data, audio_format, path)
    channels = audio_format.channels
    samples = samples[: len(samples) // channels * channels].reshape(-1, channels).mean(axis=1)
    samples = resample(samples, audio_format.rate, RATE)
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


def _read(path: str) -> tuple[_Format, bytes]:
    """Gives the format and sample bytes of a WAV file; raises WavError."""
    try:
        with wave.open(str(path), "rb") as wav:
            audio_format = _Format(wav.getnchannels(), wav.getsampwidth(),
                                   wav.getframerate(), False)
            return audio_format, wav.readframes(wav.getnframes())
    except wave.Error as error:
        try:
            return _read_riff(path)
        except (ValueError, KeyError, struct.error, OSError):
            raise WavError(f"cannot read {path} as a PCM WAV file: {error}") from error
    except (EOFError, OSError) as error:
        raise WavError(f"cannot read {path} as a PCM WAV file: {error}") from error


def _read_riff(path: str) -> tuple[_Format, bytes]:
    """Gives format and samples of an extensible-PCM or float WAV; raises ValueError."""
    with open(path, "rb") as file:
        content = file.read()
    if content[:4] != b"RIFF" or content[8:12] != b"WAVE":
        raise ValueError("not a RIFF WAVE file")
    chunks, offset = {}, 12
    while offset + 8 <= len(content):
        name, size = struct.unpack_from("<4sI", content, offset)
        chunks.setdefault(name, content[offset + 8:offset + 8 + size])
        offset += 8 + size + size % 2
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", chunks[b"fmt "])
    if tag == WAVE_FORMAT_EXTENSIBLE:
        tag = struct.unpack_from("<H", chunks[b"fmt "], 24)[0]   # first bytes of SubFormat
    if tag not in (WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT) or b"data" not in chunks:
        raise ValueError(f"format {tag}")
    return _Format(channels, bits // 8, rate, tag == WAVE_FORMAT_IEEE_FLOAT), chunks[b"data"]


def wav_summary(path: str) -> str:
    """Gives a one-line description of a WAV file's format, for people."""
    audio_format, data = _read(path)
    frames = len(data) // max(1, audio_format.width * audio_format.channels)
    kind = "float" if audio_format.is_float else "bit"
    return (f"{path}: {audio_format.rate} Hz, {audio_format.channels} channel(s), "
            f"{8 * audio_format.width} {kind}, {frames / audio_format.rate:.2f} s")


def _to_float(data: bytes, audio_format: _Format, path: str) -> np.ndarray:
    """Gives sample bytes as floats on the 16-bit scale."""
    width = audio_format.width
    data = data[: len(data) // width * width] if width else b""
    if audio_format.is_float and width in (4, 8):
        return np.frombuffer(data, dtype=f"<f{width}").astype(np.float64) * 32768
    if audio_format.is_float:
        raise WavError(f"cannot read {path}: {8 * width}-bit float samples")
    if width == 1:                   # WAV's 8-bit PCM is unsigned
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128) * 256
    if width == 2:
        return np.frombuffer(data, dtype="<i2").astype(np.float64)
    if width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        return np.where(value >= 1 << 23, value - (1 << 24), value) / 256.0
    if width == 4:
        return np.frombuffer(data, dtype="<i4").astype(np.float64) / 65536
    raise WavError(f"cannot read {path}: {8 * width}-bit samples")


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Gives `samples` taken at `rate` Hz as if taken at `new_rate` Hz (band-limited)."""
    if rate == new_rate or len(samples) == 0:
        return samples
    ratio = Fraction(rate, new_rate)                 # input samples per output sample
    cutoff = 0.5 * min(1.0, new_rate / rate) * PASS_BAND    # cycles per input sample
    half = int(np.ceil(ZERO_CROSSINGS / (2 * cutoff)))
    padded = np.concatenate((np.zeros(half), samples, np.zeros(half + 1)))
    taps = np.arange(-half + 1, half + 1)
    count = len(samples) * new_rate // rate
    if ratio.denominator * (ratio.numerator + len(taps)) <= MAX_BANK:
        return _resample_polyphase(padded, count, ratio, taps, cutoff, half)
    out = np.empty(count)
    for start in range(0, count, CHUNK):
        outputs = np.arange(start, min(start + CHUNK, count))
        times = outputs * float(ratio)
        index = np.floor(times).astype(np.int64)[:, None] + taps[None, :]
        kernel = _kernel(index - times[:, None], cutoff, half)
        out[start:start + len(outputs)] = (padded[index + half] * kernel).sum(axis=1)
    return out


def _resample_polyphase(padded, count, ratio, taps, cutoff, half) -> np.ndarray:
    """Gives the resampled output as one matrix product per chunk."""
    # Output m = q * phases + p falls at input time q * step + p * step / phases:
    # past input sample q * step + whole(p) by fraction(p). So block q of
    # `phases` outputs is a fixed bank of kernels applied to the input from
    # q * step on: one row per phase, placed at its whole(p).
    phases, step = ratio.denominator, ratio.numerator
    width = step + len(taps)
    whole, fraction = np.divmod(np.arange(phases) * step, phases)
    kernels = _kernel(taps[None, :] - (fraction / phases)[:, None], cutoff, half)
    bank = np.zeros((phases, width))
    columns = whole[:, None] + 1 + np.arange(len(taps))[None, :]
    bank[np.arange(phases)[:, None], columns] = kernels
    blocks = -(-count // phases)
    need = (blocks - 1) * step + width
    padded = np.concatenate((padded, np.zeros(max(0, need - len(padded)))))
    segments = np.lib.stride_tricks.sliding_window_view(padded, width)[::step][:blocks]
    out = np.empty((blocks, phases))
    chunk = max(1, CHUNK // phases)
    for start in range(0, blocks, chunk):
        # einsum, not `@`: OpenBLAS would spread products this size over threads
        # that spin, costing 10 to 80 times the CPU on a busy box.
        out[start:start + chunk] = np.einsum("bw,pw->bp", segments[start:start + chunk], bank)
    return out.ravel()[:count]


def _kernel(distance: np.ndarray, cutoff: float, half: int) -> np.ndarray:
    """Gives the interpolation weights of input samples `distance` samples away."""
    return 2 * cutoff * np.sinc(2 * cutoff * distance) * _kaiser(distance / half)


def _kaiser(position: np.ndarray) -> np.ndarray:
    """Gives the Kaiser window at `position` (-1..1 across the window), 0 outside."""
    inside = np.clip(1 - position * position, 0, None)
    return np.i0(KAISER_BETA * np.sqrt(inside)) / np.i0(KAISER_BETA) * (inside > 0)
