"""Finding a known sound inside recorded audio: "did the user hear the balance prompt, and when?"

`find(heard, needle)` slides `needle` over `heard` and scores each position
by normalized cross-correlation (computed with FFTs), which does not care
about a change of gain or a constant offset. A score is 1.0 for an exact
copy, near 0 for unrelated sound; the default threshold (0.9) holds down to
a signal-to-noise ratio of about 7 dB. Synthesized prompts that share a word
or syllable can match each other ("fifty" inside "fifteen", "minute" inside
"minutes"): assert on prompts that differ.

`find` correlates over all of `heard` once per call. To wait for a sound
in audio that keeps growing, use a `Finder`: it looks only at what is new.

    assert phone.wait_heard(Finder(load_prompt("enter_pin")), timeout=10)
"""
from __future__ import annotations

import numpy as np

from audio.pcm import RATE, samples

THRESHOLD = 0.9
MIN_SLICE_S = 0.2
PIECE_S = 0.25
MIN_PIECE_S = 0.1         # the shortest piece a needle is followed in
MAX_DRIFT_S = 0.1
PIECES_NEEDED = 0.75
# Below this whole-needle score, no part of the needle is worth looking for piece by piece.
PIECES_GATE = 0.3
# Windows quieter than this (relative to the needle) are not matches, however they correlate.
MIN_LEVEL = 10 ** (-40 / 20)


def find(heard: bytes, needle: bytes, threshold: float = THRESHOLD,
         min_slice_s: float = MIN_SLICE_S, max_drift_s: float = MAX_DRIFT_S) -> int | None:
    """Gives the sample offset in `heard` where `needle` starts, or None if it is not there.

    Tried in turn, each only if the one before found nothing:
    - the whole needle;
    - the needle in pieces of PIECE_S (a short needle in four, of MIN_PIECE_S at
      least), three quarters of which must be found in order, each within
      `max_drift_s` of where the piece before it ended: audio that reached the
      phone with frames missing or repeated, or with a gap where the box's
      sound came late;
    - at either edge of `heard`, slices from the needle's middle, half as
      long each time down to `min_slice_s`: a recording that began or ended
      inside the needle. The offset is still that of the needle's start
      (negative if `heard` begins inside it).
    """
    return _find(samples(heard), samples(needle), threshold, round(RATE * min_slice_s),
                 round(RATE * max_drift_s), edges=(True, True))


def _find(haystack: np.ndarray, pattern: np.ndarray, threshold: float, min_slice: int,
          drift: int, edges: tuple[bool, bool]) -> int | None:
    if not len(pattern) or not len(haystack):
        return None
    if len(pattern) <= len(haystack):
        scores = _ncc(haystack, pattern)
        best = int(np.argmax(scores))
        if scores[best] >= threshold:
            return best
        if scores[best] >= PIECES_GATE:
            found = _in_pieces(haystack, pattern, best, threshold, drift)
            if found is not None:
                return found
    if not any(edges):
        return None
    return _at_edges(haystack, pattern, threshold, min_slice, edges)


class Finder:
    """A predicate for growing audio (`VirtualPhone.wait_heard`): true once `needle` is in it.

    Each call searches only what was added since the call before, plus
    enough of the audio before it to hold the needle, so a wait costs the
    same however long the call has run. `offset` is then where it starts.
    """

    def __init__(self, needle: bytes, threshold: float = THRESHOLD,
                 max_drift_s: float = MAX_DRIFT_S):
        """`max_drift_s`: audio lost or repeated between two pieces of the needle that
        still counts as the needle (see `find`)."""
        self.needle = bytes(needle)
        self._pattern = samples(self.needle)
        self.threshold = threshold
        self.max_drift_s = max_drift_s
        self.offset: int | None = None
        self._searched = 0          # bytes of the audio searched so far

    def __call__(self, heard: bytes | bytearray) -> bool:
        if self.offset is not None:
            return True
        drift = round(RATE * self.max_drift_s)
        start = max(0, self._searched - len(self.needle) - 2 * 4 * drift)
        start -= start % 2
        haystack = samples(bytes(heard[start:]))
        self._searched = len(heard)
        # a needle cut off by the end of the audio is still arriving: wait for the rest
        found = _find(haystack, self._pattern, self.threshold, round(RATE * MIN_SLICE_S), drift,
                      edges=(start == 0, False))
        if found is None:
            return False
        self.offset = start // 2 + found
        return True


