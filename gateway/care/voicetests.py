"""Voice tests asked through `modem_request` (kind "voicetest"), and their figures in words.

`callbox voicetest MODEM NUMBER` and the Modems page's "Voice test" queue a
request whose `text` is the number; the `sim-care` worker hands it to the
daemon's voice tests (gateway/calls/voicetest.py, through the `VoiceTests`
Protocol) and does not finish it: the test's own thread does, through
`VoiceTestReport`. While it runs, the request's `answer` holds its progress;
at the end the figures too, as JSON:

    {"number": "+49...", "progress": ["calling ...", ...], "figures": {...} | null}

`describe` and `advice` put the figures in the same words for the command
line and the web.
"""
from __future__ import annotations

import json
import logging
from typing import Callable, Protocol

from gateway.care import requests
from gateway.store.outage import CONNECTION_ERRORS, forget_connection

log = logging.getLogger(__name__)

MAX_LINES = 40              # progress lines kept of one test
GOOD_SPEECH_LUFS = (-32.0, -16.0)      # a voice heard well, before the box's rx gain
AIM_SPEECH_LUFS = -24.0


class VoiceTests(Protocol):
    """The daemon's voice tests as SIM care sees them (gateway/calls/voicetest.py)."""

    def start(self, modem: str, number: str, report) -> str | None:
        """Starts a test on its own thread; gives why it cannot start, or None."""


class VoiceTestReport:
    """Writes one test's progress and outcome to its request (on the test's thread)."""

    def __init__(self, request_id: int, number: str, now: Callable[[], float]):
        self.request_id, self.number, self.now = request_id, number, now
        self.lines: list[str] = []

    def _answer(self, figures: dict | None = None) -> str:
        return json.dumps({"number": self.number, "progress": self.lines[-MAX_LINES:],
                           "figures": figures})

    def progress(self, line: str) -> None:
        self.lines.append(line[:160])
        log.info("voice test %d: %s", self.request_id, line)
        self._write(requests.tell_progress, self.request_id, self._answer())

    def finished(self, figures, error: str) -> None:
        answer = self._answer(figures.to_dict() if figures is not None else None)
        self._write(lambda: requests.finish(self.request_id, self.now(), answer=answer,
                                            error=error))

    def _write(self, write, *args) -> None:
        try:
            write(*args)
        except CONNECTION_ERRORS as error:    # the log keeps it; the test goes on
            forget_connection()
            log.warning("voice test %d: its progress could not be stored: %s",
                        self.request_id, error)


def parse_answer(answer: str) -> dict:
    """Gives a voice test request's answer as {"number", "progress", "figures"} (empty
    progress and no figures for an answer that is not one)."""
    try:
        data = json.loads(answer) if answer else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    figures = data.get("figures")
    return {"number": str(data.get("number", "")),
            "progress": [str(line) for line in data.get("progress", [])
                         if isinstance(line, str)],
            "figures": figures if isinstance(figures, dict) else None}


def _level(value: float, unit: str) -> str:
    return f"below -90 {unit} (silence)" if value <= -90 else f"{value:.1f} {unit}"


def _keys(keys: str) -> str:
    return " ".join(keys) if keys else "none"


def describe(figures: dict) -> list[tuple[str, str]]:
    """Gives the figures as (what, value) lines, in the order the command prints them."""
    trip = figures.get("round_trip_ms")
    erl = f"{figures['erl_db']:.1f} dB"
    if figures.get("erl_at_least"):
        erl = f"at least {erl} (the echo was lost in the noise)"
    left = f"{figures['erl_cancelled_db']:.1f} dB"
    if figures.get("erl_cancelled_at_least"):
        left = f"at least {left}"
    clipped, total = figures.get("clipped_samples", 0), max(1, figures.get("captured_samples", 1))
    speech = figures.get("speech_lufs")
    return [
        ("round-trip delay", f"{trip:.0f} ms" if trip is not None else
         "not measured: no echo came back to time"),
        ("echo return loss", f"{erl} without the canceller"),
        ("", f"{left} with the canceller (tail {figures['tail_ms']} ms, "
         f"{'on' if figures.get('echo_cancel') else 'OFF'} for calls)"),
    ] + ([("audio slips", f"{figures['slips']} (a frame late, the box being busy; taken "
                          "out of the canceller's figure)")] if figures.get("slips") else []) + [
        ("noise floor", _level(figures["noise_dbfs"], "dBFS")),
        ("speech level", f"{speech:.1f} LUFS" if speech is not None else "no speech heard"),
        ("clipping", "none" if not clipped else
         f"{clipped} samples at full scale ({100 * clipped / total:.2f} %)"),
        ("keys in-band", _keys(figures.get("keys_in_band", ""))),
        ("keys the modem reported", _keys(figures.get("keys_reported", ""))),
    ]


def advice(figures: dict) -> list[str]:
    """Gives what the figures suggest doing, in plain words (none: all is well)."""
    said = []
    trip, tail = figures.get("round_trip_ms"), figures["tail_ms"]
    echo = not figures.get("erl_at_least") and figures["erl_db"] < 40
    if echo and trip is not None and trip + 20 > tail:
        wanted = min(512, -(-int(trip + 40) // 32) * 32)
        said.append(f"The echo comes back after {trip:.0f} ms, past the canceller's tail of "
                    f"{tail} ms: set echo_tail_ms = {wanted} for this modem.")
    if echo and not figures.get("echo_cancel"):
        said.append("The line echoes and echo_cancel is off for this modem: set "
                    "echo_cancel = true.")
    elif (echo and not figures.get("erl_cancelled_at_least")
          and figures["erl_cancelled_db"] < 40 and (trip is None or trip + 20 <= tail)):
        said.append("The canceller leaves an echo one may hear (under 40 dB): the module's own "
                    "echo canceller (module_echo_cancel) may help.")
    if figures["noise_dbfs"] > -50:
        said.append("The line is noisy (noise floor above -50 dBFS): try "
                    "noise_suppression = true.")
    speech = figures.get("speech_lufs")
    if speech is None:
        said.append("No speech was heard after the tone: was the far end's microphone muted?")
    elif not GOOD_SPEECH_LUFS[0] <= speech <= GOOD_SPEECH_LUFS[1]:
        change = AIM_SPEECH_LUFS - speech
        said.append(f"The voice comes {'quiet' if change > 0 else 'loud'}: set rx_gain_db to "
                    f"about {change:+.0f} for this modem.")
    if figures.get("clipped_samples"):
        said.append("The sound from the modem reaches full scale (it is distorted before the "
                    "box gets it): lower the module's own volume (speaker_volume), not "
                    "rx_gain_db.")
    keys_in_band, reported = figures.get("keys_in_band", ""), figures.get("keys_reported", "")
    if "123" not in keys_in_band:
        said.append("The keys 1 2 3 were not all heard in-band"
                    + (" (the modem reported them)." if "123" in reported else "."))
    return said
