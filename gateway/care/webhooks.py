"""Webhooks for integrators: the `webhooks` thread finds events, queues and POSTs them.

Every `scan_interval` (and half a second after a call ends or an SMS
arrives) the thread (a gateway.worker.Worker) looks for new events in what
the box committed (gateway/care/webhook_facts.py), queues each as one
`webhook_delivery` row per subscribed webhook together with the cursor's
move (one transaction, and none when nothing is new:
gateway/care/webhook_queue.py), then sends what is due. Modem events reach it through `on_event` (the daemon hands them
over; the pool's thread only puts them on the queue).

Sending: each webhook's deliveries go out in order, oldest first; while the
oldest fails, the ones behind it wait (a receiver that is down gets them all,
in order, once it is back). A failed attempt is retried after the webhook's
`retry_backoff` waits; after the last one the delivery is failed (an admin
may retry it), and the next one gets its turn. Each turn tries each webhook
at most once more after a failure, so one slow or dead receiver holds the
others up by at most its own `timeout`. At least once: a delivery whose
answer was lost (the box stopped mid-request) is sent again; receivers drop
repeats by X-Callbox-Delivery.
"""
from __future__ import annotations

from collections.abc import Callable
import logging
import time
import uuid

from gateway.care import webhook_queue as queue
from gateway.care.webhook_facts import Sources, modem_fact
from gateway.care.webhook_post import Connections, Outcome
from gateway.config import WebhookConfig
from gateway.config.webhooks import shown_url
from gateway.store.db import db
from gateway.worker import OutageWatch, Worker
from modems.events import (CallState, CallStateChanged, ModemDown, ModemEvent, ModemRecovery,
                           ModemUp, SmsStored)

log = logging.getLogger(__name__)

SCAN_INTERVAL = 2.0             # seconds between looks for new events
SOON = 0.5                      # seconds from a call's end or an SMS's arrival to a look
PRUNE_INTERVAL = 3600.0         # seconds between removals of old log rows
MOST_PER_TURN = 100             # deliveries sent per turn before looking for events again

Poster = Callable[[str, str, str, str, str, int, float], Outcome]


