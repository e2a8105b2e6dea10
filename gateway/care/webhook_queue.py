"""The webhooks' persistent queue: one `webhook_delivery` row per event and webhook.

A row is written when the `webhooks` thread finds an event (a committed SMS,
call record, session, alert, or a modem event it was handed) and lives on as
the delivery log: pending -> delivered, or pending -> failed after the last
retry (an admin may queue a failed one again). Its `event_id` is unique per
box and webhook, so finding the same event twice (after a restart, or when
looking again over rows already seen) queues nothing twice. The body is
written once: every attempt sends the same bytes.

`webhook_cursor` holds, per box and source table, the first row id the thread
has not finished with; both tables are in the database, so a restart neither
loses an event nor queues one again.
"""
from __future__ import annotations

from dataclasses import dataclass
import json

from peewee import (AutoField, BigIntegerField, CharField, FloatField, IntegerField, TextField,
                    fn)

from gateway.store.db import BaseModel, db
from gateway.store.prepared import Param, Prepared, PreparedSet

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class WebhookDelivery(BaseModel):
    """One event for one webhook: its body, and what became of sending it."""

    id = AutoField()
    box = CharField()
    webhook = CharField()                      # [[webhook]] name
    event = CharField()                        # sms.received | call.ended | ...
    event_id = CharField()                     # the body's id, X-Callbox-Delivery
    body = TextField()                         # the JSON sent, byte for byte
    state = CharField(default=PENDING)         # pending | delivered | failed
    attempts = IntegerField(default=0)
    next_attempt_at = FloatField()             # Unix time
    last_status = IntegerField(null=True)      # the receiver's HTTP status, if it answered
    last_error = TextField(default="")         # why the last attempt failed, in words
    created_at = FloatField()
    delivered_at = FloatField(null=True)

    class Meta:
        table_name = "webhook_delivery"
        indexes = ((("box", "webhook", "event_id"), True),
                   (("box", "state", "webhook", "id"), False),
                   (("box", "event_id"), False))


class WebhookCursor(BaseModel):
    """How far the box has looked in one source table: the first id not done with."""

    id = AutoField()
    box = CharField()
    source = CharField()                       # sms | session | alert
    position = BigIntegerField()
    updated_at = FloatField()

    class Meta:
        table_name = "webhook_cursor"
        indexes = ((("box", "source"), True),)


@dataclass(frozen=True)
class Fact:
    """One event found, before it is queued: `at` is when it happened (Unix time)."""

    event: str
    event_id: str
    at: float
    data: dict


def body_of(box: str, fact: Fact) -> str:
    """Gives the JSON body of an event, as it is stored and sent."""
    return json.dumps({"event": fact.event, "id": fact.event_id, "box": box, "at": fact.at,
                       "data": fact.data}, ensure_ascii=False, separators=(",", ":"))


def queued_ids(box: str, event_ids: list[str]) -> set[str]:
    """Gives those of the event ids that are queued already (for any webhook)."""
    found: set[str] = set()
    for start in range(0, len(event_ids), 200):
        chunk = event_ids[start:start + 200]
        found.update(event_id for (event_id,) in _QUEUED[len(chunk)].rows(
            box=box, **{f"id{n}": event_id for n, event_id in enumerate(chunk)}))
    return found


_QUEUED = PreparedSet(lambda count: WebhookDelivery.select(WebhookDelivery.event_id).where(
    (WebhookDelivery.box == Param("box"))
    & WebhookDelivery.event_id.in_([Param(f"id{n}") for n in range(count)])).tuples())


def enqueue(box: str, facts: list[Fact], subscribers: dict[str, tuple[str, ...]],
            now: float) -> int:
    """Queues each fact for every webhook subscribed to its event (name -> events), in one
    transaction; a fact queued before is left alone. Gives the rows written."""
    written = 0
    with db.atomic():
        for fact in facts:
            body = body_of(box, fact)
            for name, events in subscribers.items():
                if fact.event in events:
                    written += _ENQUEUE.run(box=box, webhook=name, event=fact.event,
                                            event_id=fact.event_id, body=body, now=now)
    return written


def position(box: str, source: str) -> int | None:
    row = WebhookCursor.get_or_none(WebhookCursor.box == box, WebhookCursor.source == source)
    return row.position if row is not None else None


