"""In-band DTMF detector for 8 kHz S16LE mono audio, fed 20 ms frames as they arrive.

    detector = DtmfDetector()
    for frame in frames:                   # 320 bytes each (any even length works)
        for press in detector.feed_presses(frame):
            press.key, press.start         # start: sample count since reset()

`feed(frame)` gives just the keys. A key is given once per press, 30-50 ms
after the tone began plus up to 55 ms more: hops are analysed MIN_BATCH_HOPS at
once (`flush()` analyses what is left). Whole recordings:
`detect_keys(pcm)`, `detect_presses(pcm)`. One detector per audio stream; it
is not shared between threads.

How it decides (ITU-T Q.23/Q.24; audio/dtmf_analysis.py measures):

- Every 5 ms hop looks at the last 25 ms: the strongest tone of each group,
  its level, its true frequency (from phase), its rival in the group, the share
  of the window's power the pair holds (purity), the share below 600 Hz, and
  the strongest spectral peak away from the pair (peak rival).
- A hop whose pair passes loose limits (HOP_*) joins the run of hops of its
  key. A GSM full-rate codec (GSM 06.10: 20 ms frames of four 5 ms RPE-LTP
  subframes) swings each tone by several dB from one subframe to the next,
  adds noise shaped like the signal, and loses more of the high group than of
  the low, or at times less: a 1633 Hz tone sent 8 dB under its partner may
  come out nearly 20 dB under it, a +4 dB twist may come out +11 dB. So one
  hop proves little, and a hop may have +18 / -26 dB of twist.
- A run becomes a key on evidence gathered over its first RUN_MEMORY hops (at
  least MIN_HOPS): the score (purity less 8 times the low-band share) of its
  second best hop, less the run's lowest peak rival, mean frequency deviation,
  low-band share and frequency wander (how much the measured frequency moves
  from hop to hop), each weighted, must reach MIN_EVIDENCE. A DTMF pair in
  white noise at 15 dB SNR, after the codec, has peaks elsewhere mostly 14 dB
  or more under it, holds its frequency and has nothing below 600 Hz. Speech
  whose harmonics come near a DTMF pair has other harmonics F0 away about as
  loud as the pair, a gliding pitch, and its fundamental below 600 Hz; music
  has the other notes of its chord and their harmonics. The weights come from
  the hard corner of bench/dtmf.py against its talk-off (280 s of espeak-ng
  speech, 300 s of synthesized music, each as is, 10 dB louder and through
  GSM): no talk-off run came within 0.4 of the threshold; of 3200 hard-corner
  keys the lowest was 0.26 above it, the others 0.3 or more. The evidence is
  kept to a run's first 10 hops so a long vowel gets no more chances to look
  like a key than a 50 ms tone.
- Frequency: Q.24 asks to accept ±1.5 % and reject ±3.5 %. Hops join up to
  3.5 % off, the run's mean must be within 2.5 %, and the evidence falls by
  0.3 per 1 % of deviation. The first hops of a tone 3.5 % off measure it
  nearer than it is: the hops after them, which join too, pull the mean out.
- Duration comes from the energy envelope of 5 ms hops around the run, so the
  40 ms accept / 23 ms reject rule holds at any level: a 23 ms tone touches at
  most 6 hops, a 40 ms one fills at least 7 (MIN_PRESS_HOPS).
- A press ends after 20 ms under a tenth of its tone power, so a 10 ms break
  does not make a key twice and a 40 ms pause does, even with noise 15 dB under
  the tone in the pause (Q.24's shortest pause between keys, 40 ms); through
  GSM a gap may stay loud, so two hops of another key end a press too. While a
  recognized press lasts, one tone of its pair at its usual level holds it:
  the codec may drop the other tone for 15 ms.

Levels: each tone from -40 dBFS (peak; about -37 dBm0) up to clipping; after
a codec, a tone may drop to -48 dBFS over a run.
Twist is high-group level minus low-group level, in dB. Normal (standard) twist
is positive: the high group louder, as telephones send it to make up for the
line's loss of high frequencies; Q.24 asks +4 dB. Reverse twist is negative;
Q.24 asks -8 dB. Both are accepted with room for the codec: +14 / -20 dB over a
run, +18 / -26 dB in one hop.
"""
from __future__ import annotations

import statistics
from collections import deque
from typing import NamedTuple

import numpy as np

from audio.dtmf_analysis import HOP, KEY_GRID, RATE, SPAN, Hops, analyse

KEYS = "".join(KEY_GRID)


def _level(dbfs: float) -> float:
    """Gives the peak, in sample units, of a sine at `dbfs` (0 = full scale)."""
    return 32767 * 10 ** (dbfs / 20)


# Limits for one hop to join a run of its key.
HOP_MIN_LEVEL = _level(-50)      # each tone's peak
HOP_MAX_OFFSET = 0.035           # frequency deviation, fraction of nominal (Q.24 rejects 3.5 %)
HOP_MIN_TWIST_DB = -26.0         # GSM loses the high group: see the module's doc
HOP_MAX_TWIST_DB = 18.0
HOP_MIN_PURITY = 0.45
HOP_MAX_RIVAL = 0.75             # second strongest of a group / strongest

# Evidence a run needs to be a key (see the module's doc). A hop's score is its
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
MIN_LEVEL = _level(-48)          # each tone, power mean over the run
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
BATCH_BYTES = 2 * 50 * HOP       # audio analysed at once: bounds memory for long input
# Hops analysed together: numpy's cost is mostly per call, so three 20 ms frames at once
# cost a third of three apart (bench/audio.py); a key comes up to 55 ms later.
MIN_BATCH_HOPS = 12


