"""The DTMF detector's press state machine: runs of hops of one key, their evidence, presses.

    tracker = PressTracker()
    press = tracker.step(hop)          # a KeyPress once the open run is recognized, else None
    tracker.pass_quiet(hop_powers)     # while idle: hops that join no run, only their power counts

audio/dtmf.py measures each 5 ms hop (audio/dtmf_analysis.py) and feeds it
here; its module docstring says how a run of hops becomes a key and when a
press ends. Hop numbers count from the tracker's reset.
"""
from __future__ import annotations

import statistics
from collections import deque
from typing import NamedTuple

import numpy as np

from audio.dtmf_analysis import HOP, KEY_GRID, RATE, SPAN

KEYS = "".join(KEY_GRID)


def level_of(dbfs: float) -> float:
    """Gives the peak, in sample units, of a sine at `dbfs` (0 = full scale)."""
    return 32767 * 10 ** (dbfs / 20)


# Evidence a run needs to be a key (see audio/dtmf.py's docstring). A hop's score is its
# purity less LOW_BAND_WEIGHT times its power below 600 Hz (as a share of the
# window's power); the run's BEST_HOPS best-scoring hops must all reach
# MIN_SCORE, and the evidence (the worst of those scores less the weighted
# peak rival, deviation, low band and wander of the run) MIN_EVIDENCE.
MIN_HOPS = 3
BEST_HOPS = 2
LOW_BAND_WEIGHT = 8.0
MIN_SCORE = 0.60
PEAK_WEIGHT = 6.0                # times the run's lowest peak rival (amplitude ratio)
OFFSET_WEIGHT = 30.0             # times the mean deviation: 0.3 per 1 %
RUN_LOW_BAND_WEIGHT = 36.0       # times the run's mean low-band share
WANDER_WEIGHT = 40.0             # times the deviation's spread from hop to hop
MIN_EVIDENCE = -1.6
MAX_OFFSET = 0.025               # mean deviation of each tone over the run
MIN_LEVEL = level_of(-48)        # each tone, power mean over the run
MIN_TWIST_DB = -20.0             # over the run: Q.24's -8 dB and the codec's swings
MAX_TWIST_DB = 14.0              # ... Q.24's +4 dB and the codec's swings

MIN_PRESS_HOPS = 7               # 35 ms of tone-loud hops
GAP_HOPS = 4                     # 20 ms off ends a press
CHALLENGE_HOPS = 2               # hops of another key that end a press at once
ON_SHARE = 1 / 8                 # hop power, of the run's tone power, counted as tone
OFF_SHARE = 1 / 10               # hop power below which the tone has stopped (-10 dB)
HOLD_SHARE = 1 / 4               # a tone's power, of its mean in the run, that holds a press
MAX_LEAD_HOPS = 8                # a tone begins at most 40 ms before its first joining hop
HISTORY_HOPS = 64                # 320 ms of hop powers kept to find where a press began
RUN_MEMORY = 10                  # hops of evidence kept per run: its first 50 ms


class KeyPress(NamedTuple):
    """One key heard: `start` is its first sample, counted from the detector's reset."""

    key: str
    start: int

    @property
    def seconds(self) -> float:
        return self.start / RATE


class Hop(NamedTuple):
    """What the press state machine needs to know of one hop.

    `low_band` and `peak_rival` count only in a run's evidence, which only
    joining hops enter: the detector measures them for those hops alone."""

    key: int               # index into KEYS of the window's strongest pair
    joins: bool            # the pair passes the detector's per-hop limits
    purity: float
    low_band: float
    low_offset: float
    high_offset: float
    low_level: float       # tone peaks, sample units
    high_level: float
    power: float           # power of the hop's own samples, less DC
    tone_power: float      # the pair's power in the window
    peak_rival: float


def _score(hop: Hop) -> float:
    """Gives how much a hop looks like a DTMF pair and nothing else."""
    return hop.purity - LOW_BAND_WEIGHT * hop.low_band


