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

This module measures (audio/dtmf_analysis.py) and decides which hops join a
run; the press state machine is audio/dtmf_press.py. Most of a call has no
hop that joins: such a batch, while no press is open, only adds its hop
powers to the history (the state machine would do nothing else with it), and
the measures that only a run's evidence needs (low band, peak rival: an FFT
per window) are taken of joining hops alone. A batch too quiet to hold a tone
at HOP_MIN_LEVEL (QUIET_ENERGY: a bound, about -72 dBFS RMS; silence, a quiet
line) is not analysed at all while no press is open.

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

import numpy as np

from audio.dtmf_analysis import (HOP, LEVEL_PER_ROOT_ENERGY, RATE, SPAN, Hops, analyse,
                                 details, hop_powers)
from audio.dtmf_press import KEYS, Hop, KeyPress, PressTracker, level_of

__all__ = ["KEYS", "KeyPress", "DtmfDetector", "detect_presses", "detect_keys"]

# Limits for one hop to join a run of its key.
HOP_MIN_LEVEL = level_of(-50)    # each tone's peak
HOP_MAX_OFFSET = 0.035           # frequency deviation, fraction of nominal (Q.24 rejects 3.5 %)
HOP_MIN_TWIST_DB = -26.0         # GSM loses the high group: see the module's doc
HOP_MAX_TWIST_DB = 18.0
HOP_MIN_PURITY = 0.45
HOP_MAX_RIVAL = 0.75             # second strongest of a group / strongest
_TWIST_FLOOR = 10 ** (HOP_MIN_TWIST_DB / 20)     # high / low level
_TWIST_CEILING = 10 ** (HOP_MAX_TWIST_DB / 20)
# Samples of a batch with less energy than this cannot hold a tone at HOP_MIN_LEVEL:
# no hop of it joins, whatever the rest of its measures (silence, a quiet line).
QUIET_ENERGY = (HOP_MIN_LEVEL / LEVEL_PER_ROOT_ENERGY) ** 2

# Hops analysed together: numpy's cost is mostly per call, so three 20 ms frames at once
# cost a third of three apart (bench/audio.py); a key comes up to 55 ms later.
MIN_BATCH_HOPS = 12
BATCH_BYTES = 2 * HOP * MIN_BATCH_HOPS
MAX_BATCH_HOPS = 50              # audio analysed at once: bounds memory for long input


def _joining(measures: Hops) -> np.ndarray:
    """Gives, per hop, whether its pair passes the HOP_ limits (joins a run of its key)."""
    pure = measures.purity >= HOP_MIN_PURITY
    if not pure.any():
        return pure                      # most batches: noise, speech, silence
    low_ok = ((measures.low_level >= HOP_MIN_LEVEL)
              & (np.abs(measures.low_offset) <= HOP_MAX_OFFSET)
              & (measures.low_rival <= HOP_MAX_RIVAL))
    high_ok = ((measures.high_level >= HOP_MIN_LEVEL)
               & (np.abs(measures.high_offset) <= HOP_MAX_OFFSET)
               & (measures.high_rival <= HOP_MAX_RIVAL))
    # twist within limits, without a logarithm per hop: high / low between two ratios
    high, low = measures.high_level, measures.low_level
    return (low_ok & high_ok & pure
            & (high >= _TWIST_FLOOR * low) & (high <= _TWIST_CEILING * low))


def _hops(samples: np.ndarray, measures: Hops, joins: np.ndarray) -> list[Hop]:
    """Gives the hops of `measures` as the state machine wants them."""
    count = len(joins)
    low_band, peak_rival = np.zeros(count), np.zeros(count)
    which = np.flatnonzero(joins)
    if len(which):
        found = details(samples, measures, which)
        low_band[which] = found.low_band
        peak_rival[which] = found.peak_rival
    columns = (measures.low * 4 + measures.high, joins, measures.purity, low_band,
               measures.low_offset, measures.high_offset,
               measures.low_level, measures.high_level,
               measures.hop_power, (measures.low_level ** 2 + measures.high_level ** 2) / 2,
               peak_rival)
    return [Hop(*row) for row in zip(*(column.tolist() for column in columns))]


class DtmfDetector:
    """Streaming DTMF detector: feed 8 kHz S16LE mono, get each key once per press.

    `samples_seen` counts the samples fed since the last reset; a KeyPress's
    `start` is on the same count, so a call session can line up the keys heard
    here with those a modem reports.
    """

    def __init__(self) -> None:
        self._presses = PressTracker()
        self.reset()

    def reset(self) -> None:
        """Forgets all audio; sample counting starts again at 0."""
        self._bytes_seen = 0
        self._samples = np.zeros(SPAN - HOP)   # the analysed samples the next windows need
        self._fresh = bytearray()              # audio not analysed yet
        self._presses.reset()

    @property
    def samples_seen(self) -> int:
        """Gives how many whole samples were fed since the last reset."""
        return self._bytes_seen // 2

    def feed(self, frame: bytes) -> list[str]:
        """Gives the keys whose press was recognized in this frame, in order."""
        return [press.key for press in self.feed_presses(frame)]

    def feed_presses(self, frame: bytes) -> list[KeyPress]:
        """Gives the presses recognized in this frame, with their start sample."""
        # Most frames only wait for a batch: no numpy call for them.
        self._bytes_seen += len(frame)
        self._fresh += frame
        if len(self._fresh) < BATCH_BYTES:
            return []
        return self._analyse_ready()

    def flush(self) -> list[KeyPress]:
        """Analyses the hops still waiting for a batch; gives the presses they complete."""
        return self._analyse_ready(flush=True)

    def _analyse_ready(self, flush: bool = False) -> list[KeyPress]:
        """Analyses the whole hops of fresh audio, MAX_BATCH_HOPS at most at once."""
        presses = []
        while True:
            count = min(len(self._fresh) // (2 * HOP), MAX_BATCH_HOPS)
            if count == 0 or (count < MIN_BATCH_HOPS and not flush):
                return presses
            chunk = self._fresh[:count * HOP * 2]
            del self._fresh[:count * HOP * 2]
            samples = np.concatenate((self._samples, np.frombuffer(chunk, "<i2")))
            self._samples = samples[count * HOP:]
            presses += self._analyse(samples, count)

    def _analyse(self, samples: np.ndarray, count: int) -> list[KeyPress]:
        """Runs `count` hops through the press state machine; gives the presses recognized."""
        if self._presses.idle and float(np.dot(samples, samples)) < QUIET_ENERGY:
            # silence: no hop can join, no press to follow; only the hops' powers count
            self._presses.pass_quiet(hop_powers(samples, count).tolist())
            return []
        measures = analyse(samples, count)
        joins = _joining(measures)
        if self._presses.idle and not joins.any():
            # most of a call: nothing that could be a key, no press to follow
            self._presses.pass_quiet(measures.hop_power.tolist())
            return []
        presses = []
        for hop in _hops(samples, measures, joins):
            press = self._presses.step(hop)
            if press is not None:
                presses.append(press)
        return presses


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
