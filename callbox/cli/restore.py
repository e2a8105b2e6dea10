"""`callbox restore FILE`: put a backup back in place of the SQLite database.

Refused while a daemon uses the database: it would keep writing into the
file being replaced. The backup is checked first (an SQLite file, sound,
with callbox's schema at a version this program knows), the current
database is kept beside it as `<database>.before-restore`, and the backup
is copied in and renamed over the database in one step.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import time

from callbox.cli import CommandFailed, add_config_argument, config_path
from callbox.cli.backup import check_integrity, copy_database
from callbox.cli.status import STALE_AFTER
from gateway.config import load
from gateway.store.db import is_url
from gateway.store.migrations import LATEST

CALLBOX_TABLES = ("schema_version", "daemon")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "restore", help="replace the database with a backup (daemon stopped)",
        description="Replace the SQLite database with a file written by `callbox backup`. "
        "Stop the daemon first (systemctl stop callbox). The current database is kept "
        "as <database>.before-restore.")
    parser.add_argument("file", metavar="FILE", help="a backup written by `callbox backup`")
    add_config_argument(parser)
    parser.set_defaults(func=restore)


def restore(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    database = config.gateway.database
    if is_url(database):
        raise CommandFailed("the database is PostgreSQL; restore it with pg_restore")
    backup_file = os.path.abspath(args.file)
    if os.path.exists(database) and os.path.exists(backup_file) \
            and os.path.samefile(database, backup_file):
        raise CommandFailed("FILE is the database itself")
    problem = backup_problem(backup_file)
    if problem:
        raise CommandFailed(f"{backup_file} is not a callbox backup: {problem}")
    try:
        running = running_daemons(database, time.time())
        if running:
            raise CommandFailed(f"a daemon is using {database} ({'; '.join(running)}): "
                                "stop it first (systemctl stop callbox)")
        kept = None
        if os.path.exists(database):
            kept = f"{database}.before-restore"
            copy_database(database, kept, owner_like=database)
            _checkpoint(database)
        else:
            os.makedirs(os.path.dirname(database), exist_ok=True)
        owner = database if os.path.exists(database) else os.path.dirname(database)
        copy_database(backup_file, database, owner_like=owner)
        _remove_stale_wal(database)
    except (sqlite3.Error, OSError) as error:
        raise CommandFailed(f"{backup_file} -> {database}: {error}") from None
    print(f"database {database} restored from {backup_file}"
          + (f"; the previous one is kept as {kept}" if kept else ""))
    return 0


def backup_problem(path: str) -> str | None:
    """Gives why the file is not a usable callbox database, None when it is one."""
    if not os.path.isfile(path):
        return "no such file"
    try:
        problem = check_integrity(path)
        if problem:
            return f"integrity check failed: {problem}"
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = [name for name in CALLBOX_TABLES if name not in tables]
            if missing:
                return f"no table {', '.join(missing)} (not a callbox database)"
            version = connection.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return f"not an SQLite database ({error})"
    if version is None:
        return "its schema_version table is empty"
    if version > LATEST:
        return f"its schema is version {version}, newer than this callbox knows ({LATEST})"
    return None


def running_daemons(database: str, now: float) -> list[str]:
    """Gives a line per daemon that seems to use the database: a fresh heartbeat, not stopped.

    A fresh heartbeat whose pid is gone on this machine is a daemon that died
    (its heartbeat simply has not aged yet), so it does not count.
    """
    if not os.path.exists(database):
        return []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                    "AND name = 'daemon'").fetchone()
        rows = connection.execute("SELECT box, pid, heartbeat_at, status FROM daemon"
                                  ).fetchall() if exists else []
    finally:
        connection.close()
    return [f"box {box}, pid {pid}, heartbeat {max(now - heartbeat_at, 0):.0f} s ago"
            for box, pid, heartbeat_at, status in rows
            if status != "stopped" and now - heartbeat_at < STALE_AFTER and pid_alive(pid)]


def pid_alive(pid: int) -> bool:
    """True unless the process is certainly gone on this machine."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _checkpoint(database: str) -> None:
    """Empties the database's WAL into it, so no old frame is left to replay onto the backup."""
    connection = sqlite3.connect(database, timeout=10)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _remove_stale_wal(database: str) -> None:
    """Removes the old database's WAL and index: replayed onto the new file they would corrupt it."""
    for suffix in ("-wal", "-shm"):
        try:
            os.unlink(database + suffix)
        except FileNotFoundError:
            continue
