"""Schema migrations: an ordered list, each applied once in its own transaction.

A migration describes the tables as they were at its version, with its own
model classes, and never imports the live models (gateway/store/db.py and the
models of each room): those keep changing, and migration 1 must create the same
tables on a new box next year as it did today. To change the schema, append a
migration (playhouse.migrate's SchemaMigrator for columns) to MIGRATIONS, in the
newest `vNN_vMM.py` module or a new one when that one grows long, and change the
live model to match.

This package imports gateway/store/engine.py only; gateway/store/db.py imports it
to migrate on open, so the two never import each other.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
import logging
import time

from peewee import Database

from gateway.store.engine import SchemaVersion, is_postgresql
from gateway.store.migrations.v01_v03 import (v1_status_daemon_event_log, v2_accounts_rates_calls,
                                              v3_sms)
from gateway.store.migrations.v04_v11 import (v4_web_users_sessions, v5_caller_id_codes, v6_boxes,
                                              v7_money_64_bit, v8_call_intents,
                                              v9_account_numbers_pin_locks, v10_sms_health,
                                              v11_audit_records)
from gateway.store.migrations.v12_v16 import (v12_alerts_delivered, v13_sim_usage,
                                              v14_sim_credit_requests,
                                              v15_webhook_deliveries, v16_modem_recovery,
                                              v17_sms_delivery_reports)
from gateway.store.migrations.v17_on import (v18_languages, v19_session_events,
                                             v20_sms_sent_count)

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x63616C6C   # PostgreSQL advisory lock key: "call" in ASCII


class SchemaTooNew(Exception):
    """The database was migrated by a newer callbox than this one."""


# (version, what it does, function): append only; never change or reorder a shipped entry.
MIGRATIONS: tuple[tuple[int, str, Callable[[Database], None]], ...] = (
    (1, "modem status, daemon heartbeat, event log", v1_status_daemon_event_log),
    (2, "accounts, caller IDs, rates, sessions, call records", v2_accounts_rates_calls),
    (3, "SMS in, SMS commands, SMS outbox, admin alerts", v3_sms),
    (4, "web logins, web sessions, failed web logins", v4_web_users_sessions),
    (5, "codes texted to confirm a caller ID added on the web", v5_caller_id_codes),
    (6, "boxes sharing the database, with their heartbeat", v6_boxes),
    (7, "money columns 64-bit on PostgreSQL", v7_money_64_bit),
    (8, "call intents recorded by SMS commands", v8_call_intents),
    (9, "account numbers hard to guess; PIN locks per calling number",
     v9_account_numbers_pin_locks),
    (10, "SMS pipeline health per modem (SMS waiting on the SIM, failures)", v10_sms_health),
    (11, "audit records: who changed what, how and when", v11_audit_records),
    (12, "alerts: one open per cause, repeats, recovery, delivery", v12_alerts_delivered),
    (13, "SIM usage: the SIM and parts of each SMS sent; call records by SIM", v13_sim_usage),
    (14, "SIM credit history, requests to the daemon's modems, SIM keep-alives",
     v14_sim_credit_requests),
    (15, "webhook deliveries (a persistent queue and its log) and their cursors",
     v15_webhook_deliveries),
    (16, "modem status: the last recovery step and how many", v16_modem_recovery),
    (17, "SMS delivery reports: delivery of each text, message reference of each part",
     v17_sms_delivery_reports),
    (18, "languages: an account's language, the language a caller chose by number",
     v18_languages),
    (19, "call timelines: each leg's states, prompts played, keys typed (PIN masked)",
     v19_session_events),
    (20, "SMS sent counted by SIM and quarter of an hour (what SMS limits read)",
     v20_sms_sent_count),
)
LATEST = max(version for version, _, _ in MIGRATIONS)   # 13 landed after 14..17


def schema_version(database: Database) -> int:
    """Gives the newest migration applied to the database, 0 for none."""
    with database.bind_ctx([SchemaVersion]):
        if not database.table_exists(SchemaVersion._meta.table_name):
            return 0
        newest = SchemaVersion.select(SchemaVersion.version).order_by(
            SchemaVersion.version.desc()).limit(1).scalar()
    return newest or 0


@contextmanager
def _one_migrator(database: Database):
    """Lets one process at a time migrate. SQLite's BEGIN IMMEDIATE does it
    already; PostgreSQL's DDL does not wait for a rival's CREATE TABLE, it fails
    on it, so there the processes queue on an advisory lock."""
    if not is_postgresql(database):
        yield
        return
    database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        yield
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def migrate(database: Database) -> list[int]:
    """Applies the migrations the database lacks; gives the versions applied."""
    with _one_migrator(database):
        return _migrate(database)


def _migrate(database: Database) -> list[int]:
    applied: list[int] = []
    with database.bind_ctx([SchemaVersion]):
        database.create_tables([SchemaVersion], safe=True)
        current = schema_version(database)
        if current > LATEST:
            raise SchemaTooNew(f"the database schema is version {current}, newer than this "
                               f"callbox knows ({LATEST}): upgrade callbox")
        done = {row.version for row in SchemaVersion.select(SchemaVersion.version)}
        for version, name, apply in MIGRATIONS:
            if version in done:         # no write transaction for what is there already
                continue
            with database.atomic():
                # Checked again inside the transaction: another process may have won.
                if SchemaVersion.get_or_none(SchemaVersion.version == version) is not None:
                    continue
                apply(database)
                SchemaVersion.create(version=version, name=name, applied_at=time.time())
            log.info("database migrated to version %d: %s", version, name)
            applied.append(version)
    return applied
