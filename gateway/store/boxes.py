"""The boxes sharing one database: each writes a heartbeat row, any box lists them all.

A box's daemon calls `beat()` from its writer thread every 10 s with what it
runs (modems up of configured, calls in progress, program version); the
admin page on any box shows every box from `list_boxes(now)`, a box whose
last heartbeat is older than OFFLINE_AFTER seconds as offline.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from peewee import CharField, FloatField, IntegerField

from gateway.store.db import BaseModel
from gateway.store.prepared import upsert

OFFLINE_AFTER = 60.0   # seconds without a heartbeat before a box counts as offline


class BoxRecord(BaseModel):
    """The last heartbeat of one box."""

    name = CharField(primary_key=True)
    version = CharField()
    modems_up = IntegerField(default=0)
    modems_total = IntegerField(default=0)
    active_calls = IntegerField(default=0)
    heartbeat_at = FloatField()

    class Meta:
        table_name = "box"


@dataclass(frozen=True)
class BoxState:
    """One box as the admin page shows it."""

    name: str
    version: str
    modems_up: int
    modems_total: int
    active_calls: int
    heartbeat_at: float
    silent_for: float      # seconds since its last heartbeat
    online: bool


def beat(box: str, version: str, modems: Iterable, active_calls: int, now: float) -> None:
    """Writes this box's heartbeat; `modems` are the pool's statuses (each with `.state`)."""
    modems = list(modems)
    upsert(BoxRecord, ("name",), dict(
        name=box, version=version, modems_up=sum(modem.state == "up" for modem in modems),
        modems_total=len(modems), active_calls=active_calls, heartbeat_at=now))


def list_boxes(now: float) -> list[BoxState]:
    """Gives every box that ever wrote a heartbeat, by name, each marked online or offline."""
    return [BoxState(row.name, row.version, row.modems_up, row.modems_total, row.active_calls,
                     row.heartbeat_at, max(0.0, now - row.heartbeat_at),
                     now - row.heartbeat_at <= OFFLINE_AFTER)
            for row in BoxRecord.select().order_by(BoxRecord.name)]
