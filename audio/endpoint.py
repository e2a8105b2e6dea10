"""A modem's voice device: an ALSA PCM or a serial port carrying raw PCM, one 20 ms frame at a time.

    endpoint = open_endpoint("callbox_sim_x_m1")        # or "serial:/dev/ttyUSB2"
    frame = endpoint.read_frame()    # blocks until the device captured 20 ms
    endpoint.write_frame(frame)      # one frame for the far end
    endpoint.close()

The device's capture clock is the only clock: a caller writes one frame per
frame it reads (see `audio.port`). Reads never wait forever: a device that
stops delivering, delivers faster than real time (a closed capture FIFO reads
as an endless stream of instant frames) or reports an error raises
`AudioGone`. One thread reads and writes; `close()` belongs to that thread or
comes after it stopped.
"""
from __future__ import annotations

import logging
import select
import threading
import time

import alsaaudio
import serial

from audio.pcm import FRAME_BYTES, FRAME_S, FRAME_SAMPLES, RATE, SILENCE

log = logging.getLogger(__name__)

SERIAL_PREFIX = "serial:"
READ_TIMEOUT_S = 1.0
# A paced device may hand over a backlog at once (the ALSA buffer, a pipe of
# 256 ms); more frames ahead of real time than this means it is not paced.
PACE_SLACK_FRAMES = 25
# PCM states that mean the device is gone rather than a passing glitch.
_GONE_STATES = {alsaaudio.PCM_STATE_DISCONNECTED, alsaaudio.PCM_STATE_SUSPENDED}


class AudioGone(Exception):
    """The voice device vanished, stalled or failed; the endpoint is unusable."""


class Pacing:
    """Tells a device that delivers at real time from one that delivers at once.

    Counts how many frames the device is ahead of real time: each frame adds
    one, each 20 ms passed takes one (never below zero). A paced device may
    hand over a backlog of up to `slack` frames at once, never more.
    """

    def __init__(self, slack: int = PACE_SLACK_FRAMES, now=time.monotonic):
        self._now = now
        self._slack = slack
        self._ahead = 0.0
        self._last = now()

    def frame(self) -> bool:
        """Counts one frame; gives False when the device runs ahead of real time."""
        now = self._now()
        self._ahead = max(0.0, self._ahead - (now - self._last) / FRAME_S) + 1
        self._last = now
        return self._ahead <= self._slack + 1


