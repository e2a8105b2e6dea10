"""`callbox migrate --from SOURCE --to TARGET`: copy a box's database to another one.

Made for moving a single box's SQLite file to the PostgreSQL server that
several boxes will share; it copies between any two callbox databases. Both
are brought to this program's schema first. Every table is copied in the
order the migrations created it (so a row's foreign keys exist before it),
ids kept, inside one transaction on the target: a failure leaves the target
as it was. On PostgreSQL the id sequences are then moved past the copied ids.

The target must be empty (the schema alone counts as empty); `--force`
deletes its rows first, in the same transaction. The source must not be in
use by a running daemon: the copy would miss what the daemon writes next.
"""
from __future__ import annotations

import argparse
import os
import time

from peewee import Column, Database, DatabaseError, SqliteDatabase, Table

from callbox.cli import CommandFailed
from callbox.cli.restore import pid_alive
from callbox.cli.status import STALE_AFTER
from gateway.config import mask_url_password
from gateway.store.db import connect_database, is_postgresql
from gateway.store.migrations import SchemaTooNew, migrate

SQLITE_PREFIX = "sqlite:///"
KEPT_TABLES = {"schema_version"}     # each side keeps its own record of its migrations
SQLITE_VARIABLES = 900               # stay under SQLite's limit of bound values per statement


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy the database to another one (e.g. SQLite to PostgreSQL)",
        description="Copy every table of a callbox database to another, ids kept: e.g. "
        "--from sqlite:///var/lib/callbox/callbox.db --to postgresql://user:pass@host/callbox. "
        "Stop the daemon first. The target must be empty unless --force; then point "
        "[gateway] database at the target.")
    parser.add_argument("--from", dest="source", required=True, metavar="SOURCE",
                        help="sqlite:///PATH (or a plain path) or postgresql://...")
    parser.add_argument("--to", dest="target", required=True, metavar="TARGET",
                        help="postgresql://user:password@host[:port]/database, or sqlite:///PATH")
    parser.add_argument("--force", action="store_true",
                        help="delete the rows the target holds before copying")
    parser.set_defaults(func=run_migrate)


def database_location(text: str, what: str) -> str:
    """Gives an SQLite path or a postgresql:// URL from what the user typed."""
    if text.startswith(SQLITE_PREFIX):
        text = "/" + text[len(SQLITE_PREFIX):].lstrip("/")
    elif "://" in text and not text.startswith(("postgresql://", "postgres://")):
        raise CommandFailed(f"{what} must be sqlite:///PATH or postgresql://..., "
                            f"not {mask_url_password(text)}")
    if not text:
        raise CommandFailed(f"{what} is empty")
    return text


def run_migrate(args: argparse.Namespace) -> int:
    source_at = database_location(args.source, "--from")
    target_at = database_location(args.target, "--to")
    if "://" not in source_at and not os.path.exists(source_at):
        raise CommandFailed(f"no database at {source_at}")
    if source_at == target_at:
        raise CommandFailed("--from and --to name the same database")
    names = f"{mask_url_password(source_at)} -> {mask_url_password(target_at)}"
    source, target = connect_database(source_at), connect_database(target_at)
    try:
        source.connect()
        target.connect()
        migrate(source)
        migrate(target)
        copied = copy_database(source, target, args.force, time.time())
    except (OSError, DatabaseError, SchemaTooNew) as error:
        raise CommandFailed(f"{names}: {error}") from None
    finally:
        source.close()
        target.close()
    print(f"copied {sum(copied.values())} rows in {len(copied)} tables: {names}")
    return 0


def table_order() -> list[str]:
    """Gives the tables in the order the migrations create them."""
    scratch = SqliteDatabase(":memory:")
    migrate(scratch)
    rows = scratch.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                               "ORDER BY rowid").fetchall()
    scratch.close()
    return [name for (name,) in rows if name not in KEPT_TABLES]


def copy_database(source: Database, target: Database, force: bool, now: float) -> dict[str, int]:
    """Copies every table; gives rows copied per table. Prints one line per table."""
    tables = table_order()
    running = running_daemons(source, now)
    if running:
        raise CommandFailed(f"a daemon is using the source ({'; '.join(running)}): "
                            "stop it first (systemctl stop callbox)")
    held = {name: count_rows(target, name) for name in tables}
    if any(held.values()) and not force:
        filled = ", ".join(f"{name} ({rows})" for name, rows in held.items() if rows)
        raise CommandFailed(f"the target is not empty: {filled}; --force deletes those rows "
                            "and copies over them")
    copied = {}
    with source.atomic(), target.atomic():
        for name in reversed(tables):
            if held[name]:
                Table(name).bind(target).delete().execute()
        for number, name in enumerate(tables, 1):
            copied[name] = copy_table(source, target, name)
            print(f"[{number}/{len(tables)}] {name}: {copied[name]} rows", flush=True)
        if is_postgresql(target):
            for name in tables:
                reset_sequence(target, name)
    return copied


def count_rows(database: Database, name: str) -> int:
    return database.execute_sql(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]


def copy_table(source: Database, target: Database, name: str) -> int:
    """Copies one table's rows in batches; gives how many."""
    columns = target.get_columns(name)
    names = [column.name for column in columns]
    missing = set(names) - {column.name for column in source.get_columns(name)}
    if missing:
        raise CommandFailed(f"table {name}: the source lacks the columns {sorted(missing)}")
    # SQLite keeps booleans as 0/1; PostgreSQL wants true/false.
    flags = [column.data_type.lower() == "boolean" for column in columns]
    reader = Table(name).bind(source)
    writer = Table(name).bind(target)
    key = Column(reader, "id" if "id" in names else names[0])
    batch_size = max(1, SQLITE_VARIABLES // len(names))
    batch, copied = [], 0
    for row in reader.select(*[Column(reader, column) for column in names]).order_by(key) \
            .tuples().iterator():
        batch.append([bool(value) if flag and value is not None else value
                      for value, flag in zip(row, flags)])
        if len(batch) == batch_size:
            copied += _insert(writer, names, batch)
            batch = []
    if batch:
        copied += _insert(writer, names, batch)
    return copied


def _insert(writer: Table, names: list[str], rows: list[list]) -> int:
    writer.insert(rows, columns=[Column(writer, column) for column in names]).execute()
    return len(rows)


def reset_sequence(database: Database, name: str) -> None:
    """Moves a serial id's sequence past the ids copied, so the next insert gets a new one."""
    if "id" not in {column.name for column in database.get_columns(name)}:
        return
    # setval(NULL, ...) is NULL: a table whose id is no serial is left alone.
    database.execute_sql(
        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE(MAX(id), 1), "
        f"MAX(id) IS NOT NULL) FROM \"{name}\"")


def running_daemons(database: Database, now: float) -> list[str]:
    """Gives a line per daemon with a fresh heartbeat in the database, not stopped.

    A pid is checked only for SQLite: a PostgreSQL database's daemons may run on
    other machines."""
    daemon = Table("daemon").bind(database)
    rows = daemon.select(*[Column(daemon, name) for name in ("box", "pid", "heartbeat_at",
                                                             "status")]).tuples()
    return [f"box {box}, pid {pid}, heartbeat {max(now - beat, 0):.0f} s ago"
            for box, pid, beat, status in rows
            if status != "stopped" and now - beat < STALE_AFTER
            and (is_postgresql(database) or pid_alive(pid))]
