"""Moves old call records and SMS out of the database into CSV files.

`archive_old(now, retention_days, archive_dir)` is called once a day by the
daemon. For each table it writes the rows older than the retention period
to `<archive_dir>/<table>-<YYYY-MM-DD>.csv` (UTC date of `now`; a second run
the same day writes `<table>-<date>-2.csv`), fsyncs the file and its folder,
and only then deletes those rows, in the same transaction that read them:
a row leaves the database only once it is safely on disk. If the commit
itself fails, the rows stay and the next run writes them again (a duplicate
in the archive, never a loss).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
import logging
import os
from pathlib import Path
import time

from peewee import Table

from gateway.store.db import db

log = logging.getLogger("gateway.store.retention")

DAY = 86400.0
# Table, and the column saying when its row happened (Unix seconds).
# session_event: the calls' timelines (gateway/calls/timeline.py), some twenty rows a call;
# sms_sent_count: the SMS each SIM sent in each quarter of an hour (its SMS limit counts
# today's), up to 96 rows a SIM a day.
ARCHIVED_TABLES = (("cdr", "started_at"), ("sms_in", "received_at"), ("sms_out", "created_at"),
                   ("session_event", "at"), ("sms_sent_count", "quarter"))


@dataclass(frozen=True)
class Archived:
    table: str
    rows: int
    path: Path


def archive_old(now: float, retention_days: int, archive_dir: str | os.PathLike) -> list[Archived]:
    """Gives what was moved: per table with old rows, how many and to which file."""
    if retention_days < 1:
        raise ValueError(f"retention_days must be at least 1, got {retention_days}")
    cutoff = now - retention_days * DAY
    folder = Path(archive_dir)
    done = []
    for table_name, time_column in ARCHIVED_TABLES:
        if not db.table_exists(table_name):
            continue
        archived = _archive_table(table_name, time_column, cutoff, now, folder)
        if archived is not None:
            log.info("archived %d %s rows older than %d days to %s", archived.rows,
                     table_name, retention_days, archived.path)
            done.append(archived)
    return done


def _archive_table(table_name: str, time_column: str, cutoff: float, now: float,
                   folder: Path) -> Archived | None:
    columns = [column.name for column in db.get_columns(table_name)]
    table = Table(table_name, columns).bind(db)
    old = getattr(table, time_column) < cutoff
    with db.atomic():
        rows = list(table.select(*[getattr(table, name) for name in columns]).where(old)
                    .order_by(table.id).tuples())
        if not rows:
            return None
        path = _new_file(folder, table_name, now)
        _write_csv(path, columns, rows)
        last_id = rows[-1][columns.index("id")]
        table.delete().where(old & (table.id <= last_id)).execute()
    return Archived(table_name, len(rows), path)


def _new_file(folder: Path, table_name: str, now: float) -> Path:
    """Gives a file name for this run that no earlier run used."""
    folder.mkdir(parents=True, exist_ok=True)
    date = time.strftime("%Y-%m-%d", time.gmtime(now))
    path = folder / f"{table_name}-{date}.csv"
    number = 2
    while path.exists():
        path = folder / f"{table_name}-{date}-{number}.csv"
        number += 1
    return path


def _write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    """Writes the file under a temporary name, fsyncs it and renames it into place."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "w", newline="", encoding="utf-8") as output:
            writer = csv.writer(output)
            writer.writerow(columns)
            writer.writerows(rows)
            output.flush()
            os.fsync(output.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