def _convincing(evidence: list[Hop]) -> bool:
    """Tells whether the hops of a run prove its key (see the module's doc)."""
    if len(evidence) < MIN_HOPS:
        return False
    best = sorted(evidence, key=_score)[-BEST_HOPS:]
    # Over the whole run, weighted by level: the codec's swings from one 5 ms
    # subframe to the next average out.
    weights = [hop.tone_power for hop in evidence]
    total = sum(weights)
    low_power = sum(hop.low_level ** 2 for hop in evidence) / len(evidence)
    high_power = sum(hop.high_level ** 2 for hop in evidence) / len(evidence)
    twist_db = 10 * np.log10(max(high_power, 1e-9) / max(low_power, 1e-9))
    low_mean = sum(w * hop.low_offset for w, hop in zip(weights, evidence)) / total
    high_mean = sum(w * hop.high_offset for w, hop in zip(weights, evidence)) / total
    offset = max(abs(low_mean), abs(high_mean))
    wander = max(sum(w * (hop.low_offset - low_mean) ** 2 for w, hop in zip(weights, evidence)),
                 sum(w * (hop.high_offset - high_mean) ** 2
                     for w, hop in zip(weights, evidence))) / total
    low_band = sum(w * hop.low_band for w, hop in zip(weights, evidence)) / total
    evidence_score = (_score(best[0]) - PEAK_WEIGHT * min(hop.peak_rival for hop in evidence)
                      - OFFSET_WEIGHT * offset - RUN_LOW_BAND_WEIGHT * low_band
                      - WANDER_WEIGHT * wander ** 0.5)
    return (offset <= MAX_OFFSET and min(low_power, high_power) >= MIN_LEVEL ** 2
            and MIN_TWIST_DB <= twist_db <= MAX_TWIST_DB
            and _score(best[0]) >= MIN_SCORE and evidence_score >= MIN_EVIDENCE)


