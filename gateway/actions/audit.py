"""The audit trail: one row for every change an action made, in the action's own
transaction, so a change and its record commit or vanish together."""
from __future__ import annotations

from dataclasses import dataclass
import time

from peewee import JOIN, AutoField, CharField, FloatField, ForeignKeyField, TextField

from gateway.money.ledger import Account
from gateway.store.db import BaseModel

VIAS = ("cli", "web", "api", "sms", "phone", "system")


class ActionError(Exception):
    """An action refused, nothing changed; the message says why in plain words. `field`
    names the input at fault (a form field, a JSON key), or is None."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Actor:
    """Who asks for a change, and how: `name` is a web login, an OS user, a phone number
    or "callbox"; `via` one of VIAS; `address` where from (an IP address, a modem)."""

    name: str
    via: str
    address: str = ""

    def __post_init__(self) -> None:
        if self.via not in VIAS:
            raise ValueError(f"unknown way of acting: {self.via!r}")

    def __str__(self) -> str:
        return f"{self.via}:{self.name}"


class AuditRecord(BaseModel):
    """One change: who, how, from where, when, what, to which account."""

    id = AutoField()
    at = FloatField(index=True)
    actor = CharField()                        # Actor.name
    via = CharField()                          # Actor.via
    address = CharField(default="")            # Actor.address
    action = CharField()                       # e.g. "topup", "set_pin", "add_caller_id"
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    detail = TextField(default="")             # plain words; never a PIN or a password

    class Meta:
        table_name = "audit_record"


def record(actor: Actor, action: str, account_id: int | None = None, detail: str = "",
           now: float | None = None) -> AuditRecord:
    """Writes one audit record; call it inside the action's transaction."""
    return AuditRecord.create(at=time.time() if now is None else now, actor=actor.name,
                              via=actor.via, address=actor.address, action=action,
                              account=account_id, detail=detail)


def records(account_id: int | None = None, actor: str | None = None):
    """Gives the audit records, newest first, of one account and/or one actor name (a
    query: page it)."""
    query = (AuditRecord.select(AuditRecord, Account).join(Account, JOIN.LEFT_OUTER)
             .order_by(AuditRecord.at.desc(), AuditRecord.id.desc()))
    if account_id is not None:
        query = query.where(AuditRecord.account == account_id)
    if actor is not None:
        query = query.where(AuditRecord.actor == actor)
    return query