_ENQUEUE = Prepared(lambda: WebhookDelivery.insert(
    box=Param("box"), webhook=Param("webhook"), event=Param("event"), event_id=Param("event_id"),
    body=Param("body"), next_attempt_at=Param("now"), created_at=Param("now"))
    .on_conflict_ignore().as_rowcount())
_MOVE_CURSOR = Prepared(lambda: WebhookCursor.insert(
    box=Param("box"), source=Param("source"), position=Param("to"), updated_at=Param("now"))
    .on_conflict(conflict_target=[WebhookCursor.box, WebhookCursor.source],
                 update={WebhookCursor.position: Param("to"),
                         WebhookCursor.updated_at: Param("now")}))
_HEAD = Prepared(lambda: WebhookDelivery.select()
                 .where((WebhookDelivery.box == Param("box")) & (WebhookDelivery.state == PENDING)
                        & (WebhookDelivery.webhook == Param("webhook")))
                 .order_by(WebhookDelivery.id).limit(1))
_DELIVERED = Prepared(lambda: WebhookDelivery.update(
    state=DELIVERED, attempts=WebhookDelivery.attempts + 1, last_status=Param("status"),
    last_error="", delivered_at=Param("now")).where(WebhookDelivery.id == Param("id")))


def move_cursor(box: str, source: str, to: int, now: float) -> None:
    _MOVE_CURSOR.run(box=box, source=source, to=to, now=now)


def heads(box: str, webhooks: list[str]) -> list[WebhookDelivery]:
    """Gives each webhook's oldest pending delivery (they go out in order, one at a time)."""
    found = []
    for name in webhooks:
        head = _HEAD.first(box=box, webhook=name)
        if head is not None:
            found.append(head)
    return found


def delivered(delivery_id: int, status: int, now: float) -> None:
    _DELIVERED.run(status=status, now=now, id=delivery_id)


def attempt_failed(delivery: WebhookDelivery, status: int | None, error: str,
                   backoff: tuple[float, ...], now: float) -> bool:
    """Records a failed attempt: the next one after the back-off's wait for it, or the
    delivery failed for good after the last wait. Gives True when it failed for good."""
    attempts = delivery.attempts + 1
    final = attempts > len(backoff)
    wait = 0.0 if final else backoff[attempts - 1]
    WebhookDelivery.update(state=FAILED if final else PENDING, attempts=attempts,
                           last_status=status, last_error=error[:500],
                           next_attempt_at=now + wait).where(
        WebhookDelivery.id == delivery.id).execute()
    return final


def retry(box: str, delivery_id: int, now: float) -> WebhookDelivery:
    """Queues a failed delivery again, to go out first; LookupError when there is no such
    delivery, ValueError when it did not fail."""
    row = WebhookDelivery.get_or_none(WebhookDelivery.id == delivery_id,
                                      WebhookDelivery.box == box)
    if row is None:
        raise LookupError(f"no webhook delivery {delivery_id}")
    if row.state != FAILED:
        raise ValueError(f"webhook delivery {delivery_id} is {row.state}, not failed: "
                         "only a failed one is retried")
    WebhookDelivery.update(state=PENDING, attempts=0, next_attempt_at=now).where(
        WebhookDelivery.id == delivery_id).execute()
    return WebhookDelivery.get_by_id(delivery_id)


def recent(box: str, webhook: str | None = None):
    """Gives the query of this box's deliveries, newest first (one webhook's, if named)."""
    query = WebhookDelivery.select().where(WebhookDelivery.box == box)
    if webhook:
        query = query.where(WebhookDelivery.webhook == webhook)
    return query.order_by(WebhookDelivery.id.desc())


def counts(box: str) -> dict[tuple[str, str], int]:
    """Gives (webhook, state) -> deliveries of this box."""
    rows = (WebhookDelivery.select(WebhookDelivery.webhook, WebhookDelivery.state,
                                   fn.COUNT(WebhookDelivery.id).alias("count"))
            .where(WebhookDelivery.box == box)
            .group_by(WebhookDelivery.webhook, WebhookDelivery.state))
    return {(row.webhook, row.state): row.count for row in rows}


def prune(box: str, before: float) -> int:
    """Deletes delivered and failed rows queued before `before`; gives how many."""
    return WebhookDelivery.delete().where(
        (WebhookDelivery.box == box) & (WebhookDelivery.state != PENDING)
        & (WebhookDelivery.created_at < before)).execute()