class Endpoint:
    """One voice device: `read_frame`, `write_frame`, `close`. Counters for health pages."""

    spec: str = ""

    def __init__(self) -> None:
        self.frames_read = 0
        self.frames_written = 0
        self.overruns = 0          # capture lost data (recovered)
        self.underruns = 0         # playback ran dry (recovered)
        self.closed = False

    def read_frame(self) -> bytes:
        raise NotImplementedError

    def write_frame(self, frame: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "Endpoint":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"


class AlsaEndpoint(Endpoint):
    """An ALSA PCM opened for capture (blocking) and playback, both 8 kHz mono S16LE.

    Playback asks for the smallest buffer the device allows (one period,
    rounded up by ALSA to the device's minimum) and starts with one period
    of silence in it: writing one frame per frame read then keeps it at that
    fill, a period of slack against a late audio thread. The small buffer
    matters where ALSA's `file` plugin carries playback (the virtual
    network): it holds back a whole buffer before passing data on.
    """

    def __init__(self, device: str, timeout: float = READ_TIMEOUT_S, playback_periods: int = 1,
                 prefill_frames: int = 1):
        super().__init__()
        self.spec = device
        self.timeout = timeout
        self._pending = bytearray()
        self._pacing = Pacing()
        self._capture = self._open(alsaaudio.PCM_CAPTURE, periods=4)
        try:
            self._playback = self._open(alsaaudio.PCM_PLAYBACK, periods=playback_periods)
            for _ in range(prefill_frames):
                self._playback.write(SILENCE)
        except (AudioGone, alsaaudio.ALSAAudioError) as error:
            self._capture.close()
            raise AudioGone(f"{device}: playback unusable: {error}") from error
        self._poller = select.poll()
        for fd, events in self._capture.polldescriptors():
            self._poller.register(fd, events)

    def _open(self, kind, periods: int) -> alsaaudio.PCM:
        try:
            pcm = alsaaudio.PCM(kind, mode=alsaaudio.PCM_NORMAL, device=self.spec, channels=1,
                                rate=RATE, format=alsaaudio.PCM_FORMAT_S16_LE,
                                periodsize=FRAME_SAMPLES, periods=periods)
        except alsaaudio.ALSAAudioError as error:
            raise AudioGone(f"{self.spec}: cannot open: {error}") from error
        info = pcm.info()
        got = (info["rate"], info["channels"], info["format"], info["period_size"])
        if got != (RATE, 1, alsaaudio.PCM_FORMAT_S16_LE, FRAME_SAMPLES):
            pcm.close()
            raise AudioGone(f"{self.spec}: device gives {info['rate']} Hz, {info['channels']} "
                            f"channel(s), {info['format_name']}, {info['period_size']}-frame "
                            f"periods; need {RATE} Hz mono S16_LE in {FRAME_SAMPLES}-frame periods")
        return pcm

    def read_frame(self) -> bytes:
        deadline = time.monotonic() + self.timeout
        while len(self._pending) < FRAME_BYTES:
            self._wait_readable(deadline)
            try:
                length, data = self._capture.read()
            except alsaaudio.ALSAAudioError as error:
                raise AudioGone(f"{self.spec}: capture failed: {error}") from error
            if length < 0:
                # pyalsaaudio gives -EPIPE after an overrun and has re-prepared the PCM
                self.overruns += 1
                log.debug("%s: capture overrun %d", self.spec, self.overruns)
            elif length:
                self._pending += data
            elif time.monotonic() > deadline:
                raise AudioGone(f"{self.spec}: no audio for {self.timeout:.1f} s")
        frame = bytes(self._pending[:FRAME_BYTES])
        del self._pending[:FRAME_BYTES]
        self.frames_read += 1
        if not self._pacing.frame():
            raise AudioGone(f"{self.spec}: capture runs faster than real time (device closed?)")
        return frame

    def _wait_readable(self, deadline: float) -> None:
        """Waits for the running capture to have data, so a stalled device cannot block us.

        Before the first read the PCM is only prepared (no poll event would
        come): the blocking read starts it.
        """
        try:
            state = self._capture.state()
        except alsaaudio.ALSAAudioError as error:
            raise AudioGone(f"{self.spec}: {error}") from error
        if state in _GONE_STATES:
            raise AudioGone(f"{self.spec}: device disconnected")
        if state != alsaaudio.PCM_STATE_RUNNING:
            return
        left = deadline - time.monotonic()
        if left <= 0 or not self._poller.poll(left * 1000):
            raise AudioGone(f"{self.spec}: no audio for {self.timeout:.1f} s")

    def write_frame(self, frame: bytes) -> None:
        try:
            self._playback.write(frame)
        except alsaaudio.ALSAAudioError as error:
            if "Broken pipe" not in str(error):
                raise AudioGone(f"{self.spec}: playback failed: {error}") from error
            self.underruns += 1       # pyalsaaudio re-prepares after EPIPE; the frame is lost
            return
        self.frames_written += 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for pcm in (self._capture, self._playback):
            try:
                pcm.close()
            except alsaaudio.ALSAAudioError as error:
                log.debug("%s: close: %s", self.spec, error)


class SerialEndpoint(Endpoint):
    """A serial port that carries raw 8 kHz S16LE mono both ways (Huawei's voice port).

    Such a modem sends voice only while a call is up. Outside one this
    endpoint keeps time itself: after `IDLE_AFTER_S` without data it gives a
    frame of silence every 20 ms, and drops what is written, so that nothing
    piles up in a port nobody drains.
    """

    IDLE_AFTER_S = 0.2       # longer than any hiccup of a live voice stream
    MAX_BACKLOG = 10 * FRAME_BYTES

    def __init__(self, path: str, timeout: float = READ_TIMEOUT_S):
        super().__init__()
        self.spec = SERIAL_PREFIX + path
        self.path = path
        self.timeout = timeout
        self.idle_frames = 0
        self._pending = bytearray()
        self._idle = True
        self._last = time.monotonic()
        self._lock = threading.Lock()
        try:
            self._port = serial.Serial(path, 115200, timeout=0, write_timeout=timeout)
        except (serial.SerialException, OSError) as error:
            raise AudioGone(f"{self.spec}: cannot open: {error}") from error

    def read_frame(self) -> bytes:
        while True:
            if len(self._pending) >= FRAME_BYTES:
                frame = bytes(self._pending[:FRAME_BYTES])
                del self._pending[:FRAME_BYTES]
                self._idle = False
                self._last = time.monotonic()
                self.frames_read += 1
                return frame
            now = time.monotonic()
            silence_due = self._last + (FRAME_S if self._idle else self.IDLE_AFTER_S)
            if now >= silence_due:
                self._idle = True
                self._last = max(silence_due, now - FRAME_S)
                self.idle_frames += 1
                return SILENCE
            self._receive(silence_due - now)

    def _receive(self, wait: float) -> None:
        try:
            ready = select.select([self._port.fileno()], [], [], wait)[0]
            if not ready:
                return
            data = self._port.read(max(1, self._port.in_waiting))
        except (serial.SerialException, OSError, ValueError, TypeError) as error:
            raise AudioGone(f"{self.spec}: read failed: {error}") from error
        self._pending += data
        if len(self._pending) > self.MAX_BACKLOG:
            excess = len(self._pending) - FRAME_BYTES
            del self._pending[:excess - excess % 2]
            self.overruns += 1
            log.debug("%s: %d bytes of backlog dropped", self.spec, excess)

    def write_frame(self, frame: bytes) -> None:
        if self._idle:
            return
        try:
            self._port.write(frame)
        except serial.SerialTimeoutException as error:
            raise AudioGone(f"{self.spec}: nobody takes playback for {self.timeout:.1f} s"
                            ) from error
        except (serial.SerialException, OSError, ValueError, TypeError) as error:
            raise AudioGone(f"{self.spec}: write failed: {error}") from error
        self.frames_written += 1

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
        try:
            self._port.close()
        except (serial.SerialException, OSError) as error:
            log.debug("%s: close: %s", self.spec, error)


def open_endpoint(spec: str, timeout: float = READ_TIMEOUT_S) -> Endpoint:
    """Gives an open endpoint for an ALSA PCM name or `serial:<path>`; AudioGone if unusable."""
    if spec.startswith(SERIAL_PREFIX):
        path = spec[len(SERIAL_PREFIX):]
        if not path:
            raise ValueError(f"no path in {spec!r}")
        return SerialEndpoint(path, timeout)
    if not spec:
        raise ValueError("empty audio device name")
    return AlsaEndpoint(spec, timeout)
