"""One modem's audio, kept moving by one thread: capture feeds listeners, and drives playback.

    port = AudioPort(open_endpoint(modem.audio), "m1")
    port.listen(detector_callback)          # called with every captured frame
    playback = port.play(frames(pcm))       # replaces what plays now
    playback.stop()                         # barge-in: silent from the next frame
    port.stop()                             # also closes the endpoint

The thread `<name>-audio` reads a captured frame, writes one playback frame,
then hands the captured frame to the listeners. With voice settings
(audio/voice.py) what it captured is cleaned first (echo of what it sent to
the modem the period before, noise, rx gain) and what it plays gets the tx
gain: the listeners and the bridge only ever see the cleaned sound. Writing one frame per frame
read keeps playback on the device's capture clock: nothing else paces it
(the virtual network's playback is not paced at all; on hardware it keeps
the playback buffer at a constant fill). What plays is, in order: the
current `Playback` (a prompt, a tone), else the source a bridge set, else
silence. When the thread was held up, frames read too late for their period
get no playback frame (see `CaptureClock` and `AudioPort._play_one`): a stall
costs a moment of silence, never a lasting delay; prompts lose no frame.

Other threads never wait for the audio thread: `play`, `stop` of a playback,
`listen` and `set_source` only swap references.
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from audio.endpoint import AudioGone, Endpoint
from audio.pcm import FRAME_S, SILENCE, fit_frame, mix
from audio.tally import FrameTally
from audio.voice import VoiceProcessor, VoiceSettings

log = logging.getLogger(__name__)

Listener = Callable[[bytes], None]
Source = Callable[[], "bytes | None"]
JOIN_TIMEOUT_S = 2.0
LATE_LOG_SIZE = 100             # the newest late frames kept, with where their time went


class LateFrame(NamedTuple):
    """A frame read a period or more late, and where the time went (seconds).

    `waited_s` long: the read waited that long for the frame (the device gave
    it late, or the whole process did not run); `away_s` long: the thread was
    busy elsewhere that long before the read (the previous frame's own work,
    a listener, the GIL, a GC pause)."""

    at: float                   # time.monotonic() when the frame was read
    waited_s: float             # in the read
    away_s: float               # between the previous read and this one


class Playback:
    """Frames being played on a port; `done` is set when they ended, were stopped or replaced."""

    def __init__(self, frames: Iterable[bytes], mix_with_source: bool = False):
        self._frames: Iterator[bytes] = iter(frames)
        self.mix_with_source = mix_with_source
        self.done = threading.Event()
        self.frames_played = 0
        self.how_ended: str | None = None      # "finished", "stopped", "replaced", "port stopped"
        self._stop_requested = False

    def stop(self) -> None:
        """Ends the playback; the port plays something else from its next frame."""
        self._stop_requested = True

    def wait(self, timeout: float | None = None) -> bool:
        """Gives True once the playback ended, False if `timeout` passed first."""
        return self.done.wait(timeout)

    @property
    def stopped_early(self) -> bool:
        return self.how_ended in ("stopped", "replaced", "port stopped")

    def _next(self) -> bytes | None:
        """Gives the next frame, or None when the playback is over (called by the audio thread)."""
        if self._stop_requested:
            self._end("stopped")
            return None
        try:
            frame = next(self._frames)
        except StopIteration:
            self._end("finished")
            return None
        except Exception:
            log.exception("playback source failed")
            self._end("failed")
            return None
        self.frames_played += 1
        return fit_frame(frame)

    def _end(self, how: str) -> None:
        self._stop_requested = True
        if self.how_ended is None:
            self.how_ended = how
        self.done.set()

    def __repr__(self) -> str:
        return f"<Playback {self.frames_played} frames {self.how_ended or 'playing'}>"


class CaptureClock:
    """Tells whether a captured frame was read in time for its playback frame to be played.

    A device plays the frame written for capture frame k in its next period.
    If our thread was held up (GIL, GC, a slow listener), frames pile up in
    the capture buffer and are read at once afterwards; the periods that
    passed meanwhile played silence, and writing every late frame now would
    leave each of them queued behind the others: a delay that never goes away.
    So a frame read a whole period or more after it arrived gets no playback.

    Arrival times come from the capture clock's phase: the earliest that
    frame k could have been read is phase + k periods. The phase follows the
    earliest reads, creeping later by CREEP per frame so a device clock slower
    than ours is followed too. A read that had to wait for its frame got it
    fresh; if the count calls several fresh frames in a row late, frames were
    lost upstream, and the phase starts again from the last of them.
    """

    CREEP = 0.001
    FRESH_WAIT_S = FRAME_S / 4
    LOST_AFTER = 3          # fresh frames in a row that the count calls late

    def __init__(self) -> None:
        self._phase: float | None = None
        self._count = 0
        self._fresh_but_late = 0

    def in_time(self, read_started: float, read_ended: float) -> bool:
        """Counts one frame read between the two times; gives False when it came a period late."""
        arrival = read_ended - self._count * FRAME_S
        self._count += 1
        if self._phase is None:
            self._phase = arrival
        fresh = read_ended - read_started >= self.FRESH_WAIT_S
        if fresh and arrival - self._phase > FRAME_S / 2:
            # one such frame is a late device tick (a burst follows); several are lost frames
            self._fresh_but_late += 1
            if self._fresh_but_late >= self.LOST_AFTER:
                self._phase = arrival
        else:
            self._fresh_but_late = 0
        self._phase = min(self._phase + self.CREEP * FRAME_S, arrival)
        return arrival - self._phase < FRAME_S


class AudioPort:
    """Runs one endpoint in its own daemon thread; see the module docstring."""

    def __init__(self, endpoint: Endpoint, name: str,
                 on_failure: Callable[["AudioPort"], None] | None = None,
                 voice: VoiceSettings | None = None, tally: FrameTally | None = None):
        """`tally` also counts this port's late frames (the box's metrics)."""
        self.endpoint = endpoint
        self._tally = tally
        self.name = name
        # built here, not in the thread: a missing libspeexdsp is the caller's error
        self.voice = VoiceProcessor(voice) if voice is not None and not voice.plain else None
        self._sent = SILENCE            # the last frame written: the echo's reference
        self.error: BaseException | None = None
        self.frames = 0
        self.listener_errors = 0
        self.late_frames = 0            # captured a period or more late (the thread was held up)
        self.late_log: collections.deque[LateFrame] = collections.deque(maxlen=LATE_LOG_SIZE)
        self.skipped_frames = 0         # playback frames not written, to keep the delay down
        self._owed = 0                  # periods of delay added by late prompt frames
        self.cpu_seconds = 0.0          # CPU time of the audio thread so far
        self.stopped = threading.Event()
        self._on_failure = on_failure
        self._listeners: tuple[Listener, ...] = ()
        self._listeners_lock = threading.Lock()
        self._playback: Playback | None = None
        self._playback_lock = threading.Lock()     # swapping `_playback`, never held while waiting
        self._source: Source | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{name}-audio", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        state = "failed" if self.failed else "stopped" if self.stopped.is_set() else "running"
        return f"<AudioPort {self.name} {self.endpoint.spec} {state}>"

    @property
    def failed(self) -> bool:
        """True once the device failed and the thread ended (see `error`)."""
        return self.error is not None

    @property
    def running(self) -> bool:
        return not self.stopped.is_set()

    # -- what other threads call ------------------------------------------------------
    def listen(self, listener: Listener) -> None:
        """Adds a callback for every captured frame; it runs in the audio thread: keep it cheap."""
        with self._listeners_lock:
            self._listeners = self._listeners + (listener,)

    def unlisten(self, listener: Listener) -> None:
        """Removes a listener added before; unknown listeners are ignored."""
        with self._listeners_lock:
            self._listeners = tuple(item for item in self._listeners if item != listener)

    def play(self, frames: Iterable[bytes], mix_with_source: bool = False) -> Playback:
        """Plays `frames` (320 bytes each) from the next frame on, replacing what plays now.

        With `mix_with_source` the frames are mixed into what the bridge
        brings instead of replacing it (a warning beep during a call).
        """
        playback = Playback(frames, mix_with_source)
        with self._playback_lock:
            previous, self._playback = self._playback, playback
        if previous is not None:
            previous._end("replaced")
        if self.stopped.is_set():
            playback._end("port stopped")
        return playback

    def silence(self) -> None:
        """Stops the current playback, if any."""
        playback = self._playback
        if playback is not None:
            playback.stop()

    def set_source(self, source: Source | None) -> None:
        """Makes `source()` give the frame to play when no playback runs (None: silence)."""
        self._source = source

    def stop(self) -> None:
        """Stops the thread and closes the endpoint; safe to call twice and from any thread."""
        self._stopping.set()
        if self._thread is not threading.current_thread():
            self._thread.join(JOIN_TIMEOUT_S)
            if self._thread.is_alive():
                log.warning("%s: audio thread still blocked on %s after %.0f s", self.name,
                            self.endpoint.spec, JOIN_TIMEOUT_S)

    # -- the audio thread ----------------------------------------------------------------
    def _run(self) -> None:
        cpu_start = time.thread_time()
        clock = CaptureClock()
        read_ended = time.monotonic()
        try:
            while not self._stopping.is_set():
                read_started = time.monotonic()
                captured = self.endpoint.read_frame()
                if self.voice is not None:
                    captured = self.voice.captured(captured, self._sent)
                away_s, read_ended = read_started - read_ended, time.monotonic()
                in_time = clock.in_time(read_started, read_ended)
                if not in_time:
                    self.late_log.append(
                        LateFrame(read_ended, read_ended - read_started, away_s))
                self._play_one(in_time)
                self.frames += 1
                for listener in self._listeners:
                    self._call(listener, captured)
                self.cpu_seconds = time.thread_time() - cpu_start
        except AudioGone as error:
            self.error = error
            log.warning("%s: audio device gone: %s", self.name, error)
        except Exception as error:
            self.error = error
            log.exception("%s: audio thread failed", self.name)
        finally:
            self._finish()

    def _play_one(self, in_time: bool) -> None:
        """Writes the playback frame for one captured frame, unless that would add delay.

        A frame captured too late for its period means the device played
        silence meanwhile; writing it now would add a period of delay. A
        prompt's frames are written anyway (a prompt must not lose pieces)
        and the delay so added is owed: paid back by skipping frames of the
        bridge or of silence once no prompt plays.
        """
        output, from_playback = self._next_output()
        self._sent = SILENCE            # unless written below: the modem played nothing new
        if not in_time:
            self.late_frames += 1
            if self._tally is not None:
                self._tally.add(late=1)
        if from_playback:
            if not in_time:
                self._owed += 1
        elif not in_time:
            self.skipped_frames += 1
            return
        elif self._owed:
            self._owed -= 1
            self.skipped_frames += 1
            return
        if self.voice is not None:
            output = self.voice.to_play(output)
            self._sent = output
        self.endpoint.write_frame(output)

    def _next_output(self) -> tuple[bytes, bool]:
        """Gives the frame to play now, and whether it comes from a playback."""
        source = self._source
        from_source = source() if source is not None else None
        playback = self._playback
        if playback is not None:
            frame = playback._next()
            if frame is not None:
                if playback.mix_with_source and from_source is not None:
                    return mix(frame, from_source), True
                return frame, True
            with self._playback_lock:
                if self._playback is playback:
                    self._playback = None
        return (from_source if from_source is not None else SILENCE), False

    def _call(self, listener: Listener, frame: bytes) -> None:
        try:
            listener(frame)
        except Exception:
            self.listener_errors += 1
            if self.listener_errors <= 3:
                log.exception("%s: audio listener %r failed", self.name, listener)

    def _finish(self) -> None:
        with self._playback_lock:
            playback, self._playback = self._playback, None
        if playback is not None:
            playback._end("port stopped")
        try:
            self.endpoint.close()
        except Exception:
            log.exception("%s: closing %s failed", self.name, self.endpoint.spec)
        if self.voice is not None:
            self.voice.close()
        self.stopped.set()
        if self.error is not None and self._on_failure is not None:
            try:
                self._on_failure(self)
            except Exception:
                log.exception("%s: failure callback failed", self.name)