class KeyPress(NamedTuple):
    """One key heard: `start` is its first sample, counted from the detector's reset."""

    key: str
    start: int

    @property
    def seconds(self) -> float:
        return self.start / RATE


class _Hop(NamedTuple):
    """What the press state machine needs to know of one hop."""

    key: int               # index into KEYS of the window's strongest pair
    joins: bool            # the pair passes the HOP_ limits
    purity: float
    low_band: float
    low_offset: float
    high_offset: float
    low_level: float       # tone peaks, sample units
    high_level: float
    power: float           # power of the hop's own samples, less DC
    tone_power: float      # the pair's power in the window
    peak_rival: float


def _hops(measures: Hops) -> list[_Hop]:
    """Gives the hops of `measures` as the state machine wants them."""
    low_ok = ((measures.low_level >= HOP_MIN_LEVEL)
                 & (np.abs(measures.low_offset) <= HOP_MAX_OFFSET)
                 & (measures.low_rival <= HOP_MAX_RIVAL))
    high_ok = ((measures.high_level >= HOP_MIN_LEVEL)
                  & (np.abs(measures.high_offset) <= HOP_MAX_OFFSET)
                  & (measures.high_rival <= HOP_MAX_RIVAL))
    twist = 20 * np.log10(np.maximum(measures.high_level, 1e-9)
                          / np.maximum(measures.low_level, 1e-9))
    joins = (low_ok & high_ok & (measures.purity >= HOP_MIN_PURITY)
             & (twist >= HOP_MIN_TWIST_DB) & (twist <= HOP_MAX_TWIST_DB))
    columns = (measures.low * 4 + measures.high, joins, measures.purity, measures.low_band,
               measures.low_offset, measures.high_offset,
               measures.low_level, measures.high_level,
               measures.hop_power, (measures.low_level ** 2 + measures.high_level ** 2) / 2,
               measures.peak_rival)
    return [_Hop(*row) for row in zip(*(column.tolist() for column in columns))]


def _score(hop: _Hop) -> float:
    """Gives how much a hop looks like a DTMF pair and nothing else."""
    return hop.purity - LOW_BAND_WEIGHT * hop.low_band


def _convincing(evidence: list[_Hop]) -> bool:
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


class DtmfDetector:
    """Streaming DTMF detector: feed 8 kHz S16LE mono, get each key once per press.

    `samples_seen` counts the samples fed since the last reset; a KeyPress's
    `start` is on the same count, so a call session can line up the keys heard
    here with those a modem reports.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forgets all audio; sample counting starts again at 0."""
        self.samples_seen = 0
        self._samples = np.zeros(SPAN - HOP)
        self._odd_byte = b""
        self._hop = 0                     # index of the next hop; hop i is samples 40i..40i+39
        self._powers: deque[float] = deque(maxlen=HISTORY_HOPS)
        self._floor = 0                   # no press may start before this hop
        self._evidence: list[_Hop] = []   # the open run's hops
        self._reference_power: float | None = None
        self._first_hit = self._last_hit = 0
        self._end_press()

    def feed(self, frame: bytes) -> list[str]:
        """Gives the keys whose press was recognized in this frame, in order."""
        return [press.key for press in self.feed_presses(frame)]

    def feed_presses(self, frame: bytes) -> list[KeyPress]:
        """Gives the presses recognized in this frame, with their start sample."""
        data = self._odd_byte + frame
        usable = len(data) // 2 * 2
        self._odd_byte = data[usable:]
        presses = []
        for offset in range(0, usable, BATCH_BYTES):
            presses += self._feed_samples(data[offset:min(offset + BATCH_BYTES, usable)])
        return presses

    def flush(self) -> list[KeyPress]:
        """Analyses the hops still waiting for a batch; gives the presses they complete."""
        return self._feed_samples(b"", flush=True)

    def _feed_samples(self, data: bytes, flush: bool = False) -> list[KeyPress]:
        fresh = np.frombuffer(data, dtype="<i2").astype(np.float64)
        self.samples_seen += len(fresh)
        self._samples = np.concatenate((self._samples, fresh))
        count = (len(self._samples) - (SPAN - HOP)) // HOP
        if count <= 0 or (count < MIN_BATCH_HOPS and not flush):
            return []
        measures = analyse(self._samples, count)
        self._samples = self._samples[count * HOP:]
        presses = []
        for hop in _hops(measures):
            press = self._step(hop)
            if press is not None:
                presses.append(press)
        return presses

    def _step(self, hop: _Hop) -> KeyPress | None:
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

    def _challenge(self, hop: _Hop, index: int) -> None:
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

    def _holds(self, hop: _Hop) -> bool:
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

    def _open(self, hop: _Hop, index: int) -> None:
        self._key = hop.key
        self._reported = False
        self._off = 0
        self._challengers = []
        self._evidence = []
        self._join(hop, index)

    def _join(self, hop: _Hop, index: int) -> None:
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
        self._challengers: list[tuple[int, _Hop]] = []

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


def detect_presses(pcm: bytes) -> list[KeyPress]:
    """Gives every key press in a whole 8 kHz S16LE mono recording, in order."""
    detector = DtmfDetector()
    frame_bytes = 2 * RATE // 50
    presses = []
    for offset in range(0, len(pcm), frame_bytes):
        presses += detector.feed_presses(pcm[offset:offset + frame_bytes])
    presses += detector.feed_presses(bytes(SPAN * 2 * 2))
    return presses + detector.flush()


def detect_keys(pcm: bytes) -> list[str]:
    """Gives the keys of a whole 8 kHz S16LE mono recording, one per press, in order."""
    return [press.key for press in detect_presses(pcm)]
