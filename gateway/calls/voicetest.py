"""The voice test: one call on a named modem that measures the line, in its own thread.

    tests = VoiceTests(calls, speech)                # the daemon's one
    refusal = tests.start("m1", "+4917...", report)  # None: thread voicetest-m1 runs it

The test borrows the modem from the pool as a session does (never one that is
in a call or lent) and gives it back at the end, whatever happened. Its call,
told as the owner follows it in `report.progress` lines:

    calling -> answered -> the introduction ("please stay quiet") -> a quiet
    stretch (noise floor) -> the test signal (delay, echo) -> "after the tone,
    say a sentence, then press 1, 2, 3" -> the tone -> listening (speech level,
    keys in-band and reported by the modem) -> "thank you" -> hang up

It speaks the box's language ([callback] language), never a caller's: the
test is the owner's tool, calling the owner's own phone.

The port is opened without the modem's voice processing: the test measures
the line as it is, and runs the box's echo canceller over the recording
afterwards (audio/voicetest.py). Waits are on one queue that the modem's
events, the keys heard in-band and a tick per captured frame all reach, so
the thread wakes on what happens, never on a timer.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Protocol

from audio import tones
from audio.dtmf import DtmfDetector
from audio.endpoint import AudioGone, open_endpoint
from audio.pcm import FRAME_S
from audio.port import AudioPort
from audio.speexdsp import SpeexUnavailable
from audio.voicetest import Figures, Marks, Recording, measure, measured_signal
from gateway.store.db import close_database
from modems.errors import ModemError
from modems.events import CallState, CallStateChanged, DtmfReceived, ModemDown
from modems.numbers import InvalidNumber

log = logging.getLogger(__name__)

ANSWER_TIMEOUT = 40.0       # seconds the far end may let it ring
QUIET_S = 0.6               # the quiet stretch before the test signal
ECHO_TAIL_S = 0.2           # a pause after the signal (its echo is measured later)
LISTEN_S = 20.0             # the longest wait for the sentence and the keys
AFTER_KEYS_S = 1.0          # once 1 2 3 came one way, how long the other way may take
HANGUP_WAIT = 3.0           # seconds for the modem to confirm the end of the call
KEYS = "123"
STOP = object()             # on a test's queue: the box is stopping
_TICK = object()            # on a test's queue: a frame was captured


class Report(Protocol):
    """Where a voice test tells how it goes (gateway/care/voicetests.py has the real one).
    Both are called on the test's own thread."""

    def progress(self, line: str) -> None:
        """One step of the test, in plain words."""

    def finished(self, figures: Figures | None, error: str) -> None:
        """The figures, or why there are none; called once, at the end."""


class Lender(Protocol):
    """The call service as a voice test sees it (gateway/calls/service.py CallService)."""

    config: object              # gateway.config.Config: the modems and their roles

    def acquire(self, role: str, owner, exclude=()) -> object | None:
        """Lends a free modem of `role` (not one in `exclude`), its events going to
        `owner.deliver`; None when none is free."""

    def release(self, modem: str, owner) -> None: ...

    def audio_spec(self, modem: str) -> str: ...

    def voice_settings(self, modem: str): ...


class TestFailed(Exception):
    """The test cannot go on; str() says why in plain words."""


class HungUp(TestFailed):
    """The far end ended the call; `cause` says how, in words."""

    def __init__(self, cause: str):
        super().__init__(f"the call ended ({cause})")
        self.cause = cause


