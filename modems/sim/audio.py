"""Audio of the virtual network: 20 ms frames of 8 kHz S16LE mono, tones, endpoints.

A modem's audio is either an ALSA PCM (generic, simcom, quectel: USB audio
class devices on real hardware) or a second serial port (huawei voice port).
The ALSA PCMs are `type file` plugins over FIFOs the sim serves; see
`render_asoundrc` for why they are built the way they are.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import math
import os
import pathlib
import sys
from array import array

log = logging.getLogger(__name__)

RATE = 8000
FRAME_SAMPLES = 160                      # 20 ms
FRAME_BYTES = FRAME_SAMPLES * 2
SILENCE = bytes(FRAME_BYTES)
F_SETPIPE_SZ = 1031                      # fcntl.F_SETPIPE_SZ on Linux (3.10+)
PIPE_BYTES = 4096                        # smallest pipe: at most 256 ms queued

DTMF_FREQS = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}
DTMF_TONE_S = 0.070
DTMF_GAP_S = 0.070
DTMF_LEVEL = 10 ** (-10 / 20) * 32767    # -10 dBFS per tone


def _samples(pcm: bytes) -> array:
    values = array("h")
    values.frombytes(pcm[: len(pcm) // 2 * 2])
    if sys.byteorder == "big":
        values.byteswap()
    return values


def _pcm(values: array) -> bytes:
    if sys.byteorder == "big":
        values = array("h", values)
        values.byteswap()
    return values.tobytes()


def tone(freqs: tuple[float, ...], seconds: float, level: float = DTMF_LEVEL) -> bytes:
    """Gives S16LE samples of the sum of sine tones, each at `level` peak."""
    count = int(RATE * seconds)
    values = array("h", (
        max(-32768, min(32767, int(sum(level * math.sin(2 * math.pi * f * n / RATE)
                                          for f in freqs))))
        for n in range(count)))
    return _pcm(values)


def dtmf(digits: str, every: float = DTMF_TONE_S + DTMF_GAP_S) -> bytes:
    """Gives in-band DTMF for `digits`: a 70 ms tone each, one key every `every` seconds."""
    gap = bytes(int(RATE * max(0.0, every - DTMF_TONE_S)) * 2)
    return b"".join(tone(DTMF_FREQS[d], DTMF_TONE_S) + gap for d in digits.upper())


def mix(first: bytes, second: bytes) -> bytes:
    """Gives the saturating sum of two equally long PCM blocks."""
    a, b = _samples(first), _samples(second)
    return _pcm(array("h", (max(-32768, min(32767, x + y)) for x, y in zip(a, b))))


def tone_level(pcm: bytes, freq: float) -> float:
    """Gives the amplitude of `freq` in `pcm` (Goertzel), comparable to a sine's peak."""
    values = _samples(pcm)
    if not values:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * freq / RATE)
    prev = prev2 = 0.0
    for value in values:
        prev, prev2 = value + coeff * prev - prev2, prev
    power = prev * prev + prev2 * prev2 - coeff * prev * prev2
    return 2 * math.sqrt(max(power, 0.0)) / len(values)


def rms(pcm: bytes) -> float:
    """Gives the RMS level of S16LE samples."""
    values = _samples(pcm)
    return math.sqrt(sum(v * v for v in values) / len(values)) if values else 0.0


