"""The `triggers` thread: calls that ring a trigger modem, rejected and called back.

It rejects a call after `ring_before_reject` rings (the caller hears busy and
pays nothing; a withheld number at once), asks the call service's refusal
policy, and schedules the callback `callback_delay` seconds after the reject.
While the database is away it answers instead, to say the service is
unavailable (gateway/calls/flows/apology.py) in the language of the caller's
country calling code ([languages]), else the box's. It owns the set of calls it has
rejected, so the later RINGs of one call are not taken for new triggers.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from gateway.calls.flows.apology import apologize
from gateway.money import languages
from gateway.store.db import close_database
from gateway.store.outage import CONNECTION_ERRORS
from modems.events import CallState, CallStateChanged, IncomingCall, ModemEvent

log = logging.getLogger(__name__)
_STOP = object()


class Triggers:
    """See the module docstring; `service` is the call service (config, pool, refusal,
    start_session, database state)."""

    def __init__(self, service):
        self.service = service
        self._queue: queue.Queue = queue.Queue()
        self._rejected: set[tuple[str, int]] = set()
        self._apologies = 0
        self.thread = threading.Thread(target=self._run, name="triggers", daemon=True)

    def put(self, event: ModemEvent) -> None:
        """Takes an IncomingCall or CallStateChanged of a modem no session holds."""
        self._queue.put(event)

    def stop(self) -> None:
        self._queue.put(_STOP)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is _STOP:
                break
            try:
                self._trigger(event)
            except Exception:   # one bad trigger must not stop the next ones
                log.exception("handling %s failed", event)
        close_database()

    def _trigger(self, event) -> None:
        service = self.service
        if isinstance(event, CallStateChanged):
            if event.state is CallState.ENDED:
                self._rejected.discard((event.modem, event.call_id))
            return
        if not isinstance(event, IncomingCall) or service.stopping:
            return
        modem = service.config.modem(event.modem)
        key = (event.modem, event.call_id)
        if event.ring == 1:
            # a call's first ring: a modem numbers calls from 1 again (27.007 +CLCC <id>),
            # so an earlier rejected call of this id whose end went unseen is not this one
            self._rejected.discard(key)
        if "trigger" not in modem.roles or key in self._rejected:
            return
        if event.number is None:
            log.info("%s: call with withheld caller ID rejected at once", event.modem)
            self._reject(event)
            return
        if event.ring < service.config.callback.ring_before_reject:
            return
        if service.database_down:
            self._apologize(event)
            return
        try:
            refusal = service.refusal(event.number)
        except CONNECTION_ERRORS as error:
            service.database_lost(error)
            self._apologize(event)
            return
        self._reject(event)
        rejected_at = time.monotonic()
        if refusal:
            log.info("no callback to %s: %s", event.number, refusal)
            return
        delay = service.config.callback.callback_delay
        log.info("callback to %s in %.1f s", event.number, delay)
        service.start_session(event.number, delay=delay, since=rejected_at)

    def _reject(self, event: IncomingCall) -> None:
        self._rejected.add((event.modem, event.call_id))
        driver = self.service.pool.driver(event.modem)
        if driver is None:
            return
        try:
            driver.reject(event.call_id)
        except Exception as error:   # the modem may be gone; the caller then hears the network
            log.warning("%s: could not reject call %d: %s", event.modem, event.call_id, error)

    def _apologize(self, event: IncomingCall) -> None:
        """Answers the trigger call to say the service is unavailable (on a thread of its own)."""
        self._rejected.add((event.modem, event.call_id))
        driver = self.service.pool.driver(event.modem)
        if driver is None:
            return
        # without the database the caller's account is not known: its number decides
        language, why = languages.by_number(event.number, self.service.config)
        context = self.service.context
        log.info("no callback to %s: the database is unreachable; telling the caller in %s",
                 event.number, context.spoken(language, why))
        pcm = context.voices.get(language).say("service_unavailable")
        self._apologies += 1
        thread = threading.Thread(target=apologize,
                                  args=(driver, event.call_id,
                                        self.service.audio_spec(event.modem), pcm, event.number),
                                  name=f"apology-{self._apologies}", daemon=True)
        thread.start()
