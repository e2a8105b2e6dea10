"""Virtual phones: scriptable subscribers that call, answer, press keys and text."""
from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass

import phonenumbers

from modems.numbers import InvalidNumber, to_e164
from modems.sim import audio, sms_pdu
from modems.sim.calls import Call, Cause, LegState
from modems.sim.echo import EchoPath

log = logging.getLogger(__name__)


class PhoneState(enum.Enum):
    IDLE = "idle"
    DIALING = "dialing"
    ALERTING = "alerting"
    RINGING = "ringing"      # an incoming call rings
    ACTIVE = "active"


class PhoneActionError(RuntimeError):
    """A phone was asked for something its state does not allow."""


_LEG_TO_PHONE = {LegState.DIALING: PhoneState.DIALING, LegState.ALERTING: PhoneState.ALERTING,
                 LegState.INCOMING: PhoneState.RINGING, LegState.ACTIVE: PhoneState.ACTIVE,
                 LegState.RELEASED: PhoneState.IDLE}


# How the network shows a caller's number: "+49...",145 ; "0170...",129 ; and
# "49...",145 (international digits without "+", which some networks send).
PRESENTATIONS = ("international", "national", "international_no_plus")
# What a phone keeps of the audio it heard: the last 10 minutes (9.6 MB of 8 kHz 16-bit).
# A demo left running for weeks would otherwise keep every call it ever heard.
HEARD_KEPT_BYTES = 600 * 16000


@dataclass(frozen=True)
class ReceivedSms:
    """An SMS in a phone's inbox, its concatenated parts already joined."""

    sender: str
    text: str
    parts: int = 1
    received_at: float = 0.0


