"""Two calls' audio joined: what leg A's modem captures plays on leg B's modem, and back.

    bridge = Bridge(port_a, port_b)     # starts at once
    ...                                 # listeners on port_a still hear leg A (#11)
    bridge.stop()                       # both ports back to silence
    bridge.stats()                      # frames moved, dropped, underruns per direction

The bridge has no thread of its own: each port's audio thread carries one
direction. Port A's thread pushes every frame it captures into the A->B
jitter buffer; port B's thread takes one frame from it per frame it captures
(its own clock) and plays it. The two clocks are the two modems' (or the one
virtual network's, where both wake in the same 20 ms tick in either order).

The buffer keeps one frame in reserve once primed: then a push and a take
in the same tick come out right in either order, and the added delay stays
constant. It holds at most `limit` frames (40 ms): a faster capture clock
drops the oldest, a slower one plays silence and primes again.
"""
from __future__ import annotations

import collections
import logging
import threading
from dataclasses import asdict, dataclass

from audio.pcm import FRAME_S
from audio.port import AudioPort
from audio.tally import FrameTally

log = logging.getLogger(__name__)


@dataclass
class DirectionStats:
    moved: int = 0          # frames played on the far side
    dropped: int = 0        # frames thrown away because the buffer was full
    underruns: int = 0      # takes that found the primed buffer empty (silence played)
    priming: int = 0        # takes answered with silence while (re)filling the reserve


class JitterBuffer:
    """Frames from one capture clock to another; see the module docstring."""

    def __init__(self, reserve: int = 1, limit: int = 2, tally: FrameTally | None = None):
        if not 0 <= reserve < limit:
            raise ValueError(f"need 0 <= reserve < limit, got {reserve}, {limit}")
        self.reserve = reserve
        self.limit = limit
        self.stats = DirectionStats()
        self._tally = tally             # the box's sums (audio/tally.py), or None
        self._frames: collections.deque[bytes] = collections.deque()
        self._primed = False
        self._lock = threading.Lock()

    def push(self, frame: bytes) -> None:
        """Takes a captured frame (producer side)."""
        with self._lock:
            self._frames.append(frame)
            while len(self._frames) > self.limit:
                self._frames.popleft()
                self.stats.dropped += 1
                if self._tally is not None:
                    self._tally.add(dropped=1)

    def take(self) -> bytes | None:
        """Gives the frame to play now, or None for silence (consumer side)."""
        with self._lock:
            if not self._primed:
                if len(self._frames) <= self.reserve:
                    self.stats.priming += 1
                    return None
                self._primed = True
            if self._frames:
                self.stats.moved += 1
                return self._frames.popleft()
            self._primed = False
            self.stats.underruns += 1
            if self._tally is not None:
                self._tally.add(underruns=1)
            return None

    def max_delay_s(self) -> float:
        """Gives the most delay this buffer can add."""
        return self.limit * FRAME_S


class Bridge:
    """Moves audio both ways between two running ports until `stop()`."""

    def __init__(self, port_a: AudioPort, port_b: AudioPort, reserve: int = 1, limit: int = 2,
                 tally: FrameTally | None = None):
        """`tally` also sums both directions' dropped frames and underruns (the metrics)."""
        self.port_a = port_a
        self.port_b = port_b
        self.a_to_b = JitterBuffer(reserve, limit, tally)
        self.b_to_a = JitterBuffer(reserve, limit, tally)
        self._stopped = False
        self._lock = threading.Lock()
        port_b.set_source(self.a_to_b.take)
        port_a.set_source(self.b_to_a.take)
        port_a.listen(self.a_to_b.push)
        port_b.listen(self.b_to_a.push)
        log.info("bridge %s <-> %s up", port_a.name, port_b.name)

    @property
    def active(self) -> bool:
        """True until stopped, and while both ports still run."""
        return not self._stopped and self.port_a.running and self.port_b.running

    def stop(self) -> None:
        """Unjoins the ports; each plays silence (or its own playback) from its next frame."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self.port_a.unlisten(self.a_to_b.push)
        self.port_b.unlisten(self.b_to_a.push)
        self.port_a.set_source(None)
        self.port_b.set_source(None)
        log.info("bridge %s <-> %s down: %s", self.port_a.name, self.port_b.name, self.stats())

    def stats(self) -> dict[str, dict[str, int]]:
        """Gives the counters of each direction, keyed "a_to_b" and "b_to_a"."""
        return {"a_to_b": asdict(self.a_to_b.stats), "b_to_a": asdict(self.b_to_a.stats)}

    def __enter__(self) -> "Bridge":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
