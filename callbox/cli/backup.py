"""`callbox backup FILE`: a consistent copy of the SQLite database, safe while the box runs.

SQLite's online backup reads the database inside one read transaction; in
WAL mode that never blocks the daemon's writers, and the copy is the
database as of one moment. The copy is written beside FILE and renamed into
place, so FILE is never half written.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from callbox.cli import CommandFailed, add_config_argument, config_path
from gateway.config import load
from gateway.store.db import is_url

BUSY_TIMEOUT = 30.0   # seconds to wait for a writer holding the lock


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "backup", help="copy the database to a file (safe while the box runs)",
        description="Write a consistent copy of the SQLite database to FILE, even while "
        "the daemon runs. Restore it with `callbox restore FILE`.")
    parser.add_argument("file", metavar="FILE", help="the backup file to write")
    add_config_argument(parser)
    parser.set_defaults(func=backup)


def backup(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    database = config.gateway.database
    if is_url(database):
        print("callbox backup: the database is PostgreSQL; back it up with pg_dump "
              "(e.g. pg_dump -Fc -f callbox.dump DBNAME)", file=sys.stderr)
        return 1
    if not os.path.exists(database):
        raise CommandFailed(f"no database at {database}")
    target = os.path.abspath(args.file)
    if os.path.exists(target) and os.path.samefile(target, database):
        raise CommandFailed("FILE is the database itself; name another file")
    try:
        copy_database(database, target)
        problem = check_integrity(target)
    except (sqlite3.Error, OSError) as error:
        raise CommandFailed(f"{database} -> {target}: {error}") from None
    if problem:
        raise CommandFailed(f"the copy {target} fails its integrity check: {problem}")
    print(f"database {database} backed up to {target} ({os.path.getsize(target)} bytes)")
    return 0


def copy_database(source: str, target: str, *, owner_like: str | None = None) -> None:
    """Copies the SQLite database `source` to `target` as of one moment, atomically.

    The copy is a single self-contained file (rollback journal, not WAL), so
    it can be moved and opened alone. With `owner_like`, the copy gets that
    file's owner and mode (a restore run as root must leave the daemon's
    user able to write its database).
    """
    temporary = f"{target}.tmp-{os.getpid()}"
    try:
        reader = sqlite3.connect(source, timeout=BUSY_TIMEOUT)
        try:
            writer = sqlite3.connect(temporary)
            try:
                reader.backup(writer)
                writer.execute("PRAGMA journal_mode=DELETE")
                writer.commit()
            finally:
                writer.close()
        finally:
            reader.close()
        if owner_like is not None:
            _copy_owner(owner_like, temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
        _fsync_directory(os.path.dirname(target))
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def check_integrity(path: str) -> str | None:
    """Gives what SQLite's integrity check finds wrong with the file, None when it is sound."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    return None if rows == ["ok"] else "; ".join(rows[:5])


def _copy_owner(model: str, path: str) -> None:
    status = os.stat(model)
    if os.geteuid() == 0:
        os.chown(path, status.st_uid, status.st_gid)
    os.chmod(path, status.st_mode & 0o7777)


def _fsync_directory(path: str) -> None:
    descriptor = os.open(path or ".", os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
