"""The database handle every model is bound to, and how it connects.

`db` is a proxy: models are declared against it at import, and `open_database`
(gateway/store/db.py) binds it to SQLite or PostgreSQL later. SchemaVersion lives
here, not with the live models, because the migrations (gateway/store/migrations/)
need it before any other table exists, and db.py needs the migrations: both import
this module, neither the other.
"""
from __future__ import annotations

from peewee import (CharField, Database, DatabaseProxy, FloatField, IntegerField, Model,
                    PostgresqlDatabase, SqliteDatabase)
from playhouse.db_url import connect

db = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,     # milliseconds a writer waits for another
    "synchronous": "normal",   # safe with WAL; fewer writes to the SD card
}

# peewee maps FloatField to REAL on PostgreSQL: 4 bytes, about 7 digits, which
# rounds a Unix time to minutes. Times need the 8-byte float SQLite gives.
POSTGRESQL_FIELD_TYPES = {"FLOAT": "DOUBLE PRECISION"}


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    """One row per migration applied."""

    version = IntegerField(primary_key=True)
    name = CharField()
    applied_at = FloatField()

    class Meta:
        table_name = "schema_version"


def is_url(database: str) -> bool:
    return "://" in database


def is_postgresql(database: Database) -> bool:
    """Gives whether a peewee database (or the proxy `db`) is PostgreSQL."""
    return isinstance(getattr(database, "obj", database), PostgresqlDatabase)


def connect_database(url_or_path: str) -> Database:
    """Gives an unconnected peewee database for an SQLite path or a database URL."""
    if is_url(url_or_path):
        if not url_or_path.startswith(("postgresql://", "postgres://")):
            raise ValueError("a database URL must start with postgresql://")
        return connect(url_or_path, field_types=POSTGRESQL_FIELD_TYPES)
    return SqliteDatabase(url_or_path, pragmas=SQLITE_PRAGMAS, timeout=10,
                          lock_type="IMMEDIATE")
