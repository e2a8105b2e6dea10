"""Migrations 18 and on: callers in their own language.

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import AutoField, CharField, Database, FloatField, Model
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
