"""Sending alerts: the due rows of the `alert` table, and alerts held in memory.

The rows are the queue (gateway/store/alerts.py): a row is due while
`next_attempt_at` is set and past, and its raise (`sent_at`) or, once
recovered, its recovery (`recovery_sent_at`) is unsent. A failed try counts
`attempts`, keeps `last_error` and sets the next try after the configured
back-off; the last wait repeats until the message goes through, so nothing
is lost across a restart. A recovery whose raise was never sent goes out as
one message telling both. A notice or recovery that could not be sent within
STALE seconds (no URLs for weeks, say) is left: the page still lists it.

A `Held` alert is one raised while the database was down: the same columns,
in memory (gateway/care/alerts.py keeps them and writes them to the table
when the database returns). Delivery treats both alike.

When some URLs took a message and others did not, only the others get it
again (remembered in memory: after a restart, all of them would).
"""
from __future__ import annotations

from dataclasses import dataclass
import logging

from peewee import Case

from gateway.care.alert_kinds import compose
from gateway.care.send import Outcome, Sender
from gateway.config.alerts import AlertsConfig
from gateway.store import alerts as store
from gateway.store.alerts import Alert
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared

log = logging.getLogger(__name__)

STALE = 24 * 3600.0     # seconds after which an unsent notice or recovery is not sent


@dataclass(eq=False)
class Held:
    """An alert raised while the database was down (the columns of `alert` it needs)."""

    kind: str
    subject: str
    message: str
    at: float
    advice: str = ""
    modem: str | None = None
    state: str = "open"                 # open | recovered | notice
    repeats: int = 0
    last_at: float | None = None
    recovered_at: float | None = None
    recovery: str = ""
    sent_at: float | None = None
    recovery_sent_at: float | None = None
    attempts: int = 0
    next_attempt_at: float | None = None
    last_error: str = ""
    id: None = None                     # not in the table yet


def phase_of(alert) -> str | None:
    """Gives what is unsent of an alert: "raise", "recovery", or None."""
    if alert.state == "recovered" and alert.recovery_sent_at is None:
        return "recovery"
    if alert.state in ("open", "notice") and alert.sent_at is None:
        return "raise"
    return None


def _waiting(box):
    """Gives the condition of this box's rows with an unsent message to try."""
    unsent = (((Alert.state == "recovered") & Alert.recovery_sent_at.is_null())
              | ((Alert.state != "recovered") & Alert.sent_at.is_null()))
    return (Alert.box == box) & Alert.next_attempt_at.is_null(False) & unsent


_DUE = Prepared(lambda: Alert.select().where(_waiting(Param("box")),
                                             Alert.next_attempt_at <= Param("moment"))
                .order_by(Alert.next_attempt_at, Alert.id))
_NEXT_DUE = Prepared(lambda: Alert.select(Alert.next_attempt_at).where(_waiting(Param("box")))
                     .order_by(Alert.next_attempt_at).limit(1).tuples())


def due_rows(box: str, moment: float) -> list[Alert]:
    """Gives this box's rows with a message due by `moment`, oldest first."""
    return _DUE.rows(box=box, moment=moment)


def next_due(box: str) -> float | None:
    """Gives when this box's next row is due, or None when none waits."""
    return _NEXT_DUE.scalar(box=box)


def write_held(box: str, held: Held) -> None:
    """Writes an alert held during an outage to the table, with its repeats and what of it
    was sent, in one transaction (an open one of its cause counts it as a repeat)."""
    with db.atomic():
        row = store.raise_alert(box, held.kind, held.subject, held.at, held.message,
                                advice=held.advice, modem=held.modem,
                                notice=held.state == "notice")
        if row is not None:
            Alert.update(repeats=held.repeats, last_at=held.last_at, attempts=held.attempts,
                         last_error=held.last_error, sent_at=held.sent_at,
                         next_attempt_at=held.next_attempt_at).where(
                Alert.id == row.id).execute()
        if held.state == "recovered":
            row = store.recover(box, held.kind, held.subject, held.recovered_at, held.recovery)
            if row is not None and held.recovery_sent_at is not None:
                Alert.update(recovery_sent_at=held.recovery_sent_at, next_attempt_at=None,
                             sent_at=held.sent_at or held.recovery_sent_at).where(
                    Alert.id == row.id).execute()


