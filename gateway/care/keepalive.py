"""SIM keep-alive: one SMS when a SIM has been idle for `keepalive_days`.

Operators retire a prepaid SIM that makes no chargeable call or SMS for some
months. A SIM with `keepalive_days` whose last use is older than that gets
one SMS (`keepalive_text` to `keepalive_to`), queued in the persistent SMS
outbox for the modem it sits in. Its use is the newest of: an outgoing call
answered on it (`cdr` rows with its ICCID), an SMS sent on it (`sms_out`
rows with its ICCID), and its last keep-alive. The outbox sends a keep-alive
only from the modem it was queued for (another SIM's SMS would not keep this
one alive); it waits while that modem is down. The keep-alive is recorded (`sim_keepalive`) when it is
queued, so it counts as use at once: never two in one period, also after a
restart, even while the outbox still retries it. A SIM the box knows no use
of counts as idle: it gets its keep-alive at the first look.
"""
from __future__ import annotations

import logging
import time
from typing import Protocol

from peewee import fn

from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr
from gateway.store.db import db
from gateway.care.models import SimKeepalive

log = logging.getLogger(__name__)

DAY = 86400.0


class Outbox(Protocol):
    """The SMS outbox as SIM care sees it (gateway/sms/service.py SmsService is one).
    Called on the sim-care thread, with that thread's database connection."""

    def send(self, number: str, text: str, kind: str = "notice",
             modem: str | None = None) -> int:
        """Queues a text to go out from `modem`; gives its outbox id."""
        ...

    def last_sent_with(self, iccid: str) -> float | None:
        """Gives when an SMS last went out on the SIM, None when none did."""
        ...


def last_use(iccid: str, outbox: Outbox) -> float | None:
    """Gives when the SIM was last used (module docstring), None when the box knows of none."""
    call = Cdr.select(fn.MAX(Cdr.answered_at)).where(
        (Cdr.iccid == iccid) & (Cdr.direction == "outgoing")
        & Cdr.answered_at.is_null(False)).scalar()
    kept = last_keepalive(iccid)
    times = [call, outbox.last_sent_with(iccid), kept.at if kept else None]
    return max((stamp for stamp in times if stamp is not None), default=None)


def last_keepalive(iccid: str) -> SimKeepalive | None:
    return SimKeepalive.select().where(SimKeepalive.iccid == iccid).order_by(
        SimKeepalive.at.desc(), SimKeepalive.id.desc()).first()


def keep_alive(box: str, modem: str, iccid: str, sim: SimConfig, outbox: Outbox,
               now: float) -> SimKeepalive | None:
    """Queues the keep-alive SMS when the SIM is idle for keepalive_days; gives its record,
    or None when the SIM was used recently enough."""
    if not sim.keepalive_days or not sim.keepalive_to:
        return None
    used = last_use(iccid, outbox)
    if used is not None and now - used < sim.keepalive_days * DAY:
        return None
    with db.atomic():      # the SMS and its record, or neither
        out_id = outbox.send(sim.keepalive_to, sim.keepalive_text, kind="keepalive",
                             modem=modem)
        row = SimKeepalive.create(box=box, iccid=iccid, modem=modem, at=now,
                                  number=sim.keepalive_to, sms_out=out_id, idle_since=used)
    since = (f"since {time.strftime('%Y-%m-%d %H:%M', time.localtime(used))}"
             if used is not None else "that the box knows of")
    log.info("%s: SIM %s made no chargeable call or SMS %s (keepalive_days %d): keep-alive "
             "SMS %d queued to %s", modem, iccid, since, sim.keepalive_days, out_id,
             sim.keepalive_to)
    return row