class PressTracker:
    """The press state machine of one audio stream (see audio/dtmf.py's docstring)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forgets every hop; hop counting starts again at 0."""
        self._hop = 0                     # index of the next hop; hop i is samples 40i..40i+39
        self._powers: deque[float] = deque(maxlen=HISTORY_HOPS)
        self._floor = 0                   # no press may start before this hop
        self._evidence: list[Hop] = []    # the open run's hops
        self._reference_power: float | None = None
        self._first_hit = self._last_hit = 0
        self._end_press()

    @property
    def idle(self) -> bool:
        """True while no run of hops is open: a hop that does not join changes nothing but
        the count and the power history."""
        return self._key is None

    def pass_quiet(self, powers: list[float]) -> None:
        """Moves on over hops that join no run, while `idle`: what `step` would do with them."""
        self._hop += len(powers)
        self._powers.extend(powers)

    def step(self, hop: Hop) -> KeyPress | None:
        """Runs the press state machine one hop on; gives a press when one is recognized."""
        index = self._hop
        self._hop += 1
        self._powers.append(hop.power)
        if self._key is not None:
            if hop.joins and hop.key != self._key and not self._reported:
                self._open(hop, index)
            elif hop.joins and hop.key == self._key:
                self._join(hop, index)
            if self._reported:
                self._challenge(hop, index)
            if len(self._challengers) >= CHALLENGE_HOPS:
                self._hand_over()
            elif self._holds(hop):
                self._off = 0
            else:
                self._off += 1
                if self._off >= GAP_HOPS:
                    if self._reported:
                        self._floor = self._last_hit + 1
                    self._end_press()
        if self._key is None and hop.joins and index >= self._floor:
            self._open(hop, index)
        if self._key is not None and not self._reported:
            return self._recognize(index)
        return None

    def _challenge(self, hop: Hop, index: int) -> None:
        """Keeps the run of hops in which another key joins during a recognized press."""
        if not hop.joins or hop.key == self._key:
            self._challengers = []
            return
        if self._challengers and self._challengers[-1][1].key != hop.key:
            self._challengers = []
        self._challengers.append((index, hop))

    def _hand_over(self) -> None:
        """Ends the recognized press for the key that keeps joining instead."""
        # Through GSM the gap between two keys can be as loud as the keys, and
        # keys of one row or column share a tone: without this the second key
        # would pass for the first one held on.
        challengers = self._challengers
        self._floor = self._last_hit + 1
        self._end_press()
        first_index, first = challengers[0]
        self._open(first, first_index)
        for index, hop in challengers[1:]:
            self._join(hop, index)

    def _holds(self, hop: Hop) -> bool:
        """Tells whether `hop` keeps the open press on."""
        # A window still holds a tone 20 ms after it stopped: only a loud hop counts.
        reference = self._reference()
        if hop.power < OFF_SHARE * reference:
            return False
        # The windows across a 10 ms break see a phase jump, not a clean tone,
        # and that must not make the key twice: its pair is enough.
        if hop.key == self._key:
            return True
        if hop.joins:
            return False
        # Once recognized, one tone of the pair at its usual level is enough: a
        # GSM codec may drop the other by 20 dB for 15 ms.
        if not self._reported:
            return False
        row, column = divmod(self._key, 4)
        count = len(self._evidence)
        return ((hop.key // 4 == row and hop.low_level ** 2 * count
                 >= HOLD_SHARE * sum(held.low_level ** 2 for held in self._evidence))
                or (hop.key % 4 == column and hop.high_level ** 2 * count
                    >= HOLD_SHARE * sum(held.high_level ** 2 for held in self._evidence)))

    def _open(self, hop: Hop, index: int) -> None:
        self._key = hop.key
        self._reported = False
        self._off = 0
        self._challengers = []
        self._evidence = []
        self._join(hop, index)

    def _join(self, hop: Hop, index: int) -> None:
        if not self._evidence:
            self._first_hit = index
        self._last_hit = index
        if len(self._evidence) < RUN_MEMORY:
            self._evidence.append(hop)
            self._reference_power = None

    def _end_press(self) -> None:
        self._key: int | None = None      # the open run's key
        self._reported = False            # the open run has been given as a press
        self._off = 0                     # hops in a row that did not hold the press
        self._challengers: list[tuple[int, Hop]] = []

    def _reference(self) -> float:
        """Gives the run's typical tone power: the median over its hops."""
        if self._reference_power is None:
            self._reference_power = statistics.median(hop.tone_power for hop in self._evidence)
        return self._reference_power

    def _recognize(self, now: int) -> KeyPress | None:
        """Gives the open run's press if it is now a key, else None."""
        if not _convincing(self._evidence):
            return None
        # The middle hop of the latest joining window is inside the tone.
        tone = self._tone_run(self._last_hit - SPAN // HOP // 2, now)
        if tone is None or tone[1] - tone[0] + 1 < MIN_PRESS_HOPS:
            return None
        self._reported = True
        return KeyPress(KEYS[self._key], tone[0] * HOP)

    def _tone_run(self, centre: int, now: int) -> tuple[int, int] | None:
        """Gives the first and last hop of the run of tone-loud hops around `centre`."""
        oldest = now - len(self._powers) + 1
        # Through GSM the "silence" before a tone can be loud; a tone starts at
        # most a window and a mangled onset before its first joining hop.
        earliest = max(oldest, self._floor, self._first_hit - MAX_LEAD_HOPS)
        if centre < earliest:
            return None
        on = ON_SHARE * self._reference()
        powers = self._powers
        if powers[centre - oldest] < on:
            return None
        # The codec may leave one quiet 5 ms subframe inside a tone: a single
        # quiet hop between loud ones does not end it.
        first = centre
        while True:
            if first - 1 >= earliest and powers[first - 1 - oldest] >= on:
                first -= 1
            elif first - 2 >= earliest and powers[first - 2 - oldest] >= on:
                first -= 2
            else:
                break
        last = centre
        while True:
            if last + 1 <= now and powers[last + 1 - oldest] >= on:
                last += 1
            elif last + 2 <= now and powers[last + 2 - oldest] >= on:
                last += 2
            else:
                break
        return first, last