class Delivery:
    """Sends one alert's due message to every URL and writes down what came of it."""

    def __init__(self, config: AlertsConfig, box: str, sender: Sender):
        self.config = config
        self.box = box
        self.sender = sender
        self._remaining: dict[tuple, tuple[str, ...]] = {}   # URLs still to take a message

    def deliver(self, alert, moment: float) -> bool | None:
        """Tries the alert's due message (a row or a Held); gives True when every URL took
        it, False when some did not (tried again later), None when nothing was sent."""
        phase = phase_of(alert)
        if phase is None:
            self._settle(alert, None, moment)
            return None
        since = alert.recovered_at if alert.state == "recovered" else alert.at
        if alert.state != "open" and since < moment - STALE and alert.sent_at is None:
            self._give_up(alert, "not sent: over a day old when the box could first send it")
            return None
        key = (alert.id if alert.id is not None else id(alert), phase)
        urls = self._remaining.get(key, self.config.urls)
        # A raise never sent before its recovery goes out as the recovery, telling both.
        title, body = compose(alert, self.box, recovery=phase == "recovery")
        outcomes = self.sender.send(urls, title, body)
        failed = [(url, outcome) for url, outcome in zip(urls, outcomes) if not outcome.ok]
        where = f"{alert.kind}" + (f" ({alert.subject})" if alert.subject else "")
        if not failed:
            self._remaining.pop(key, None)
            self._settle(alert, phase, moment)
            log.info("alert %s: %s delivered to %d URL(s)", where,
                     "recovery" if phase == "recovery" else "message", len(urls))
            return True
        self._remaining[key] = tuple(url for url, _ in failed)
        self._failed(alert, [outcome for _, outcome in failed], moment)
        log.warning("alert %s: not delivered to %d of %d URL(s), try %d, next in %.0f s: %s",
                    where, len(failed), len(urls), alert.attempts,
                    alert.next_attempt_at - moment, alert.last_error)
        return False

    def _settle(self, alert, phase: str | None, moment: float) -> None:
        """Writes down that the phase's message went out (None: nothing was due)."""
        sent = {}
        if phase == "recovery":
            sent = {"recovery_sent_at": moment}
            if alert.sent_at is None:
                sent["sent_at"] = moment
        elif phase == "raise":
            sent = {"sent_at": moment}
        if isinstance(alert, Held):
            for name, value in sent.items():
                setattr(alert, name, value)
            alert.attempts, alert.last_error = 0, ""
            alert.next_attempt_at = moment if phase_of(alert) else None
            return
        due_again = None
        if phase == "raise":   # a recovery written meanwhile (another thread) keeps its time
            due_again = Case(None, (((Alert.state == "recovered")
                                     & Alert.recovery_sent_at.is_null(), Alert.next_attempt_at),),
                             None)
        Alert.update(**sent, attempts=0, last_error="", next_attempt_at=due_again).where(
            Alert.id == alert.id).execute()

    def _failed(self, alert, outcomes: list[Outcome], moment: float) -> None:
        alert.attempts += 1
        alert.next_attempt_at = moment + self.config.wait_before(alert.attempts)
        alert.last_error = "; ".join(f"{outcome.url}: {outcome.error}"
                                     for outcome in outcomes)[:1000]
        if not isinstance(alert, Held):
            Alert.update(attempts=Alert.attempts + 1, next_attempt_at=alert.next_attempt_at,
                         last_error=alert.last_error).where(Alert.id == alert.id).execute()

    def _give_up(self, alert, reason: str) -> None:
        log.info("alert %s (%s) %s", alert.kind, alert.subject, reason)
        alert.next_attempt_at, alert.last_error = None, reason
        if not isinstance(alert, Held):
            Alert.update(next_attempt_at=None, last_error=reason).where(
                Alert.id == alert.id).execute()
