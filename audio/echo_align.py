"""The echo canceller behind a bulk delay: find where the echo is, then cancel it there.

    canceller = AlignedEchoCanceller(search_ms=256)
    clean = canceller.cancel(captured, played)      # one 20 ms frame each

An adaptive filter long enough to reach an echo 250 ms late has 2000 taps and
needs several seconds of speech to converge (bench/echo.py: 3 dB after 2 s).
Most of those taps model nothing: a handset echo is a short smear far away. So,
as WebRTC's echo canceller does, the delay is found first by cross-correlating
what was captured with what was sent (an FFT every ESTIMATE_EVERY frames), and
speex's filter gets the reference delayed by that much: FILTER_MS of taps that
converge in about a second. Until the delay is known (and while the far end is
silent) the filter works unaligned on the first FILTER_MS, which is where short
echoes are anyway. A new delay (another call, another network path) is taken
once two estimates in a row agree and the echo has left the filter's middle (a
shift of a frame or two, as a busy audio thread makes, stays inside and the
filter follows it), and the filter starts again.

A canceller must never add sound. Speex's filter keeps adapting while the near
end is loud (double talk), and a key pressed while the box speaks is a loud,
pure near-end tone: the filter may learn it as "echo" of the prompt and, once
the tone has stopped, play the prompt back through that filter, tone-coloured,
into a silent line: keys nobody pressed (a call's timeline showed a 0 after a
#). So, as WebRTC's canceller guards against divergence, a frame the filter
made clearly louder than it was is passed on as captured, and a filter that does so
DIVERGED_FRAMES frames in a row starts again (fewer restarted a converging
filter at the start of a loud short echo: bench/echo.py lost 10 dB at 2 s).
"""
from __future__ import annotations

import logging
from collections import deque

import numpy as np

from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, RATE, SILENCE
from audio.speexdsp import EchoCanceller

log = logging.getLogger(__name__)

FILTER_MS = 64              # taps speex adapts, behind the bulk delay
MARGIN = 192                # samples (24 ms) the filter starts before the echo: a slip of a
                            # frame earlier (a late audio thread) stays inside it
KEEP_FROM, KEEP_TO = 64, 384  # an echo 8 to 48 ms into the filter needs no new delay
WINDOW = RATE // 2          # samples correlated per estimate (0.5 s)
ESTIMATE_EVERY = 25         # frames between estimates (0.5 s)
MIN_CORRELATION = 0.3       # a weaker peak is speech of the near end, or noise
SURE = 0.6                  # a peak this strong is taken at once, without a second estimate
AGREE = 16                  # samples two estimates in a row may differ by
DIVERGED_FRAMES = 10        # frames in a row (200 ms) made louder before the filter starts again
LOUDER = 2.0                # a frame with twice (3 dB) the captured power was made louder ...
LOUDER_FLOOR = FRAME_SAMPLES * 8.0 ** 2   # ... by more than an RMS of 8 (-72 dBFS): speex's
                            # DC notch alone shifts a frame's power a little either way


