"""Migrations 12 and on: the box looking after itself (alerts, SIMs, webhooks, SMS reports).

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import CharField, Database, FloatField, IntegerField, TextField
from playhouse.migrate import SchemaMigrator, migrate as apply_changes


def v12_alerts_delivered(database: Database) -> None:
    """alert: one open alert per cause, its repeats, recovery and delivery."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(
        migrator.add_column("alert", "subject", CharField(default="")),
        migrator.add_column("alert", "advice", TextField(default="")),
        migrator.add_column("alert", "state", CharField(default="notice")),
        migrator.add_column("alert", "repeats", IntegerField(default=0)),
        migrator.add_column("alert", "last_at", FloatField(null=True)),
        migrator.add_column("alert", "recovered_at", FloatField(null=True)),
        migrator.add_column("alert", "recovery", TextField(default="")),
        migrator.add_column("alert", "sent_at", FloatField(null=True)),
        migrator.add_column("alert", "recovery_sent_at", FloatField(null=True)),
        migrator.add_column("alert", "attempts", IntegerField(default=0)),
        migrator.add_column("alert", "next_attempt_at", FloatField(null=True)),
        migrator.add_column("alert", "last_error", TextField(default="")),
    )
    # Alerts from before had no delivery: they count as delivered (the log said them).
    database.execute_sql("UPDATE alert SET subject = COALESCE(modem, ''), sent_at = at")
    apply_changes(migrator.add_index("alert", ("box", "kind", "subject", "state"), unique=False))
