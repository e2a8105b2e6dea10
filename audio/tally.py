"""Frames the box's audio lost, summed over every port and bridge since the start.

A port and a bridge live as long as one call; their own counters
(`AudioPort.late_frames`, `Bridge.stats()`) go with them. A `FrameTally`
handed to them keeps the sums for the box's metrics:

    tally = FrameTally()
    port = AudioPort(endpoint, "m1", tally=tally)
    bridge = Bridge(port_a, port_b, tally=tally)
    tally.dropped, tally.underruns, tally.late

Losses are rare, so one lock per tally costs nothing on the audio threads.
"""
from __future__ import annotations

import threading


class FrameTally:
    """Sums of lost frames: dropped by a full bridge buffer, bridge underruns, late captures."""

    def __init__(self) -> None:
        self.dropped = 0        # frames a bridge threw away (its buffer was full)
        self.underruns = 0      # frames a bridge had none to play (silence played)
        self.late = 0           # frames a port captured a period or more late
        self._lock = threading.Lock()

    def add(self, dropped: int = 0, underruns: int = 0, late: int = 0) -> None:
        with self._lock:
            self.dropped += dropped
            self.underruns += underruns
            self.late += late