class VoiceTest:
    """One voice test (see the module docstring); `run` is its thread's body."""

    def __init__(self, calls: Lender, speech, modem: str, number: str, report: Report,
                 answer_timeout: float = ANSWER_TIMEOUT):
        self.calls, self.speech, self.modem, self.number = calls, speech, modem, number
        self.report = report
        self.answer_timeout = answer_timeout
        self.events: queue.Queue = queue.Queue()
        self.recording = Recording()
        self._detector = DtmfDetector()
        self.keys_in_band: list[tuple[str, int]] = []   # key, start sample
        self.keys_reported: list[tuple[str, int]] = []  # key, frame
        self._driver = None
        self._call_id: int | None = None
        self._ended = False
        self._port: AudioPort | None = None
        self._skipped = 0

    # -- from other threads ----------------------------------------------------------------
    def deliver(self, event) -> None:
        """Takes one of the modem's events (on a pool thread) or STOP."""
        self.events.put(event)

    def _hear(self, frame: bytes) -> None:
        # the port's audio thread: keep the frame, look for keys, wake the test
        skipped = self._port.skipped_frames
        if skipped != self._skipped:        # this period's frame was not written
            self._skipped = skipped
            self.recording.not_sent()
        self.recording.hear(frame)
        for press in self._detector.feed_presses(frame):
            self.events.put(("in-band", press.key, press.start))
        self.events.put(_TICK)

    # -- the test ----------------------------------------------------------------------------
    def run(self) -> None:
        figures, error = None, ""
        try:
            figures = self._test()
        except TestFailed as failure:
            error = str(failure)
        except Exception:
            log.exception("%s: the voice test to %s failed", self.modem, self.number)
            error = "the test failed on the box (its log says why)"
        finally:
            self._end_call()
        if error:
            self.report.progress(f"stopped: {error}")
        log.info("%s: voice test to %s %s", self.modem, self.number,
                 f"failed: {error}" if error else "done")
        self.report.finished(figures, error)

    def _test(self) -> Figures:
        self._driver = self._borrow()
        self._dial()
        self._open_port()
        settings = self.calls.voice_settings(self.modem)
        self.report.progress("saying what the test does")
        self._say(self.speech.say("voicetest_intro"))
        quiet = self.recording.mark
        self._wait_frames(QUIET_S, "measuring the noise floor (a quiet stretch)")
        self.report.progress("playing the test signal")
        signal = self._play(measured_signal(), as_voice=True)
        self._wait_frames(ECHO_TAIL_S)
        self.report.progress("asking for a sentence and the keys 1 2 3")
        self._say(self.speech.say("voicetest_speak"))
        sentence = self._play(tones.tone(1000.0, 0.4))[1]
        self.report.progress("listening")
        try:
            self._listen()
        except HungUp:
            self.report.progress("the far end hung up: the figures are of what came before")
        end = self.recording.mark
        if not self._ended:
            self._say(self.speech.say("voicetest_done"), ended_ok=True)
        self._end_call()
        self.report.progress("measuring")
        marks = Marks(quiet=quiet, signal=signal[0], signal_end=signal[1], sentence=sentence,
                      end=end, key_frames=tuple(frame for _, frame in self.keys_reported))
        return measure(self.recording, marks, settings.echo_tail_ms,
                       keys_in_band=[key for key, _ in self.keys_in_band],
                       keys_reported=[key for key, _ in self.keys_reported],
                       key_starts=[start for _, start in self.keys_in_band],
                       echo_cancel=settings.echo_cancel)

    def _borrow(self):
        """Borrows the modem from the pool as a session does: by one of its roles, every
        other modem left out (so the pool's own checks hold: up, registered, free, its
        SIM under its limits)."""
        modems = self.calls.config.modems
        roles = next((sorted(modem.roles) for modem in modems if modem.name == self.modem), [])
        others = [modem.name for modem in modems if modem.name != self.modem]
        driver = self.calls.acquire(roles[0], self, exclude=others) if roles else None
        if driver is None:
            raise TestFailed(f"{self.modem} is not free: it is in a call or lent to a "
                             "session, not registered, or its SIM is at a limit")
        return driver

    def _dial(self) -> None:
        self.report.progress(f"calling {self.number} from {self.modem}")
        started = time.monotonic()
        try:
            self._call_id = self._driver.dial(self.number)
        except (ModemError, InvalidNumber) as error:
            raise TestFailed(f"the call could not be placed: {error}") from None
        told_ringing = False
        while True:
            try:
                event = self._next(started + self.answer_timeout - time.monotonic())
            except HungUp as ended:
                raise TestFailed(f"the call was not answered ({ended.cause})") from None
            if event is None:
                raise TestFailed(f"no answer within {self.answer_timeout:.0f} s")
            if isinstance(event, CallStateChanged) and event.call_id == self._call_id:
                if event.state is CallState.ALERTING and not told_ringing:
                    told_ringing = True
                    self.report.progress("ringing")
                elif event.state is CallState.ACTIVE:
                    break
        self.report.progress(f"answered after {time.monotonic() - started:.0f} s")

    def _open_port(self) -> None:
        try:
            self._port = AudioPort(open_endpoint(self.calls.audio_spec(self.modem)),
                                   self.modem)
        except (AudioGone, OSError, ValueError, SpeexUnavailable) as error:
            raise TestFailed(f"the modem's audio cannot be opened: {error}") from None
        self._port.listen(self._hear)
        if not self._wait_until(lambda: self.recording.mark >= 2, 3.0):
            raise TestFailed("no sound comes from the modem's audio port")

    # -- waiting -------------------------------------------------------------------------
    def _next(self, timeout: float):
        """Gives the next event within `timeout` (None after it), keeping the keys; raises
        HungUp when the call ended and TestFailed when the box stops or the modem goes."""
        try:
            event = self.events.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if event is STOP:
            self.events.put(STOP)
            raise TestFailed("the box is stopping")
        if isinstance(event, tuple):
            self.keys_in_band.append((event[1], event[2]))
        elif isinstance(event, DtmfReceived) and event.source != "audio":
            self.keys_reported.append((event.digit, self.recording.mark))
        elif isinstance(event, ModemDown):
            self._ended = True
            raise TestFailed(f"{self.modem} went down: {event.reason}")
        elif (isinstance(event, CallStateChanged) and event.call_id == self._call_id
              and event.state is CallState.ENDED):
            self._ended = True
            cause = event.cause.value if event.cause else "normal"
            raise HungUp(cause)
        return event

    def _wait_until(self, done, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._next(left)
        return True

    def _wait_frames(self, seconds: float, line: str = "") -> None:
        if line:
            self.report.progress(line)
        target = self.recording.mark + round(seconds / FRAME_S)
        if not self._wait_until(lambda: self.recording.mark >= target, seconds + 3.0):
            raise TestFailed("the modem's audio stopped")

    def _play(self, pcm: bytes, as_voice: bool = False) -> tuple[int, int]:
        """Plays `pcm` to its end; gives the frames it was played between. A prompt loses
        no frame (a late one is written late); `as_voice` plays it as a bridge plays a
        voice: a frame too late for its period is dropped, so the delay stays put while
        the signal is measured (audio/port.py)."""
        span: list[int] = []
        pulled = self.recording.sent_frames(pcm, span)
        if as_voice:
            done = threading.Event()

            def source() -> bytes | None:
                frame = next(pulled, None)
                if frame is None:
                    done.set()
                return frame
            self._port.set_source(source)
        else:
            playback = self._port.play(pulled)
            done = playback.done
        try:
            if not self._wait_until(done.is_set, len(pcm) / 16000 + 3.0):
                raise TestFailed("the modem's audio stopped")
        finally:
            if as_voice:
                self._port.set_source(None)
            else:
                playback.stop()
        return (span[0], span[1]) if span else (self.recording.mark, self.recording.mark)

    def _say(self, pcm: bytes, ended_ok: bool = False) -> None:
        try:
            self._play(pcm)
        except HungUp:
            if not ended_ok:
                raise

    def _listen(self) -> None:
        """Listens until 1 2 3 came both ways (or one way and AFTER_KEYS_S more), or LISTEN_S."""
        deadline = time.monotonic() + LISTEN_S

        def complete(keys) -> bool:
            return KEYS in "".join(key for key, _ in keys)

        while not (complete(self.keys_in_band) and complete(self.keys_reported)):
            if complete(self.keys_in_band) or complete(self.keys_reported):
                deadline = min(deadline, time.monotonic() + AFTER_KEYS_S)
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._next(left)

    def _end_call(self) -> None:
        """Hangs up (if the call is still up), closes the port, gives the modem back."""
        if self._port is not None:
            self._port.stop()
            self._port = None
        if self._driver is None:
            return
        driver, self._driver = self._driver, None
        if self._call_id is not None and not self._ended:
            try:
                driver.hangup(self._call_id)
                self._wait_until(lambda: False, HANGUP_WAIT)   # until the end is confirmed
            except ModemError as error:
                log.warning("%s: hanging up the voice test failed: %s", self.modem, error)
            except TestFailed:
                pass        # the end confirmed (HungUp), or the box stopping: ended either way
            self._ended = True
            self.report.progress("hung up")
        self.calls.release(self.modem, self)


class VoiceTests:
    """The daemon's voice tests: at most one per modem, each in its own thread."""

    def __init__(self, calls: Lender, speech, answer_timeout: float = ANSWER_TIMEOUT):
        self.calls, self.speech, self.answer_timeout = calls, speech, answer_timeout
        self._running: dict[str, tuple[VoiceTest, threading.Thread]] = {}
        self._lock = threading.Lock()
        self._stopping = False

    def start(self, modem: str, number: str, report: Report) -> str | None:
        """Starts a voice test; gives why it cannot start, or None."""
        test = VoiceTest(self.calls, self.speech, modem, number, report, self.answer_timeout)
        with self._lock:
            if self._stopping:
                return "the box is stopping"
            if modem in self._running and self._running[modem][1].is_alive():
                return f"a voice test on {modem} runs already"
            thread = threading.Thread(target=self._run, args=(test,), daemon=True,
                                      name=f"voicetest-{modem}")
            self._running[modem] = (test, thread)
        thread.start()
        return None

    def _run(self, test: VoiceTest) -> None:
        try:
            test.run()
        finally:
            close_database()        # the report wrote through this thread's connection
            with self._lock:
                if self._running.get(test.modem, (None,))[0] is test:
                    del self._running[test.modem]

    def stop(self, timeout: float = 10.0) -> None:
        """Ends running tests (their calls hung up, modems given back); safe twice."""
        with self._lock:
            self._stopping = True
            running = list(self._running.values())
        for test, _ in running:
            test.deliver(STOP)
        for _, thread in running:
            thread.join(timeout)
