"""What the box counts as it works: calls, SMS, keys, lost audio frames.

The daemon makes one `Meters` and hands it to the call and SMS services, whose
threads count into it; the metrics page (gateway/care/metrics.py) reads it at
each scrape, next to what it reads from the modems and the database at that
moment. Plain numbers under one lock, no Prometheus import: a box without
metrics pays nothing for them, and tests run several daemons in one process,
each with its own Meters.

    meters = Meters()
    meters.calls_started.inc("callback")
    meters.dial_latency.observe(2.7)
    meters.calls_ended.values()     # {("callback", "normal"): 1.0}
"""
from __future__ import annotations

import bisect
import threading

from audio.tally import FrameTally

# seconds from a callback's request (the trigger call rejected, the SMS or web request taken)
# to the box dialling the caller back; callback_delay (2 s by default) is part of it
DIAL_LATENCY_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)
SMS_COMMANDS = ("cb", "connect", "reg", "unreg", "bal", "lang", "help", "unknown", "dropped",
                "stale")
SMS_KINDS = ("reply", "help", "notice", "manual")


class Counter:
    """A counter by label values; `name` is the metric's name without `_total`."""

    def __init__(self, name: str, help: str, labels: tuple[str, ...] = (),
                 known: tuple[str, ...] = ()):
        """`known`: values of the one label shown at 0 before anything is counted (a
        dashboard's rate() then starts from the first scrape)."""
        self.name = name
        self.help = help
        self.labels = labels
        self._values: dict[tuple[str, ...], float] = {(value,): 0.0 for value in known}
        self._lock = threading.Lock()

    def inc(self, *label_values: str, amount: float = 1.0) -> None:
        if len(label_values) != len(self.labels):
            raise ValueError(f"{self.name} takes the labels {self.labels}, got {label_values}")
        key = tuple(str(value) for value in label_values)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def values(self) -> dict[tuple[str, ...], float]:
        """Gives a copy: label values -> count."""
        with self._lock:
            return dict(self._values)


class Histogram:
    """Observations counted into fixed buckets (upper bounds, seconds), with their sum."""

    def __init__(self, name: str, help: str, buckets: tuple[float, ...]):
        self.name = name
        self.help = help
        self.buckets = tuple(sorted(buckets))
        self._counts = [0] * (len(self.buckets) + 1)      # the last: above every bound
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self._counts[bisect.bisect_left(self.buckets, value)] += 1
            self._sum += value

    def snapshot(self) -> tuple[list[tuple[str, int]], float]:
        """Gives ([(upper bound, cumulative count)...] ending with "+Inf", sum)."""
        with self._lock:
            counts, total = list(self._counts), self._sum
        cumulative, running = [], 0
        for bound, count in zip([*map(repr, self.buckets), "+Inf"], counts):
            running += count
            cumulative.append((bound, running))
        return cumulative, total


class Meters:
    """The counters the call and SMS services keep (docs/metrics.md says what each means)."""

    def __init__(self) -> None:
        self.sessions_started = Counter(
            "callbox_sessions_started", "Sessions started (a callback or a connect-two).",
            ("kind",), known=("callback", "connect-two"))
        self.calls_started = Counter(
            "callbox_calls_started", "Calls the box placed (legs dialled), by role.", ("role",),
            known=("callback", "destination"))
        self.calls_ended = Counter(
            "callbox_calls_ended", "Calls the box placed that ended, by role and cause.",
            ("role", "cause"))
        self.billed_seconds = Counter(
            "callbox_billed_seconds", "Seconds billed to accounts (settled legs), by role.",
            ("role",), known=("callback", "destination"))
        self.dial_latency = Histogram(
            "callbox_callback_dial_latency_seconds",
            "Seconds from a callback's request to the box dialling the caller back.",
            DIAL_LATENCY_BUCKETS)
        self.sms_received = Counter(
            "callbox_sms_received", "SMS (parts) read off a SIM and stored, by modem.",
            ("modem",))
        self.sms_quarantined = Counter(
            "callbox_sms_quarantined", "SMS whose raw PDU was quarantined, by modem.",
            ("modem",))
        self.sms_commands = Counter(
            "callbox_sms_commands", "SMS commands run, by kind (cb, connect, reg, unreg, bal, "
            "lang, help, unknown, dropped, stale).", ("kind",), known=SMS_COMMANDS)
        self.sms_sent = Counter(
            "callbox_sms_sent", "SMS sent, by kind (reply, help, notice, manual).", ("kind",),
            known=SMS_KINDS)
        self.sms_failed = Counter(
            "callbox_sms_failed", "SMS given up on (never sent), by kind.", ("kind",),
            known=SMS_KINDS)
        self.dtmf_keys = Counter(
            "callbox_dtmf_keys", "Keys detected on callback legs, by source (urc: the modem "
            "reported it; in_band: the box heard it).", ("source",), known=("urc", "in_band"))
        self.audio = FrameTally()

    def counters(self) -> list[Counter]:
        return [self.sessions_started, self.calls_started, self.calls_ended,
                self.billed_seconds, self.sms_received, self.sms_quarantined,
                self.sms_commands, self.sms_sent, self.sms_failed, self.dtmf_keys]
