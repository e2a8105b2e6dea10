"""The voice test's measures: what a call's audio says about the line, from a recording.

    recording = Recording()
    port.listen(recording.hear)                       # every captured frame
    port.play(recording.sent_frames(measured_signal()))   # what the box plays, noted
    ...
    figures = measure(recording, marks, tail_ms=128)

`Recording` keeps both directions of one call on one frame count: captured
frame k was read just before the box wrote its playback frame k (audio/port.py
reads one frame, then writes one), so the echo of what the box wrote in frame
j comes back in captured frame j + lag. Everything here is pure arithmetic on
that recording:

- round-trip delay: the lag at which what was captured best matches the test
  signal that was played (cross-correlation); from the box writing a sound to
  the box reading its echo, so it is the delay the canceller's tail must cover;
- echo return loss (ERL): level played minus level of its echo captured, over
  the test signal; "with the canceller" runs the recording through a fresh
  speex canceller afterwards (audio/speexdsp.py, the box's own, with the
  modem's tail and the same reference the box gives it: what it wrote the
  period before), so both figures come from the very same sound;
- noise floor: the level of a quiet stretch before the test signal;
- speech level: the loudness (ITU-R BS.1770, audio/loudness.py) of what the
  far end said after being asked for a sentence, before its first key;
- clipping: captured samples at full scale.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields

import numpy as np

from audio.loudness import integrated_lufs
from audio.pcm import FRAME_SAMPLES, FULL_SCALE, RATE, SILENCE, frames, samples, to_pcm
from audio.echo_align import AlignedEchoCanceller

SIGNAL_S = 2.5              # the test signal's length
SIGNAL_DBFS = -20.0         # its RMS level while it sounds
MAX_LAG_S = 0.6             # the longest round trip looked for
FLOOR_DBFS = -96.0          # levels below this (digital silence) read as this
ECHO_FOUND = 0.3            # correlation coefficient above which the echo is timed
CANCELLED_OVER_S = 1.0      # the canceller's figure: over the signal's last second
SLIP_LOOK, SLIP_WINDOW = 5, 10          # frames: the echo's delay is looked at every 100 ms


def level_dbfs(values: np.ndarray) -> float:
    """Gives the RMS level of samples in dB below a full-scale square wave (dBFS)."""
    if not len(values):
        return FLOOR_DBFS
    power = float(np.mean(np.square(values))) / FULL_SCALE ** 2
    return max(FLOOR_DBFS, 10 * math.log10(power) if power > 0 else FLOOR_DBFS)


def measured_signal(seconds: float = SIGNAL_S, level_dbfs: float = SIGNAL_DBFS,
                seed: int = 7) -> bytes:
    """Gives the measured test signal: noise with about the long-term spectrum of speech
    (300-3400 Hz, flat to 500 Hz, then 6 dB less per octave), in syllables of about
    400 ms, so that a speech codec carries it, a network's noise suppression does not
    take it for noise, and the echo loss it finds is the one a talker meets; the same
    every time (seeded)."""
    count = round(RATE * seconds)
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.normal(0.0, 1.0, count))
    hz = np.fft.rfftfreq(count, 1 / RATE)
    spectrum[(hz < 300) | (hz > 3400)] = 0
    spectrum *= np.minimum(1.0, 500.0 / np.maximum(hz, 1.0))
    band = np.fft.irfft(spectrum, count)
    t = np.arange(count) / RATE
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 2.5 * t)    # syllables, never silent
    edge = min(count // 2, RATE // 50)                       # 20 ms fades: no clicks
    envelope[:edge] *= np.linspace(0, 1, edge)
    envelope[count - edge:] *= np.linspace(1, 0, edge)
    shaped = band * envelope
    shaped *= FULL_SCALE * 10 ** (level_dbfs / 20) / math.sqrt(np.mean(np.square(shaped)))
    return to_pcm(shaped)


class Recording:
    """Both directions of one call, frame by frame (see the module docstring).

    `hear` runs on the port's audio thread (a listener), and so does the
    generator `sent_frames` gives (the port pulls its frames there): both count
    the same frames, so no lock is needed and the two never drift apart."""

    def __init__(self) -> None:
        self.captured: list[bytes] = []
        self._sent: dict[int, bytes] = {}       # captured frame count -> frame written then

    def hear(self, frame: bytes) -> None:
        """Keeps one captured frame (a port listener)."""
        self.captured.append(frame)

    def sent_frames(self, pcm: bytes, span: list[int] | None = None) -> Iterator[bytes]:
        """Gives `pcm`'s frames to play, noting the frame count each was written at;
        `span` becomes [first, end) of those counts as they are played."""
        for frame in frames(pcm):
            index = len(self.captured)
            self._sent[index] = frame
            if span is not None:
                span[:] = [span[0] if span else index, index + 1]
            yield frame

    def not_sent(self) -> None:
        """Notes that the frame of this period was not written after all (the port skipped
        it to keep the delay down): call before `hear` of the same period."""
        self._sent.pop(len(self.captured), None)

    @property
    def mark(self) -> int:
        """The frame count now: where the next captured frame will be."""
        return len(self.captured)

    def sent_pcm(self, count: int | None = None) -> bytes:
        """Gives what the box wrote, frame for frame with `captured` (silence between)."""
        count = len(self.captured) if count is None else count
        return b"".join(self._sent.get(index, SILENCE) for index in range(count))

    def captured_pcm(self) -> bytes:
        return b"".join(self.captured)


@dataclass(frozen=True)
class Marks:
    """Where the parts of the test lie in a Recording, in frames."""

    quiet: int                  # the quiet stretch starts (the signal follows it)
    signal: int                 # the test signal starts
    signal_end: int
    sentence: int               # the far end was asked for a sentence (after the beep)
    end: int                    # the listening ended
    key_frames: tuple[int, ...] = ()   # frames at which a modem reported a key


@dataclass(frozen=True)
class Figures:
    """What the voice test found; levels in dBFS (RMS), loudness in LUFS, None: not
    measurable (see each field)."""

    round_trip_ms: float | None          # None: no echo came back to time
    echo_correlation: float              # how clearly the echo matched (0..1)
    played_dbfs: float
    erl_db: float                        # without the canceller
    erl_at_least: bool                   # the echo was lost in the noise: a lower bound
    erl_cancelled_db: float              # the same sound through the canceller afterwards
    erl_cancelled_at_least: bool
    tail_ms: int                         # the canceller's tail used for that
    slips: int                           # times the box's audio slipped by a frame meanwhile
    echo_cancel: bool                    # whether the box cancels this modem's echo in calls
    noise_dbfs: float
    speech_lufs: float | None            # None: nothing was said
    clipped_samples: int
    captured_samples: int
    keys_in_band: str = ""
    keys_reported: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        """Gives Figures from `to_dict`'s output (unknown keys ignored)."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


