"""One session's plumbing: its legs, its event queue, prompts, keys, bridge, bill.

A flow is straight-line code on the session's own thread. It waits on the
session's queue, fed by the call service (modem events of the modems the
session holds) and by the audio threads (keys heard in-band). When leg A (the
user) ends, the next wait raises `Hangup`; `close()` in the flow's `finally`
hangs up what is left, gives the modems back and settles the bill.
`Session` and `Leg` are the real `CallSession` and `CallLeg` of seams.py.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
import queue
import time
from typing import Callable

from audio import tones
from audio.bridge import Bridge
from audio.dtmf import DtmfDetector
from audio.endpoint import AudioGone, open_endpoint
from audio.player import frames
from audio.port import AudioPort
from audio.speexdsp import SpeexUnavailable
from gateway.calls.flows.seams import CreditExhausted, Hangup, LegFailed, NoFreeModem
from gateway.calls.timeline import masked
from modems.errors import ModemError
from modems.events import CallState, CallStateChanged, DtmfReceived, EndCause, ModemEvent

log = logging.getLogger(__name__)
# the flows' exceptions live at the seam (seams.py); named here too for the service
__all__ = ["STOP", "CreditExhausted", "Hangup", "KeyMerger", "Leg", "LegFailed", "NoFreeModem",
           "Session"]

STOP = object()           # put on a session's queue: the box is shutting down
MATCH_WINDOW = 0.5        # seconds in which a modem key and an in-band key are one press
PLAYBACK_POLL_S = 0.02    # seconds between two looks whether a prompt has been played


_STATE_WORDS = {CallState.ALERTING: "alerting", CallState.ACTIVE: "connected"}
_LIVE_WORDS = ("dialing", "alerting", "connected")


@dataclass
class Leg:
    role: str                  # callback | destination | trigger
    number: str                # E.164
    modem: str
    driver: object
    audio_spec: str
    call_id: int | None = None
    state: CallState = CallState.DIALING
    port: AudioPort | None = None
    started_at: float = 0.0    # Unix times
    answered_at: float | None = None
    ended_at: float | None = None
    cause: str = ""
    cdr_id: int | None = None  # its record, written when answered
    iccid: str | None = None   # the SIM it was placed on (its limits count the leg)
    rate: object = None        # gateway.money.billing.Rate found when answered (kept for outages)
    final_told: bool = False   # its last state was told to followers
    language: str | None = None    # what it hears; None: the session's (leg A's) language

    @property
    def final_word(self) -> str:
        """Gives the last state followers see: "ended", or why it was never answered."""
        if self.answered_at is not None or self.cause in ("", EndCause.NORMAL.value):
            return "ended"
        return self.cause

    @property
    def up(self) -> bool:
        return self.state is CallState.ACTIVE

    @property
    def talk_seconds(self) -> float:
        if self.answered_at is None:
            return 0.0
        return max(0.0, (self.ended_at or time.time()) - self.answered_at)


class KeyMerger:
    """Reports each key press once when the modem and the in-band detector both hear it.

    An accepted key absorbs at most one key of the same digit from the other
    source within MATCH_WINDOW; so '11' typed fast stays two keys."""

    def __init__(self):
        self._recent: list[list] = []      # [digit, source, time, absorbed]

    def accept(self, digit: str, source: str, at: float) -> bool:
        self._recent = [entry for entry in self._recent if at - entry[2] < 2 * MATCH_WINDOW]
        for entry in self._recent:
            if (entry[0] == digit and entry[1] != source and not entry[3]
                    and abs(at - entry[2]) < MATCH_WINDOW):
                entry[3] = True
                return False
        self._recent.append([digit, source, at, False])
        return True


class Session:
    """The legs and waits of one session; see the module docstring."""

    def __init__(self, service, kind: str, number: str):
        self.service = service
        self.kind = kind
        self.number = number
        self.events: queue.Queue = queue.Queue()
        self.legs: list[Leg] = []
        self.leg_a: Leg | None = None
        self.keys: list[str] = []
        self._merger = KeyMerger()
        self.credit_deadline: float | None = None    # monotonic; None: no limit yet
        self.language: str | None = None     # what the user hears; None: the box's
        # called as on_leg_state(leg, "dialing" | "alerting" | "connected" | "ended" | cause)
        self.on_leg_state = None
        self.outcome = None        # what a connect-two session reports when it ends
        self._closing = False
        self.db_id: int | None = None
        self._detector = DtmfDetector()
        self.requested_at = time.monotonic()    # when asked for (the service sets it)
        # the call's timeline (gateway/calls/timeline.py); while `secret_keys` holds (the
        # flow sets it: a PIN, keys to the other side) digits are stored masked
        self.timeline = getattr(service, "timeline", None)
        self.secret_keys = False

    # -- from other threads ------------------------------------------------------------

    def deliver(self, event: ModemEvent) -> None:
        self.events.put(event)

    def _heard_in_band(self, frame: bytes) -> None:
        # audio thread of leg A: cheap work only
        for key in self._detector.feed(frame):
            self.events.put(DtmfReceived(self.leg_a.modem, digit=key, source="audio"))

    # -- waiting -------------------------------------------------------------------------

    def clock(self) -> float:
        """Gives the monotonic time (s) the session's deadlines are on."""
        return time.monotonic()

    def next_event(self, timeout: float | None) -> ModemEvent | None:
        """Gives the next event (None after `timeout`), keeping legs and keys current.

        Raises Hangup once leg A has ended, CreditExhausted once its money has."""
        if self.credit_deadline is not None:
            left = self.credit_deadline - self.clock()
            if left <= 0:
                raise CreditExhausted()
            timeout = left if timeout is None else min(timeout, left)
        try:
            event = self.events.get(timeout=max(0.0, timeout) if timeout is not None else None)
        except queue.Empty:
            return None
        if event is STOP:
            if self._closing:
                return None              # ending the legs now: let their last states in
            self.events.put(STOP)        # every later wait ends too
            raise Hangup()
        if isinstance(event, CallStateChanged):
            self._call_changed(event)
        elif isinstance(event, DtmfReceived):
            if self.leg_a is not None and event.modem == self.leg_a.modem:
                self.service.meters.dtmf_keys.inc("in_band" if event.source == "audio"
                                                  else "urc")
            if self.leg_a is not None and event.modem == self.leg_a.modem and \
                    self._merger.accept(event.digit, event.source, event.at):
                # the key itself is not logged: it may be part of a PIN
                log.debug("session %s: key pressed (%s)", self.number, event.source)
                self.keys.append(event.digit)
                self._note("key", masked(event.digit) if self.secret_keys else event.digit)
        return event

    def _call_changed(self, event: CallStateChanged) -> None:
        leg = next((leg for leg in self.legs if leg.modem == event.modem
                    and leg.call_id == event.call_id and leg.ended_at is None), None)
        if leg is None:
            return
        if event.state is CallState.ACTIVE and leg.answered_at is None:
            leg.answered_at = time.time()
            self.service.leg_answered(self, leg)
        if event.state is CallState.ENDED:
            leg.ended_at = time.time()
            # a cause the box set when it hung up itself (no answer) wins over the modem's
            leg.cause = leg.cause or (event.cause.value if event.cause else "normal")
            self._close_port(leg)
            log.info("%s leg to %s on %s ended: %s after %.0f s", leg.role, leg.number,
                     leg.modem, leg.cause, leg.talk_seconds)
        if event.state is not leg.state:
            self._tell(leg, _STATE_WORDS.get(event.state) or leg.final_word)
        leg.state = event.state
        if leg is self.leg_a and event.state is CallState.ENDED:
            raise Hangup()

    def _tell(self, leg: Leg, state: str | None) -> None:
        if not state or leg.final_told:
            return
        if state not in _LIVE_WORDS:
            leg.final_told = True
        self._note("leg", state, leg=self._place(leg), role=leg.role,
                   number=leg.number, detail=leg.cause if leg.final_told else leg.modem)
        if self.on_leg_state is not None:
            try:
                self.on_leg_state(leg, state)
            except Exception:   # a page following the call must not break the call
                log.exception("publishing the state of %s failed", leg.number)

    def _place(self, leg: Leg) -> int:
        return next(place for place, each in enumerate(self.legs, 1) if each is leg)

    def _note(self, kind: str, what: str, **leg) -> None:
        if self.timeline is not None:
            self.timeline.note(self.db_id, kind, what, **leg)

    def wait_until(self, deadline: float, done) -> bool:
        """Handles events until done() holds (True) or the monotonic deadline passes (False)."""
        while not done():
            left = deadline - self.clock()
            if left <= 0:
                return False
            self.next_event(left)
        return True

    def take_keys(self) -> list[str]:
        keys, self.keys = self.keys, []
        return keys

    # -- legs ------------------------------------------------------------------------------

    def dial(self, role: str, number: str, timeout: float, ringback: bool = False) -> Leg:
        """Places a call on a free modem of `role`; gives the answered leg or raises LegFailed.
        `ringback`: leg A hears ringing until then."""
        driver = self.service.acquire(role, self, number=number,
                                      exclude=[leg.modem for leg in self.legs
                                               if leg.ended_at is None])
        if driver is None:
            raise NoFreeModem(role)
        leg = Leg(role, number, driver.name, driver, self.service.audio_spec(driver.name),
                  started_at=time.time(), iccid=self.service.iccid_of(driver.name))
        self.legs.append(leg)
        if role == "callback" and self.leg_a is None:
            self.leg_a = leg
            self.service.meters.dial_latency.observe(time.monotonic() - self.requested_at)
        self.service.meters.calls_started.inc(role)
        log.info("%s leg: dialling %s on %s", role, number, driver.name)
        self._tell(leg, "dialing")
        try:
            leg.call_id = driver.dial(number)
        except ModemError as error:
            leg.ended_at, leg.cause, leg.state = time.time(), "failed", CallState.ENDED
            self._tell(leg, leg.final_word)
            self.service.release(driver.name, self)
            raise LegFailed(str(error)) from None
        playback = None
        if ringback and self.leg_a is not None and self.leg_a.port is not None \
                and leg is not self.leg_a:
            playback = self.leg_a.port.play(tones.ringback())
        try:
            answered = self.wait_until(self.clock() + timeout,
                                       lambda: leg.state in (CallState.ACTIVE, CallState.ENDED))
        finally:
            if playback is not None:
                playback.stop()
        if not answered:
            leg.cause = EndCause.NO_ANSWER.value
            self.hangup(leg)
        if leg.state is not CallState.ACTIVE:
            self.service.release(driver.name, self)
            raise LegFailed(leg.cause or "failed")
        self._open_port(leg)
        return leg

    def _open_port(self, leg: Leg) -> None:
        try:
            leg.port = AudioPort(open_endpoint(leg.audio_spec), leg.modem,
                                 voice=self.service.voice_settings(leg.modem),
                                 tally=self.service.meters.audio)
        except (AudioGone, OSError, ValueError, SpeexUnavailable) as error:
            log.error("%s: cannot open its audio %s: %s", leg.modem, leg.audio_spec, error)
            return
        if leg is self.leg_a:
            self._detector.reset()
            leg.port.listen(self._heard_in_band)

    def _close_port(self, leg: Leg) -> None:
        if leg.port is not None:
            leg.port.stop()
            leg.port = None

    def hangup(self, leg: Leg, wait: float = 5.0) -> None:
        """Ends a leg and waits (up to `wait` s) for the modem to confirm it."""
        if leg.ended_at is not None or leg.call_id is None:
            return
        leg.cause = leg.cause or EndCause.NORMAL.value     # the box ends it: no fault
        try:
            leg.driver.hangup(leg.call_id)
        except ModemError as error:
            log.warning("%s: hangup failed: %s", leg.modem, error)
        try:
            self.wait_until(self.clock() + wait, lambda: leg.ended_at is not None)
        finally:
            if leg.ended_at is None:
                log.warning("%s: no end confirmed for %s within %.0f s; taken as ended",
                            leg.modem, leg.number, wait)
                leg.ended_at, leg.state = time.time(), CallState.ENDED
                self._close_port(leg)
                self._tell(leg, leg.final_word)

    # -- audio -----------------------------------------------------------------------------

    def bridge(self, leg_a: Leg, leg_b: Leg) -> Bridge | None:
        """Joins two answered legs' audio until stopped; None when one has no audio."""
        if leg_a.port is None or leg_b.port is None:
            return None
        return Bridge(leg_a.port, leg_b.port, tally=self.service.meters.audio)

    def beep(self, leg: Leg) -> None:
        """Plays the warning beeps to `leg`, mixed into what it hears (the bridge)."""
        if leg.port is not None:
            leg.port.play(frames(tones.beep()), mix_with_source=True)
            self._note("prompt", "beep", leg=self._place(leg), role=leg.role,
                       number=leg.number)

    def play(self, leg: Leg | None, pcm: bytes | None):
        """Starts playing PCM to a leg; gives the Playback (None without audio)."""
        if leg is None or leg.port is None or not pcm:
            return None
        return leg.port.play(frames(pcm))

    def say(self, pcm: bytes, barge_in: bool = False, clear_keys: bool = False) -> bool:
        """Plays PCM to the user to its end; gives True if a key cut it short.
        `clear_keys` (an error about what was typed): the keys pressed while it played are
        forgotten, as its words say; those pressed after its end are the next entry's."""
        playback = self.play(self.leg_a, pcm)
        if playback is None:
            return False
        self._note("prompt", " ".join(getattr(pcm, "names", ())) or "a sound")
        count = len(self.keys)
        deadline = self.clock() + len(pcm) / 16000 + 2.0
        # The port's thread ends the playback without an event in our queue. A prompt the
        # user may cut short is looked at every PLAYBACK_POLL_S, so what follows it comes
        # at once (a phrase made while its prompt was said); any other waits for an event
        # or its end plus 2 s, which leaves the network time to carry its last frames
        # before a hang up ("goodbye").
        # An error prompt is looked at as often: a key typed once it has ended is kept.
        poll = PLAYBACK_POLL_S if barge_in or clear_keys else None
        while not (playback.done.is_set() or (barge_in and len(self.keys) > count)):
            left = deadline - self.clock()
            if left <= 0:
                break
            self.next_event(left if poll is None else min(left, poll))
        port = self.leg_a.port if self.leg_a else None
        log.debug("prompt of %.1f s: %d frames played, %s; port late frames %s",
                  len(pcm) / 16000, playback.frames_played, playback.how_ended,
                  port.late_frames if port else "-")
        if not playback.done.is_set():
            playback.stop()
            return True
        if clear_keys:
            self.take_keys()
        return False

    def say_last(self, prompt_for: Callable[[Leg], bytes], timeout: float = 6.0) -> None:
        """Plays a last prompt to every leg still up, `prompt_for(leg)` its sound (each in
        the leg's language; the box is shutting down: a STOP waits on the queue); returns
        once it is played, the legs hung up, or `timeout`."""
        self._closing = True
        sounds = [(leg, prompt_for(leg)) for leg in self.legs if leg.ended_at is None]
        playbacks = [self.play(leg, pcm) for leg, pcm in sounds]
        playbacks = [playback for playback in playbacks if playback is not None]
        if playbacks:
            self._note("prompt", " ".join(getattr(sounds[0][1], "names", ())) or "a sound")
        longest = max(len(pcm) for _, pcm in sounds) if sounds else 0
        try:
            self.wait_until(self.clock() + min(timeout, longest / 16000 + 1.0),
                            lambda: all(playback.done.is_set() for playback in playbacks))
        except Hangup:
            pass        # leg A hung up first: nothing left to say
        for playback in playbacks:
            playback.stop()

    def release_all(self) -> None:
        """Hangs up every leg still up and gives the modems back."""
        self._closing = True
        for leg in self.legs:
            if leg.ended_at is None:
                try:
                    self.hangup(leg, wait=3.0)
                except Hangup:
                    # leg A ending while we end the others: what we want anyway
                    pass
            self._close_port(leg)
            self.service.release(leg.modem, self)
            # every leg that was dialled ends with a last state, whichever way the session
            # ended (a STOP cuts the waits that would have told it)
            self._tell(leg, leg.final_word)