class VirtualPhone:
    """A subscriber of the virtual network. All state is guarded by the network lock."""

    def __init__(self, network, number: str, withheld: bool = False,
                 presentation: str = "international"):
        if presentation not in PRESENTATIONS:
            raise ValueError(f"presentation must be one of {PRESENTATIONS}, not {presentation!r}")
        self._net = network
        self.number = number
        self.withheld = withheld
        self.presentation = presentation
        self.state = PhoneState.IDLE
        self.last_cause: str | None = None
        self.call_count = 0      # calls made or received so far: a page tells them apart
        self.inbox: list[ReceivedSms] = []
        self.heard_dtmf: list[str] = []
        self._call: Call | None = None
        self._cond = threading.Condition(network.lock)
        self._outgoing = bytearray()
        self._tones = bytearray()
        self._heard = bytearray()
        self._heard_dropped = 0     # bytes heard before what `_heard` keeps
        self._partial: dict[tuple, dict[int, str]] = {}
        self._sms_ref = 0
        self.echo: EchoPath | None = None   # a handset echo (modems/sim/echo.py); None: none

    def __repr__(self) -> str:
        return f"<VirtualPhone {self.number} {self.state.name}>"

    def presented(self) -> tuple[str, int]:
        """Gives (digits, type of address) of this phone as callees see it."""
        if self.withheld:
            return "", 128
        if self.presentation == "national":
            parsed = phonenumbers.parse(self.number, None)
            national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
            return "".join(c for c in national if c.isdigit()), 129
        if self.presentation == "international_no_plus":
            return self.number.lstrip("+"), 145
        return self.number, 145

    def reachable(self) -> bool:
        return True

    @property
    def network(self):
        """Gives the network this phone is a subscriber of."""
        return self._net

    def peer(self) -> tuple[str, float]:
        """Gives the current call's other number as this phone shows it, and its seconds
        active so far; ("", 0.0) when idle."""
        with self._net.lock:
            call = self._call
            if call is None:
                return "", 0.0
            number = call.dialed if call.caller is self else call.caller.presented()[0]
            return number, call.duration()

    # -- what the network tells the phone ---------------------------------
    def call_changed(self, call: Call) -> None:
        new = _LEG_TO_PHONE[call.leg_state(self)]
        if new is PhoneState.IDLE:
            self._call = None
            self.last_cause = call.cause.text if call.cause else None
            self._tones.clear()
        else:
            if self._call is not call:
                self.call_count += 1
            self._call = call
        if new is not self.state:
            log.info("phone %s: %s -> %s", self.number, self.state.name, new.name)
            self.state = new
        self._cond.notify_all()

    def dtmf_received(self, digit: str) -> None:
        self.heard_dtmf.append(digit)
        self._cond.notify_all()

    def sms_delivered(self, sender: str, text: str, reference: int | None = None,
                      part: int = 1, parts: int = 1) -> None:
        if parts <= 1 or reference is None:
            self.inbox.append(ReceivedSms(sender, text, 1, time.monotonic()))
        else:
            pieces = self._partial.setdefault((sender, reference, parts), {})
            pieces[part] = text
            if len(pieces) < parts:
                return
            del self._partial[(sender, reference, parts)]
            # a pair split between parts (as some phones send it) becomes one character
            joined = sms_pdu.joined_text("".join(pieces[n] for n in sorted(pieces)))
            self.inbox.append(ReceivedSms(sender, joined, parts, time.monotonic()))
        self._cond.notify_all()

    # -- what a test makes the phone do -------------------------------------
    def call(self, number: str) -> None:
        """Dials `number` (E.164 or national); the state moves on from DIALING."""
        with self._net.lock:
            if self._call is not None:
                raise PhoneActionError(f"{self.number} is already in a call")
            try:
                dialed = to_e164(number, self._net.country)
            except InvalidNumber:
                dialed = number
            self.last_cause = None
            call = self._net.switch.originate(self, dialed)
            if self._call is not call:           # the network told nothing of it yet
                self.call_count += 1
            self._call = call

    def answer(self) -> None:
        with self._net.lock:
            if self.state is not PhoneState.RINGING:
                raise PhoneActionError(f"{self.number} cannot answer while {self.state.name}")
            self._net.switch.answer(self._call, self)

    def reject(self) -> None:
        with self._net.lock:
            if self.state is not PhoneState.RINGING:
                raise PhoneActionError(f"{self.number} cannot reject while {self.state.name}")
            self._net.switch.release(self._call, Cause.REJECTED, by=self)

    def hangup(self) -> None:
        """Ends the current call (rejects it if it is ringing here); no-op when idle."""
        with self._net.lock:
            if self._call is None:
                return
            cause = Cause.REJECTED if self.state is PhoneState.RINGING else Cause.NORMAL
            self._net.switch.release(self._call, cause, by=self)

    def press(self, digits: str, every: float = audio.DTMF_TONE_S + audio.DTMF_GAP_S,
              in_band: bool = True, signalled: bool = True) -> None:
        """Sends DTMF keys, one every `every` seconds: as in-band tones and, where the far
        end's modem reports keys, as signalling (either alone, to test each path)."""
        digits = digits.upper()
        if any(d not in audio.DTMF_FREQS for d in digits):
            raise ValueError(f"not DTMF keys: {digits!r}")
        if every < audio.DTMF_TONE_S:
            raise ValueError(f"keys {every} s apart overlap: a tone lasts {audio.DTMF_TONE_S} s")
        with self._net.lock:
            if self.state is not PhoneState.ACTIVE:
                raise PhoneActionError(f"{self.number} cannot press keys while {self.state.name}")
            call = self._call
            start = len(self._tones) / (2 * audio.RATE)
            tones = audio.dtmf(digits, every)
            self._tones += tones if in_band else bytes(len(tones))
            far = call.other(self)
            for index, digit in enumerate(digits):
                if signalled:
                    self._net.later(start + index * every, self._signal_key, call, far, digit)

    def _signal_key(self, call: Call, far, digit: str) -> None:
        if call.leg_state(self) is LegState.ACTIVE:
            far.dtmf_received(digit)

    def send_sms(self, to: str, text: str, sent_at=None) -> None:
        """Sends `text` to `to`; long or non-GSM texts go as concatenated/UCS2 parts.
        `sent_at` (an aware datetime) is the SMSC time stamp it gets, default now."""
        with self._net.lock:
            self._sms_ref = (self._sms_ref + 1) % 256
            sender = self.presented()[0] if not self.withheld else self.number
            self._net.submit_sms(sender or self.number, to, text, self._sms_ref, sent_at)

    def wait_state(self, state: PhoneState, timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self.state is state, timeout)

    def wait_sms(self, count: int = 1, timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.inbox) >= count, timeout)

    def wait_dtmf(self, count: int = 1, timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.heard_dtmf) >= count, timeout)

    # -- audio ----------------------------------------------------------------
    def play(self, pcm: bytes) -> None:
        """Queues S16LE 8 kHz mono audio to send into the call."""
        with self._net.lock:
            self._outgoing += pcm[: len(pcm) // 2 * 2]

    def stop_playing(self) -> None:
        """Drops what `play` queued and has not sent yet (the person stops talking)."""
        with self._net.lock:
            self._outgoing.clear()

    def heard(self) -> bytes:
        """Gives the audio this phone heard: the last HEARD_KEPT_BYTES of it."""
        with self._net.lock:
            return bytes(self._heard)

    def heard_from(self, start: int) -> tuple[int, bytes]:
        """Gives how many bytes this phone heard in all, and those from byte `start` on (of
        them, those still kept)."""
        with self._net.lock:
            return self._heard_total(), bytes(self._heard[max(0, start - self._heard_dropped):])

    def _heard_total(self) -> int:
        """Bytes heard in all, those let go included (under the network's lock)."""
        return self._heard_dropped + len(self._heard)

    def clear_heard(self) -> None:
        with self._net.lock:
            self._heard_dropped += len(self._heard)
            self._heard.clear()

    def uplink_frame(self) -> bytes:
        """Gives the next 20 ms this phone sends (queued audio plus key tones)."""
        frame = bytes(self._outgoing[: audio.FRAME_BYTES]).ljust(audio.FRAME_BYTES, b"\0")
        del self._outgoing[: audio.FRAME_BYTES]
        if self._tones:
            tones = bytes(self._tones[: audio.FRAME_BYTES]).ljust(audio.FRAME_BYTES, b"\0")
            del self._tones[: audio.FRAME_BYTES]
            frame = audio.mix(frame, tones)
        if self.echo is not None:
            frame = self.echo.add_to(frame)
        return frame

    def wait_heard(self, predicate, timeout: float = 5.0, every: float = 0.1) -> bool:
        """Waits until `predicate(heard_pcm)` is true, asking it again each time `every`
        seconds more audio arrived.

        The predicate runs on a copy, outside the network's lock: a search in
        seconds of audio must not hold up the network's clock (the audio of
        every call would stall behind it)."""
        deadline = time.monotonic() + timeout
        step = int(every * 16000)          # bytes of 8 kHz 16-bit audio
        while True:
            with self._cond:
                heard, total = bytes(self._heard), self._heard_total()
            if predicate(heard):
                return True
            with self._cond:
                grown = self._cond.wait_for(
                    lambda: not total <= self._heard_total() < total + step,
                    max(0.0, deadline - time.monotonic()))
            if not grown:
                return False

    def downlink(self, frame: bytes) -> None:
        if self.echo is not None:
            self.echo.heard(frame)
        self._heard += frame
        if len(self._heard) > HEARD_KEPT_BYTES:
            excess = len(self._heard) - HEARD_KEPT_BYTES
            del self._heard[:excess]
            self._heard_dropped += excess
        self._cond.notify_all()
