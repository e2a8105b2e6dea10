"""gateway.store.retention: old call records and SMS move to CSV files, the rest stays."""
from __future__ import annotations

import calendar
import csv

from peewee import Table
import pytest

from gateway.config import ConfigError, parse
from gateway.store.db import close_database, db, open_database
from gateway.store.retention import DAY, archive_old

NOW = calendar.timegm((2026, 11, 26, 12, 0, 0))


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield
    close_database()


def add_cdr(started_at: float, number: str = "+4915110000002") -> None:
    Table("cdr").bind(db).insert(box="box", role="leg_b", direction="out", number=number,
                                 modem="m1", started_at=started_at, cost=12,
                                 billed_seconds=60, cause='normal, "quoted"').execute()


def add_sms(received_at: float, text: str) -> None:
    Table("sms_in").bind(db).insert(box="box", modem="m1", dedup_key=f"key-{received_at}-{text}",
                                    pdu="00", sender="+4915110000003",
                                    sender_raw="+4915110000003", text=text, state="done",
                                    received_at=received_at).execute()
    Table("sms_out").bind(db).insert(box="box", number="+4915110000003", text=text,
                                     kind="reply", state="sent", reason="", attempts=1,
                                     next_attempt_at=received_at, created_at=received_at,
                                     parts=1, delivery="", delivery_status="").execute()
    Table("sms_sent_count").bind(db).insert(iccid="89490200001234567890",
                                            quarter=received_at // 900 * 900, parts=1).execute()


def add_event(at: float) -> None:
    """One event of a call's timeline (gateway/calls/timeline.py), of a session of `at`."""
    Table("session").bind(db).insert(box="box", kind="callback", number="+49151", reserved=0,
                                     state="settled", started_at=at, heartbeat_at=at).execute()
    session = db.execute_sql("SELECT MAX(id) FROM session").fetchone()[0]
    Table("session_event").bind(db).insert(session_id=session, at=at, leg=1, role="callback",
                                           number="+49151", kind="leg", what="dialing",
                                           detail="m1").execute()


def count(table: str) -> int:
    return db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def test_old_rows_move_to_csv_and_new_rows_stay(database, tmp_path):
    add_cdr(NOW - 800 * DAY, "+4915110000009")
    add_cdr(NOW - 731 * DAY)
    add_cdr(NOW - 729 * DAY)
    add_cdr(NOW - 1 * DAY)
    add_sms(NOW - 900 * DAY, "old, with a comma\nand a line")
    add_sms(NOW - 10 * DAY, "new")
    add_event(NOW - 731 * DAY)
    add_event(NOW - 1 * DAY)
    archive = tmp_path / "archive"
    moved = archive_old(NOW, 730, archive)
    assert {item.table: item.rows for item in moved} == {"cdr": 2, "sms_in": 1, "sms_out": 1,
                                                         "session_event": 1, "sms_sent_count": 1}
    assert (count("cdr"), count("sms_in"), count("sms_out")) == (2, 1, 1)
    assert count("sms_sent_count") == 1
    assert count("session_event") == 1
    assert read_csv(archive / "session_event-2026-11-26.csv")[0]["what"] == "dialing"
    rows = read_csv(archive / "cdr-2026-11-26.csv")
    assert [row["number"] for row in rows] == ["+4915110000009", "+4915110000002"]
    assert rows[0]["cause"] == 'normal, "quoted"' and rows[0]["cost"] == "12"
    assert read_csv(archive / "sms_in-2026-11-26.csv")[0]["text"] == "old, with a comma\nand a line"
    assert read_csv(archive / "sms_out-2026-11-26.csv")[0]["text"] == "old, with a comma\nand a line"
    assert not list(archive.glob("*.tmp"))


def test_nothing_old_writes_no_file(database, tmp_path):
    add_cdr(NOW - 5 * DAY)
    assert archive_old(NOW, 730, tmp_path / "archive") == []
    assert count("cdr") == 1
    assert not (tmp_path / "archive").exists() or not list((tmp_path / "archive").iterdir())


def test_a_second_run_the_same_day_writes_a_new_file(database, tmp_path):
    archive = tmp_path / "archive"
    add_cdr(NOW - 40 * DAY)
    archive_old(NOW, 30, archive)
    add_cdr(NOW - 35 * DAY)
    moved = archive_old(NOW + 60, 30, archive)
    assert [item.path.name for item in moved] == ["cdr-2026-11-26-2.csv"]
    assert len(read_csv(archive / "cdr-2026-11-26.csv")) == 1
    assert len(read_csv(archive / "cdr-2026-11-26-2.csv")) == 1
    assert count("cdr") == 0


def test_rows_stay_when_the_file_cannot_be_written(database, tmp_path):
    add_cdr(NOW - 40 * DAY)
    blocked = tmp_path / "a-file"
    blocked.write_text("a file, not a folder")
    with pytest.raises(OSError):
        archive_old(NOW, 30, blocked / "archive")
    assert count("cdr") == 1


def test_missing_sms_tables_are_skipped(database, tmp_path):
    db.execute_sql("DROP TABLE sms_out_part")     # its rows belong to sms_out's
    db.execute_sql("DROP TABLE sms_out")
    add_cdr(NOW - 40 * DAY)
    assert [item.table for item in archive_old(NOW, 30, tmp_path / "archive")] == ["cdr"]


def test_retention_configuration():
    gateway = parse({"gateway": {"state_dir": "/srv/box"}}).gateway
    assert (gateway.retention_days, gateway.archive_dir) == (730, "/srv/box/archive")
    gateway = parse({"gateway": {"retention_days": 90, "archive_dir": "old"}}).gateway
    assert (gateway.retention_days, gateway.archive_dir) == (90, "/var/lib/callbox/old")
    for wrong in (0, 36501, "30", 1.5):
        with pytest.raises(ConfigError, match="retention_days"):
            parse({"gateway": {"retention_days": wrong}})