class AlsaEndpoint:
    """The sim's ends of one modem's two FIFOs behind its ALSA PCM.

    Capture (network -> daemon): the sim always holds a writer, so the file
    plugin's blocking open(O_RDONLY) returns at once. This matters: pyalsaaudio
    opens PCMs without releasing the GIL, so an open waiting for a writer in
    this very process would never see one. Without a reader the writes fail
    with EPIPE and the frame is dropped; stale frames are drained then.
    Playback (daemon -> network): the sim holds the FIFO open read-write, so
    the plugin's open(O_WRONLY) never blocks and its writes never fail, and the
    sim reads everything each tick so a daemon closing a PCM never waits.
    """

    def __init__(self, capture: pathlib.Path, playback: pathlib.Path):
        self.capture_path = capture
        self.playback_path = playback
        self._writer = -1
        self._reader = -1
        self._had_reader = False
        self._pending = bytearray()

    def create(self) -> None:
        for path in (self.capture_path, self.playback_path):
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                os.mkfifo(path, 0o600)

    def open(self) -> None:
        if self._writer >= 0:
            return
        self.create()
        keeper = os.open(self.capture_path, os.O_RDWR | os.O_NONBLOCK)
        try:
            self._writer = os.open(self.capture_path, os.O_WRONLY | os.O_NONBLOCK)
        finally:
            os.close(keeper)
        self._reader = os.open(self.playback_path, os.O_RDWR | os.O_NONBLOCK)
        for fd in (self._writer, self._reader):
            try:
                fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
            except OSError as error:
                log.debug("pipe size left as is: %s", error)
        self._drain_capture()

    def close(self) -> None:
        for fd in (self._writer, self._reader):
            if fd >= 0:
                os.close(fd)
        self._writer = self._reader = -1

    def feed(self, frame: bytes) -> None:
        """Offers one frame to the daemon's capture; dropped if nobody reads."""
        if self._writer < 0:
            return
        try:
            os.write(self._writer, frame)
            self._had_reader = True
        except BlockingIOError:
            pass                       # daemon behind by a full pipe: drop the frame
        except BrokenPipeError:
            if self._had_reader:
                self._had_reader = False
                self._drain_capture()

    def _drain_capture(self) -> None:
        """Empties frames a closed reader left in the capture pipe."""
        try:
            fd = os.open(self.capture_path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            log.debug("capture drain skipped: %s", error)
            return
        try:
            while os.read(fd, 65536):
                pass
        except BlockingIOError:
            pass                       # pipe now empty
        finally:
            os.close(fd)

    def take(self) -> bytes | None:
        """Gives the next frame the daemon played, or None if none is complete."""
        if self._reader >= 0:
            while True:
                try:
                    chunk = os.read(self._reader, 65536)
                except BlockingIOError:
                    break
                except OSError as error:
                    if error.errno != errno.EINTR:
                        raise
                    continue
                if not chunk:
                    break
                self._pending += chunk
        if len(self._pending) > RATE * 2 * 5:
            log.warning("%s: daemon plays faster than real time; dropping",
                        self.playback_path.name)
            del self._pending[: len(self._pending) - RATE * 2]
        if len(self._pending) < FRAME_BYTES:
            return None
        frame = bytes(self._pending[:FRAME_BYTES])
        del self._pending[:FRAME_BYTES]
        return frame

    def discard(self) -> None:
        """Drops everything played so far (outside a call)."""
        self.take()
        self._pending.clear()


def _quote(path: pathlib.Path) -> str:
    text = str(path)
    if any(c in text for c in "\"\\\n"):
        raise ValueError(f"path not usable in an ALSA config: {text!r}")
    return f'"{text}"'


def render_asoundrc(pcms: dict[str, AlsaEndpoint]) -> str:
    """Gives the ALSA config defining one `type asym` PCM per modem.

    Capture and playback are separate `file` plugins over the `null` PCM:
    a file plugin's output also receives captured data, so one plugin for
    both directions would echo the capture into the playback FIFO. Capture
    is paced by the sim writing the FIFO in real time; playback into `null`
    is not paced, so a daemon should write one frame per frame it reads.
    """
    blocks = ["# Generated by the callbox virtual GSM network; rewritten when modems are added.\n"]
    for name, endpoint in sorted(pcms.items()):
        blocks.append(f"""pcm.{name} {{
    type asym
    capture.pcm {{
        type file
        slave.pcm "null"
        infile {_quote(endpoint.capture_path)}
        file "/dev/null"
        format "raw"
    }}
    playback.pcm {{
        type file
        slave.pcm "null"
        file {_quote(endpoint.playback_path)}
        format "raw"
    }}
    hint.description "callbox virtual modem {name}"
}}
""")
    return "\n".join(blocks)