class AlignedEchoCanceller:
    """Speex's canceller behind a bulk delay found by cross-correlation (module docstring)."""

    def __init__(self, search_ms: int = 256):
        self.search = RATE * search_ms // 1000
        self.canceller = EchoCanceller(FILTER_MS)
        self.delay = 0                      # samples the reference is held back
        # What was sent and captured lately, frame by frame: keeping a frame costs no numpy
        # call (numpy's cost on a 20 ms frame is per call); the estimate joins them once per
        # 0.5 s. The guard's two frame powers (_guarded) cost about 3 us a frame.
        sent_frames = -(-(self.search + WINDOW) // FRAME_SAMPLES) + 1
        self._sent: deque[bytes] = deque([SILENCE] * sent_frames, maxlen=sent_frames)
        self._heard: deque[bytes] = deque([SILENCE] * (WINDOW // FRAME_SAMPLES),
                                          maxlen=WINDOW // FRAME_SAMPLES)
        self._frames = 0
        self._candidate: int | None = None
        self._louder = 0                    # frames in a row the filter made louder
        self.restarts = 0                   # times the filter diverged and started again

    def cancel(self, captured: bytes, played: bytes) -> bytes:
        """Gives `captured` with the echo of what was played before it removed."""
        self._sent.append(played)
        self._heard.append(captured)
        self._frames += 1
        if self._frames % ESTIMATE_EVERY == 0:
            self._estimate()
        cleaned = self.canceller.cancel(captured, self._reference())
        return self._guarded(captured, cleaned)

    def _reference(self) -> bytes:
        """Gives the frame that was sent `delay` samples before the one sent last ended."""
        frames_back, within = divmod(self.delay, FRAME_SAMPLES)
        if within == 0:
            return self._sent[-1 - frames_back]
        pair = self._sent[-2 - frames_back] + self._sent[-1 - frames_back]
        start = 2 * (FRAME_SAMPLES - within)
        return pair[start:start + FRAME_BYTES]

    def _guarded(self, captured: bytes, cleaned: bytes) -> bytes:
        """Gives `cleaned` unless the filter made the frame louder (module docstring)."""
        heard = np.frombuffer(captured, "<i2").astype(np.float64)
        out = np.frombuffer(cleaned, "<i2").astype(np.float64)
        if float(np.dot(out, out)) <= LOUDER * float(np.dot(heard, heard)) + LOUDER_FLOOR:
            self._louder = 0
            return cleaned
        self._louder += 1
        if self._louder >= DIVERGED_FRAMES:
            log.debug("echo filter diverged (it added sound); starting it again")
            self.canceller.reset()
            self.restarts += 1
            self._louder = 0
        return captured

    def _estimate(self) -> None:
        found = estimate_delay(_samples(self._sent), _samples(self._heard), self.search)
        if found is None:
            self._candidate = None
            return
        lag, strength = found
        agreed = self._candidate is not None and abs(lag - self._candidate) <= AGREE
        if agreed or strength >= SURE:
            delay = max(0, lag - MARGIN)
            inside = KEEP_FROM <= lag - self.delay <= KEEP_TO or (delay == 0 == self.delay)
            if not inside:
                log.debug("echo delay %d ms (was %d ms)", delay * 1000 // RATE,
                          self.delay * 1000 // RATE)
                self.delay = delay
                self.canceller.reset()
        self._candidate = lag

    def close(self) -> None:
        self.canceller.close()


def _samples(frames: deque[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(frames), "<i2").astype(np.float64)


def estimate_delay(reference: np.ndarray, captured: np.ndarray,
                   search: int) -> tuple[int, float] | None:
    """Gives the lag (samples, 0..search) at which `captured` (the last WINDOW samples)
    best matches `reference` (ending at the same moment, `search` samples longer) and
    the normalized correlation there, or None when no lag matches well enough (the far
    end silent, the near end talking)."""
    window = len(captured)
    far = reference[-(window + search):]
    energy = float(np.dot(captured, captured))
    if energy <= 0 or float(np.dot(far, far)) <= 0:
        return None
    # Only lags at which all of `captured` lies within `far` are wanted: a circular
    # correlation as long as `far` gives those exactly (nothing wraps around into them).
    size = 1 << (len(far) - 1).bit_length()
    spectrum = np.fft.rfft(far, size) * np.conj(np.fft.rfft(captured, size))
    correlation = np.fft.irfft(spectrum, size)[:search + 1]
    # correlation[k] matches captured with the far end `search - k` samples earlier
    lags = search - np.arange(search + 1)
    squares = np.cumsum(np.concatenate(([0.0], far * far)))
    norms = np.sqrt(energy * (squares[np.arange(search + 1) + window]
                              - squares[np.arange(search + 1)]) + 1e-9)
    normalized = correlation / norms
    best = int(np.argmax(normalized))
    if normalized[best] < MIN_CORRELATION:
        return None
    return int(lags[best]), float(normalized[best])