class Webhooks:
    """The `webhooks` worker and what it needs: see the module docstring."""

    def __init__(self, webhooks: tuple[WebhookConfig, ...], box: str, currency: str,
                 keep_days: int, now: Callable[[], float] = time.time,
                 watch: OutageWatch | None = None, scan_interval: float = SCAN_INTERVAL,
                 poster: Poster | None = None, ready: Callable[[], bool] = lambda: True):
        """`keep_days`: delivered and failed rows are kept this long (the box's
        retention_days), and events older than that are not sent. `ready()`: whether the
        database has been migrated since the start (a shared server may answer late)."""
        self.webhooks = {webhook.name: webhook for webhook in webhooks}
        self.box = box
        self.now = now
        self.keep_seconds = keep_days * 86400.0
        self.scan_interval = scan_interval
        self._connections = Connections()      # kept open to each receiver between POSTs
        self._post = poster or self._connections.post
        self._ready = ready
        self._sources = Sources(box, currency, self.keep_seconds)
        self._cursors: dict[str, int] = {}   # source -> the position last written
        self.worker = Worker("webhooks", self._handle, watch=watch)
        self.worker.paced("turn", scan_interval, "finding and sending webhook events",
                          self._turn)
        self.worker.every("prune", PRUNE_INTERVAL, "removing old webhook deliveries",
                          self._prune, first=PRUNE_INTERVAL)

    def start(self) -> None:
        names = ", ".join(f"{name} ({shown_url(hook.url)})" for name, hook in self.webhooks.items())
        log.info("webhooks: sending events to %s", names)
        self.worker.start()

    def stop(self) -> None:
        if self.worker.stop(15.0):            # else its thread may still be sending
            self._connections.close()

    def on_event(self, event: ModemEvent) -> None:
        """Takes a modem event (any thread; never blocks): modem.state for the webhooks; a
        call's end or a new SMS brings the next look forward (its rows commit soon)."""
        if isinstance(event, (ModemUp, ModemDown, ModemRecovery)):
            self.worker.put(event)
        elif isinstance(event, SmsStored) or (isinstance(event, CallStateChanged)
                                              and event.state is CallState.ENDED):
            self.worker.sooner("turn", SOON)

    def wake(self) -> None:
        """Makes the thread look and send now (a delivery was queued again)."""
        self.worker.sooner("turn")

    # -- on the thread ---------------------------------------------------------------------

    def _subscribers(self) -> dict[str, tuple[str, ...]]:
        return {name: hook.events for name, hook in self.webhooks.items()}

    def _handle(self, event: ModemEvent) -> None:
        if not self._ready():
            log.info("webhooks: no database yet, modem.state of %s not sent", event.modem)
            return
        fact = modem_fact(self.box, event, uuid.uuid4().hex, self.now())
        if fact is not None and queue.enqueue(self.box, [fact], self._subscribers(),
                                              self.now()):
            self.worker.sooner("turn")

    def _turn(self) -> float:
        """Queues the new events, sends what is due; gives the seconds until the next turn."""
        if not self._ready():
            return self.scan_interval
        self._find()
        return self._send()

    def _find(self) -> None:
        now = self.now()
        for source, to, facts in self._sources.new_facts(now):
            if not facts and self._cursors.get(source) == to:
                continue                 # nothing new: no write transaction at all
            with db.atomic():
                written = queue.enqueue(self.box, facts, self._subscribers(), now)
                queue.move_cursor(self.box, source, to, now)
            self._cursors[source] = to
            if written:
                log.debug("webhooks: %d deliveries queued from %s", written, source)

    def _send(self) -> float:
        """Sends due deliveries, round by round, one per webhook and round; a webhook whose
        attempt failed waits for the next turn. Gives the seconds until the next turn."""
        names = list(self.webhooks)
        sent = 0
        while sent < MOST_PER_TURN and not self.worker.stopping:
            heads = queue.heads(self.box, list(self.webhooks))
            now = self.now()
            due = [head for head in heads if head.webhook in names and head.next_attempt_at <= now]
            if not due:   # the heads just read say when the next one is due
                return max(0.0, min([self.scan_interval]
                                    + [head.next_attempt_at - now for head in heads]))
            for delivery in due:
                sent += 1
                if not self._attempt(delivery):
                    names.remove(delivery.webhook)
        return 0.0                       # more to send: go on after a look for new events

    def _attempt(self, delivery: queue.WebhookDelivery) -> bool:
        """Sends one delivery and records the outcome; gives whether it was taken."""
        hook = self.webhooks[delivery.webhook]
        outcome = self._post(hook.url, hook.secret, delivery.event, delivery.event_id,
                             delivery.body, int(self.now()), hook.timeout)
        now = self.now()
        if outcome.ok:
            queue.delivered(delivery.id, outcome.status, now)
            log.info("webhook %s: %s %s delivered (HTTP %s, attempt %d)", hook.name,
                     delivery.event, delivery.event_id, outcome.status, delivery.attempts + 1)
            return True
        final = queue.attempt_failed(delivery, outcome.status, outcome.error,
                                     hook.retry_backoff, now)
        if final:
            log.error("webhook %s: %s %s failed for good after %d attempts: %s (retry it on "
                      "the Webhooks page)", hook.name, delivery.event, delivery.event_id,
                      delivery.attempts + 1, outcome.error)
        else:
            log.warning("webhook %s: %s %s not delivered (attempt %d): %s; trying again in "
                        "%g s", hook.name, delivery.event, delivery.event_id,
                        delivery.attempts + 1, outcome.error,
                        hook.retry_backoff[delivery.attempts])
        return False

    def _prune(self) -> None:
        removed = queue.prune(self.box, self.now() - self.keep_seconds)
        if removed:
            log.info("webhooks: %d old delivery records removed", removed)
