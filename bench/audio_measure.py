"""What bench/audio.py measures with: chirp streams, delays and lost frames in what a phone
heard, a thread's CPU time, garbage collections, and why frames came late."""
from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from audio import match
from audio.pcm import FRAME_BYTES, FRAME_S, RATE, SILENCE, to_pcm
from audio.port import CaptureClock, LateFrame


PERIOD_S = 0.5
CHIRP_S = 0.1
SEARCH_S = 0.4            # a chirp is looked for this long after it was sent
LEAD_S = 0.2              # stream A's first chirp; stream B's a quarter period later


def chirp() -> bytes:
    t = np.arange(round(RATE * CHIRP_S)) / RATE
    phase = 2 * np.pi * (400 * t + 2000 * t * t / (2 * CHIRP_S))
    return to_pcm(12000 * np.sin(phase) * np.hanning(len(t)))


def stream(seconds: float, lead_s: float, seed: int) -> tuple[bytes, list[int]]:
    """Gives noise with a chirp every PERIOD_S from `lead_s` on, and the chirps' sample offsets."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0, 100, round(RATE * seconds))
    signal = np.frombuffer(chirp(), "<i2")
    offsets = [round(RATE * (lead_s + k * PERIOD_S))
               for k in range(int((seconds - lead_s - SEARCH_S) / PERIOD_S))]
    for offset in offsets:
        values[offset:offset + len(signal)] += signal
    return to_pcm(values), offsets


def send(net, sender, receiver, pcm: bytes) -> int:
    """Queues `pcm` on `sender`; gives the byte offset in `receiver.heard()` of the same tick."""
    with net.lock:
        sender.play(pcm)
        return heard_length(receiver)


def heard_length(phone) -> int:
    """Gives how many bytes `phone` heard so far, without copying them."""
    return phone.heard_from(1 << 62)[0]


def wait_heard(phone, length: int, timeout: float) -> bytes:
    if not phone.wait_heard(lambda pcm: len(pcm) >= length, timeout):
        raise SystemExit(f"phone {phone.number} stopped hearing audio")
    return phone.heard()


def delays_of(heard: bytes, mark: int, offsets: list[int]) -> list[float | None]:
    """Gives the delay in seconds of each chirp (None where it was not found)."""
    signal, found = chirp(), []
    for offset in offsets:
        window = heard[mark + 2 * offset: mark + 2 * (offset + round(RATE * SEARCH_S))]
        at = match.find(window, signal)
        found.append(None if at is None else at / RATE)
    return found


@dataclass
class Losses:
    """Frames of one direction heard as silence, or unlike those sent (None: not comparable)."""

    silent: int = 0
    differ: int | None = 0
    compared: int = 0


def losses_of(heard: bytes, mark: int, sent: bytes, offsets: list[int],
              delays: list[float | None], exact: bool) -> Losses:
    """Gives the frames lost in one direction, each period compared at its chirp's delay.

    A period whose chirp was not found counts as lost whole."""
    losses = Losses(differ=0 if exact else None)
    period = round(RATE * PERIOD_S)
    for offset, delay in zip(offsets, delays):
        frames = period * 2 // FRAME_BYTES
        losses.compared += frames
        if delay is None:
            losses.silent += frames
            if exact:
                losses.differ += frames
            continue
        start = 2 * offset
        shifted = mark + start + 2 * round(delay * RATE)
        for at in range(0, 2 * period, FRAME_BYTES):
            got = heard[shifted + at: shifted + at + FRAME_BYTES]
            losses.silent += got == SILENCE
            if exact:
                losses.differ += got != sent[start + at: start + at + FRAME_BYTES]
    return losses


def thread_cpu_seconds(native_id: int | None) -> float:
    """Gives the CPU time (user + system) of one thread of this process, from /proc."""
    if native_id is None:
        return 0.0
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class GcPauses:
    """Garbage collections in this process while it runs (gc.callbacks), and how long each."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []      # (generation, seconds)
        self._started = 0.0

    def __enter__(self) -> "GcPauses":
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc_info) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def summary(self) -> str:
        if not self.pauses:
            return "no garbage collection"
        longest = max(seconds for _, seconds in self.pauses)
        older = sum(generation > 0 for generation, _ in self.pauses)
        return (f"{len(self.pauses)} garbage collections ({older} of generation 1 or 2), "
                f"the longest {1000 * longest:.1f} ms")


def why_late(late: list[LateFrame]) -> str:
    """Gives how many late frames came late from the device, after a busy thread, or were
    the backlog of either (read at once, straight after the late one before)."""
    waited = sum(frame.waited_s >= FRAME_S for frame in late)
    away = sum(frame.away_s >= FRAME_S and frame.waited_s < FRAME_S for frame in late)
    backlog = sum(frame.away_s < FRAME_S and frame.waited_s < CaptureClock.FRESH_WAIT_S
                  for frame in late)
    return (f"{waited} waited a period or more in the read (the frame came late: the virtual "
            f"network's clock thread or the whole process did not run), {away} came after the "
            f"thread was away a period or more (its own work, a listener, the GIL, GC), "
            f"{backlog} were already waiting (the backlog of one of those), "
            f"{len(late) - waited - away - backlog} waited and were away less than a period each")
