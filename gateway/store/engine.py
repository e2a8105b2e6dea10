"""The database handle every model is bound to, and how it connects.

`db` is a proxy: models are declared against it at import, and `open_database`
(gateway/store/db.py) binds it to SQLite or PostgreSQL later. SchemaVersion lives
here, not with the live models, because the migrations (gateway/store/migrations/)
need it before any other table exists, and db.py needs the migrations: both import
this module, neither the other.

psycopg is imported only when a postgresql:// database is made (`Psycopg3OnDemand`):
peewee itself is loaded without it (gateway/store/driverless.py).
"""
from __future__ import annotations

import sqlite3
import time
import uuid

from peewee import (CharField, Database, DatabaseProxy, FloatField, IntegerField, Model,
                    PostgresqlDatabase, Psycopg3Adapter, SqliteDatabase)
from playhouse.db_url import connect, register_database

from gateway.store.prepared import PreparedSql

db = DatabaseProxy()

SQLITE_CACHE_KIB = 512
WAL_SWITCH_WAIT = 10.0         # seconds a connection waits for another one's switch to WAL
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,     # milliseconds a writer waits for another
    "synchronous": "normal",   # safe with WAL; fewer writes to the SD card
    # KiB of pages each connection keeps (SQLite's default: 2000). Every thread that uses the
    # database holds a connection (14 in a daemon with 8 modems), and one that once read
    # through a big table kept 2 MB of it for good; the kernel's page cache has the file too.
    "cache_size": -SQLITE_CACHE_KIB,
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


class Psycopg3OnDemand(Psycopg3Adapter):
    """peewee's psycopg 3 adapter, the driver imported when the first PostgreSQL database
    is made rather than with peewee (which then finds none: gateway/store/driverless.py).

    peewee's own methods read the driver from peewee's module; these read it from here.
    """

    def __init__(self):
        # Lazy: psycopg, its libpq and libssl and asyncio are 10.7 MB an SQLite box never uses.
        import psycopg
        from psycopg.pq import TransactionStatus
        from psycopg.types.json import Json, Jsonb
        super().__init__()
        self.driver = psycopg
        self.json_type, self.jsonb_type = Json, Jsonb
        self.txn_idle = TransactionStatus.IDLE
        self.txn_inerror = TransactionStatus.INERROR
        self.txn_unknown = TransactionStatus.UNKNOWN
        self.txn_intrans = TransactionStatus.INTRANS

    def check_driver(self):
        pass        # imported in __init__: an ImportError there says what is missing

    def get_binary_type(self):
        return self.driver.Binary

    def connect(self, db, **params):
        if db._encoding:
            params.setdefault("client_encoding", db._encoding)
        if db.database.startswith("postgresql://"):
            params.setdefault("conninfo", db.database)
        else:
            params.setdefault("dbname", db.database)
        return self.driver.connect(**params)

    def server_side_cursor(self, conn):
        # As peewee's: in a transaction a plain named cursor; otherwise the server wants withhold.
        in_transaction = self.txn_status(conn) == self.txn_intrans
        return conn.cursor(name=str(uuid.uuid1()), withhold=not in_transaction)


class Sqlite(PreparedSql, SqliteDatabase):
    """peewee's SqliteDatabase, running prepared queries (gateway/store/prepared.py)."""

    def _connect(self):
        """Connects; tries again while another process turns a new file to WAL: SQLite
        answers `PRAGMA journal_mode=wal` with "database is locked" at once, without the
        busy timeout, while another connection holds the file for the same switch (two
        processes starting on a fresh box: the daemon and a `callbox` command)."""
        deadline = time.monotonic() + WAL_SWITCH_WAIT
        while True:
            try:
                return super()._connect()      # peewee closes the connection it failed on
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


class PostgresqlOnDemand(PreparedSql, PostgresqlDatabase):
    """peewee's PostgresqlDatabase on psycopg 3, imported when the database is made, running
    prepared queries (gateway/store/prepared.py).

    peewee picks its psycopg2 adapter when it found no psycopg at import (our case), so
    both adapter slots name the psycopg 3 one."""

    psycopg2_adapter = Psycopg3OnDemand
    psycopg3_adapter = Psycopg3OnDemand


register_database(PostgresqlOnDemand, "postgres", "postgresql")


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
    return Sqlite(url_or_path, pragmas=SQLITE_PRAGMAS, timeout=10, lock_type="IMMEDIATE")