def _coefficients(sent: np.ndarray, captured: np.ndarray, start: int, end: int,
                  max_lag: int) -> np.ndarray:
    """Gives the correlation coefficient (0..1) of what was sent between samples `start`
    and `end` with what was captured, at each lag from 0 to `max_lag` samples."""
    played = sent[start:end]
    heard = captured[start:end + max_lag]
    heard = np.pad(heard, (0, max(0, len(played) + max_lag - len(heard))))
    size = 1 << (len(heard) + len(played)).bit_length()
    spectrum = np.fft.rfft(heard, size) * np.conj(np.fft.rfft(played, size))
    correlation = np.fft.irfft(spectrum, size)[:max_lag + 1]
    energy = np.cumsum(np.concatenate(([0.0], np.square(heard))))
    window = energy[len(played):len(played) + max_lag + 1] - energy[:max_lag + 1]
    norm = math.sqrt(float(np.sum(np.square(played)))) * np.sqrt(np.maximum(window, 1e-9))
    return np.abs(correlation) / np.maximum(norm, 1e-9)


def round_trip(sent: np.ndarray, captured: np.ndarray, start: int, end: int,
               max_lag: int = round(MAX_LAG_S * RATE)) -> tuple[int, float]:
    """Gives (lag in samples, correlation coefficient 0..1) at which `captured` best
    matches what was sent between samples `start` and `end`."""
    coefficients = _coefficients(sent, captured, start, end, max_lag)
    lag = int(np.argmax(coefficients))
    return lag, float(coefficients[lag])


def slips(sent: np.ndarray, heard: np.ndarray, lag: int, until: int) -> list[int]:
    """Gives, for each frame the box sent before frame `until`, how many whole frames
    later than `lag` its echo came back: 0, but 1 (or -1) from where the box's audio
    slipped by a frame (a period it was too busy to read the modem in, or the device
    took a frame late) until it slipped back. Looked at every SLIP_LOOK frames where
    the box sent a sound that times well (not a pure tone, whose echo matches at many
    lags)."""
    offsets = [0] * until
    window = SLIP_WINDOW * FRAME_SAMPLES
    current = 0
    for first in range(0, until):
        start = first * FRAME_SAMPLES
        if first % SLIP_LOOK == 0 and first + SLIP_WINDOW <= until and \
                level_dbfs(sent[start:start + window]) >= SIGNAL_DBFS - 25:
            coefficients = _coefficients(sent, heard, start, start + window,
                                         lag + 3 * FRAME_SAMPLES)
            local = int(np.argmax(coefficients))
            frames_off = round((local - lag) / FRAME_SAMPLES)
            near = np.concatenate((coefficients[max(0, local - 6):max(0, local - 3)],
                                   coefficients[local + 4:local + 7]))
            sharp = coefficients[local] >= 0.6 and float(near.max(initial=0)) < \
                0.7 * coefficients[local]
            if sharp and abs(local - lag - frames_off * FRAME_SAMPLES) <= 2:
                current = frames_off
        offsets[first] = current
    return offsets