def score(heard: bytes, needle: bytes) -> np.ndarray:
    """Gives the normalized cross-correlation of `needle` at every offset of `heard`."""
    return _ncc(samples(heard), samples(needle))


def _in_pieces(haystack: np.ndarray, pattern: np.ndarray, guess: int, threshold: float,
               drift: int) -> int | None:
    """Follows the needle piece by piece from `guess`, each piece near where the last one ended."""
    # a short needle (a 0.92 s "your balance is") still gets four pieces: one gap in it
    # then spoils one piece of four, not the only piece there was
    piece = max(round(RATE * MIN_PIECE_S), min(round(RATE * PIECE_S), len(pattern) // 4))
    starts = range(0, len(pattern) - piece + 1, piece)
    if len(starts) < 2:
        return None
    offset, first, found = guess, None, 0
    for start in starts:
        low = max(0, offset + start - drift)
        window = haystack[low: offset + start + piece + drift]
        scores = _ncc(window, pattern[start:start + piece])
        if not len(scores):
            continue
        best = int(np.argmax(scores))
        if scores[best] >= threshold:
            found += 1
            offset = low + best - start
            first = offset if first is None else first
    return first if found >= PIECES_NEEDED * len(starts) else None


def _at_edges(haystack: np.ndarray, pattern: np.ndarray, threshold: float,
              min_slice: int, which: tuple[bool, bool]) -> int | None:
    """Looks for the needle cut off by the start or (and) the end of `haystack`."""
    span = min(len(haystack), len(pattern))
    edges = [(0, haystack[:span])] if which[0] else []
    if which[1] and (len(haystack) > span or not edges):
        edges.append((len(haystack) - span, haystack[-span:]))
    length = min(len(pattern) // 2, span)
    while length >= min_slice:
        start = (len(pattern) - length) // 2
        for base, window in edges:
            scores = _ncc(window, pattern[start:start + length])
            if not len(scores):
                continue
            best = int(np.argmax(scores))
            offset = base + best - start
            if scores[best] >= threshold and _overlap_score(haystack, pattern, offset) >= threshold:
                return offset
        length //= 2
    return None


def _overlap_score(haystack: np.ndarray, pattern: np.ndarray, offset: int) -> float:
    """Gives the correlation of the needle placed at `offset` with what lies under it.

    A slice can match a syllable two prompts share (espeak speaks it the
    same way each time); the whole needle, where it overlaps, must match too.
    """
    first, last = max(0, offset), min(len(haystack), offset + len(pattern))
    if last - first < 2:
        return 0.0
    heard = haystack[first:last] - haystack[first:last].mean()
    wanted = pattern[first - offset:last - offset]
    wanted = wanted - wanted.mean()
    norms = np.sqrt(np.dot(heard, heard) * np.dot(wanted, wanted))
    return float(np.dot(heard, wanted) / norms) if norms > 0 else 0.0


def _ncc(haystack: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    size, width = len(haystack), len(pattern)
    if width == 0 or width > size:
        return np.zeros(0)
    pattern = pattern - pattern.mean()
    pattern_norm = np.sqrt(np.dot(pattern, pattern))
    if pattern_norm == 0:
        return np.zeros(size - width + 1)
    fft_size = _fft_size(size + width - 1)
    spectrum = np.fft.rfft(haystack, fft_size) * np.fft.rfft(pattern[::-1], fft_size)
    products = np.fft.irfft(spectrum, fft_size)[width - 1:size]
    # energy of each window of `haystack`, its mean removed
    sums = np.concatenate(([0.0], np.cumsum(haystack)))
    squares = np.concatenate(([0.0], np.cumsum(haystack * haystack)))
    window_sum = sums[width:] - sums[:-width]
    window_energy = squares[width:] - squares[:-width] - window_sum * window_sum / width
    floor = (pattern_norm * MIN_LEVEL) ** 2
    quiet = window_energy < max(floor, 1.0 * width)
    window_norm = np.sqrt(np.maximum(window_energy, 1e-9))
    scores = products / (pattern_norm * window_norm)
    scores[quiet] = 0.0
    return scores


def _fft_size(minimum: int) -> int:
    """Gives the smallest size >= `minimum` of the form 2^k, 3*2^k or 5*2^k (fast in numpy)."""
    sizes = []
    for factor in (1, 3, 5):
        size = factor
        while size < minimum:
            size *= 2
        sizes.append(size)
    return min(sizes)
