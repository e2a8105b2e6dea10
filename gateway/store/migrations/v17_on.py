"""Migrations 18 and on: callers in their own language (18), call timelines (19), SMS
sent counted by SIM and quarter of an hour (20).

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import (AutoField, CharField, Database, FloatField, ForeignKeyField, IntegerField,
                    Model)
from playhouse.migrate import SchemaMigrator, migrate as apply_changes


def v18_languages(database: Database) -> None:
    """account.language: the language its callers hear (an ISO 639-1 code like "de", NULL:
    decided by the calling number); caller_language: the language a caller without one
    chose in the language menu, by calling number (E.164)."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(migrator.add_column("account", "language", CharField(null=True)))

    class CallerLanguage(Model):
        id = AutoField()
        number = CharField(unique=True)
        language = CharField()
        chosen_at = FloatField()

        class Meta:
            legacy_table_names = False
            table_name = "caller_language"

    with database.bind_ctx([CallerLanguage]):
        database.create_tables([CallerLanguage], safe=False)


def v19_session_events(database: Database) -> None:
    """session_event: what happened in each call, in order (each leg's states with the
    cause it ended with, the prompts played, the keys typed, PIN digits masked), for the
    call's detail page (gateway/calls/timeline.py)."""

    class Session(Model):
        id = AutoField()

        class Meta:
            legacy_table_names = False
            table_name = "session"

    class SessionEvent(Model):
        id = AutoField()
        session = ForeignKeyField(Session, on_delete="CASCADE")
        at = FloatField()
        leg = IntegerField(null=True)      # the leg's place in the session (1 the first)
        role = CharField(default="")       # callback | destination | trigger; "" none
        number = CharField(default="")     # the leg's number (E.164)
        kind = CharField()                 # leg | prompt | key
        what = CharField()                 # the state word, the prompt names, the key
        detail = CharField(default="")     # a leg's modem; the cause it ended with

        class Meta:
            legacy_table_names = False
            table_name = "session_event"
            indexes = ((("session", "at"), False),)

    with database.bind_ctx([Session, SessionEvent]):
        database.create_tables([SessionEvent], safe=False)


def v20_sms_sent_count(database: Database) -> None:
    """sms_sent_count: the SMS parts sent on each SIM (ICCID) in each quarter of an hour
    (its start, a multiple of 900 Unix seconds), what a SIM's SMS limit counts; filled
    from the texts sent so far."""

    class SmsSentCount(Model):
        id = AutoField()
        iccid = CharField()
        quarter = FloatField()
        parts = IntegerField(default=0)

        class Meta:
            legacy_table_names = False
            table_name = "sms_sent_count"
            indexes = ((("iccid", "quarter"), True),)

    class SmsOut(Model):
        id = AutoField()
        state = CharField()
        iccid = CharField(null=True)
        parts = IntegerField()
        sent_at = FloatField(null=True)

        class Meta:
            legacy_table_names = False
            table_name = "sms_out"

    with database.bind_ctx([SmsSentCount, SmsOut]):
        database.create_tables([SmsSentCount], safe=False)
        counts: dict[tuple[str, float], int] = {}
        sent = (SmsOut.select(SmsOut.iccid, SmsOut.sent_at, SmsOut.parts)
                .where((SmsOut.state == "sent") & SmsOut.iccid.is_null(False)
                       & SmsOut.sent_at.is_null(False)).tuples())
        for iccid, sent_at, parts in sent.iterator():
            key = (iccid, (sent_at // 900) * 900)
            counts[key] = counts.get(key, 0) + (parts or 1)
        rows = [dict(iccid=iccid, quarter=quarter, parts=parts)
                for (iccid, quarter), parts in sorted(counts.items())]
        for start in range(0, len(rows), 500):
            SmsSentCount.insert_many(rows[start:start + 500]).execute()
