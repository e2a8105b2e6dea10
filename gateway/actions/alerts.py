"""Alerts as the doors see them: this box's list, the open count, and acknowledging one.

The Alerts page, its JSON API and `callbox alerts list` read here; an
acknowledgement is an admin's change, so it is audited like any other. It
only says that someone has seen the alert: delivery and recovery go on.
"""
from __future__ import annotations

from peewee import Case

from gateway.actions.audit import ActionError, Actor, record
from gateway.store.alerts import Alert
from gateway.store.db import db


class NoSuchAlert(ActionError):
    def __init__(self, alert_id: int):
        super().__init__(f"no alert {alert_id} on this box", "alert")


def listing(box: str, open_only: bool = False):
    """Gives this box's alerts, open ones first, then recovered ones and notices, each
    newest first (a query: page it)."""
    query = Alert.select().where(Alert.box == box)
    if open_only:
        query = query.where(Alert.state == "open")
    return query.order_by(Case(None, ((Alert.state == "open", 0),), 1), Alert.at.desc(),
                          Alert.id.desc())


def open_count(box: str) -> int:
    """Gives how many of this box's alerts are open and not acknowledged."""
    return Alert.select().where(Alert.box == box, Alert.state == "open",
                                Alert.acknowledged == False).count()  # noqa: E712 (SQL)


def acknowledge(actor: Actor, box: str, alert_id: int, now: float) -> Alert:
    """Marks the alert seen; gives it. Acknowledging it again changes nothing."""
    with db.atomic():
        alert = Alert.get_or_none(Alert.id == alert_id, Alert.box == box)
        if alert is None:
            raise NoSuchAlert(alert_id)
        if not alert.acknowledged:
            Alert.update(acknowledged=True).where(Alert.id == alert_id).execute()
            record(actor, "acknowledge_alert", None,
                   f"alert {alert_id} acknowledged: {alert.kind}"
                   + (f" ({alert.subject})" if alert.subject else ""), now)
    return Alert.get_by_id(alert_id)