def cancel_echo(sent_pcm: bytes, captured_pcm: bytes, tail_ms: int,
                offsets: list[int] | None = None, lag_frames: int = 0) -> np.ndarray:
    """Gives the captured samples after a fresh echo canceller, run as the box runs it: the
    reference of captured frame k is the frame written in period k - 1. With `offsets`
    (from `slips`), the reference follows the box's own slips (the frame written in
    period k - 1 - offset), so the canceller meets the line's echo path alone."""
    canceller = AlignedEchoCanceller(tail_ms)
    step = FRAME_SAMPLES * 2
    count = len(captured_pcm) // step
    try:
        out = []
        for index in range(count):
            source = index - 1
            if offsets:
                source -= offsets[min(len(offsets) - 1, max(0, index - lag_frames))]
            reference = sent_pcm[source * step:(source + 1) * step] if source >= 0 else b""
            out.append(canceller.cancel(captured_pcm[index * step:(index + 1) * step],
                                        reference.ljust(step, b"\0")))
    finally:
        canceller.close()
    return samples(b"".join(out))


def _power(values: np.ndarray) -> float:
    return float(np.mean(np.square(values))) if len(values) else 0.0


def _loss(played: np.ndarray, heard: np.ndarray, noise_power: float) -> tuple[float, bool]:
    """Gives (played level minus the level of its echo in `heard`, whether that is only a
    lower bound): the noise's share is taken out of what was heard; an echo less than
    1 dB above the noise cannot be told from it, and the loss is at least that."""
    echo_power = _power(heard) - noise_power
    at_least = echo_power < noise_power * 0.26
    echo_power = max(echo_power, noise_power * 0.26, (10 ** (FLOOR_DBFS / 20) * FULL_SCALE) ** 2)
    return level_dbfs(played) - 10 * math.log10(echo_power / FULL_SCALE ** 2), at_least


def measure(recording: Recording, marks: Marks, tail_ms: int,
            keys_in_band: Iterable[str] = (), keys_reported: Iterable[str] = (),
            key_starts: Iterable[int] = (), echo_cancel: bool = True) -> Figures:
    """Gives the figures of a finished test; `key_starts` are the samples at which keys
    heard in-band began (speech is measured before the first of them)."""
    captured_pcm = recording.captured_pcm()
    sent_pcm = recording.sent_pcm()
    heard = samples(captured_pcm)
    sent = samples(sent_pcm)
    start, end = marks.signal * FRAME_SAMPLES, marks.signal_end * FRAME_SAMPLES
    lag, correlation = round_trip(sent, heard, start, end)
    found = correlation >= ECHO_FOUND
    shift = lag if found else 0
    # the quiet stretch, once the echo of what was said before it has died away
    quiet = heard[min(start - RATE // 10, marks.quiet * FRAME_SAMPLES + shift + RATE // 10):start]
    noise_power = _power(quiet)
    played = sent[start:end]
    erl, erl_bound = _loss(played, heard[start + shift:end + shift], noise_power)
    offsets = slips(sent, heard, lag, marks.signal_end) if found else []
    cancelled = cancel_echo(sent_pcm, captured_pcm, tail_ms, offsets, lag // FRAME_SAMPLES)
    late = max(start, end - round(CANCELLED_OVER_S * RATE))
    left, left_bound = _loss(sent[late:end], cancelled[late + shift:end + shift], noise_power)
    return Figures(
        round_trip_ms=round(1000 * lag / RATE, 1) if found else None,
        echo_correlation=round(correlation, 3), played_dbfs=round(level_dbfs(played), 1),
        erl_db=round(erl, 1), erl_at_least=erl_bound or not found,
        erl_cancelled_db=round(left, 1), erl_cancelled_at_least=left_bound,
        tail_ms=tail_ms, slips=sum(1 for before, after in zip(offsets, offsets[1:])
                                   if before != after), echo_cancel=echo_cancel, noise_dbfs=round(level_dbfs(quiet), 1),
        speech_lufs=_speech(heard, marks, shift, key_starts),
        clipped_samples=int(np.count_nonzero(np.abs(heard) >= FULL_SCALE)),
        captured_samples=len(heard), keys_in_band="".join(keys_in_band),
        keys_reported="".join(keys_reported))


def _speech(heard: np.ndarray, marks: Marks, shift: int, key_starts: Iterable[int]
            ) -> float | None:
    """Gives the loudness of what was said between the request and the first key (the
    echo of the beep left out); None when it stayed silent."""
    start = marks.sentence * FRAME_SAMPLES + shift + FRAME_SAMPLES * 5
    ends = [marks.end * FRAME_SAMPLES] + [begin - FRAME_SAMPLES for begin in key_starts] + [
        frame * FRAME_SAMPLES for frame in marks.key_frames]
    end = min(ends)
    if end - start < RATE // 2:
        return None
    loudness = integrated_lufs(to_pcm(heard[start:end]))
    return None if loudness == float("-inf") or loudness < -70 else round(loudness, 1)
