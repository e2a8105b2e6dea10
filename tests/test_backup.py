"""`callbox backup` and `callbox restore`, run as real subprocesses on a real SQLite file."""
from __future__ import annotations

import os
from pathlib import Path
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from gateway.store.db import close_database, open_database

ROOT = Path(__file__).resolve().parent.parent


def callbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


@pytest.fixture
def box(tmp_path):
    """A configuration and its migrated database; gives (config path, database path)."""
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "callbox.db"\n'
                      'box = "testbox"\n')
    database = tmp_path / "callbox.db"
    open_database(str(database))
    close_database()
    return config, database


def log_events(database: Path, count: int, first: int = 0) -> None:
    connection = sqlite3.connect(database, timeout=30)
    try:
        for number in range(first, first + count):
            with connection:
                connection.execute("INSERT INTO event_log (box, at, kind, message) "
                                   "VALUES ('testbox', ?, 'test', ?)", (number, f"event {number}"))
    finally:
        connection.close()


def count_events(database: Path) -> int:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*) FROM event_log").fetchone()[0]
    finally:
        connection.close()


def write_heartbeat(database: Path, *, age: float, pid: int, status: str = "1/1 modems up"):
    connection = sqlite3.connect(database, timeout=30)
    with connection:
        connection.execute("INSERT OR REPLACE INTO daemon (box, pid, version, started_at, "
                           "heartbeat_at, status) VALUES ('testbox', ?, '0', ?, ?, ?)",
                           (pid, time.time() - 600, time.time() - age, status))
    connection.close()


def test_backup_while_another_thread_writes(box, tmp_path):
    config, database = box
    log_events(database, 50)
    stop = threading.Event()
    written = []

    def writer():
        number = 1000
        while not stop.is_set():
            log_events(database, 1, number)
            written.append(number)
            number += 1

    thread = threading.Thread(target=writer, name="test-writer", daemon=True)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        result = callbox("backup", str(tmp_path / "copy.db"), "--config", str(config))
    finally:
        stop.set()
        thread.join(10)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "copy.db"
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        numbers = [row[0] for row in connection.execute("SELECT at FROM event_log ORDER BY id")]
    finally:
        connection.close()
    # A copy as of one moment: the first events, then an unbroken run of the writer's.
    assert numbers[:50] == list(range(50))
    tail = numbers[50:]
    assert len(tail) >= 20 and tail == list(range(1000, 1000 + len(tail)))
    assert not list(tmp_path.glob("copy.db.tmp-*"))


def test_backup_of_a_postgresql_database_points_to_pg_dump(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text('[gateway]\ndatabase = "postgresql://callbox:secret@db.local/callbox"\n')
    result = callbox("backup", str(tmp_path / "copy.db"), "--config", str(config))
    assert result.returncode == 1
    assert "pg_dump" in result.stderr
    assert not (tmp_path / "copy.db").exists()


def test_restore_refused_while_the_daemon_runs(box, tmp_path):
    config, database = box
    assert callbox("backup", str(tmp_path / "copy.db"), "--config", str(config)).returncode == 0
    write_heartbeat(database, age=2, pid=os.getpid())
    log_events(database, 3)
    result = callbox("restore", str(tmp_path / "copy.db"), "--config", str(config))
    assert result.returncode == 1
    assert "stop it first" in result.stderr
    assert count_events(database) == 3


def test_restore_works_when_the_heartbeat_is_stale(box, tmp_path):
    config, database = box
    log_events(database, 5)
    assert callbox("backup", str(tmp_path / "copy.db"), "--config", str(config)).returncode == 0
    log_events(database, 7, 100)
    write_heartbeat(database, age=120, pid=os.getpid())
    result = callbox("restore", str(tmp_path / "copy.db"), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert count_events(database) == 5
    assert count_events(Path(f"{database}.before-restore")) == 12
    # The restored file is a working database for the box.
    assert callbox("status", "--config", str(config)).returncode == 1   # no daemon, but readable


def test_restore_when_the_daemon_stopped_or_died(box, tmp_path):
    config, database = box
    assert callbox("backup", str(tmp_path / "copy.db"), "--config", str(config)).returncode == 0
    write_heartbeat(database, age=1, pid=os.getpid(), status="stopped")
    assert callbox("restore", str(tmp_path / "copy.db"), "--config",
                   str(config)).returncode == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    write_heartbeat(database, age=1, pid=int(dead.stdout))
    assert callbox("restore", str(tmp_path / "copy.db"), "--config",
                   str(config)).returncode == 0


@pytest.mark.parametrize("content", [b"not a database at all" * 100, b""])
def test_restore_refuses_a_file_that_is_not_a_backup(box, tmp_path, content):
    config, database = box
    log_events(database, 2)
    junk = tmp_path / "junk.db"
    junk.write_bytes(content)
    result = callbox("restore", str(junk), "--config", str(config))
    assert result.returncode == 1
    assert "not a callbox backup" in result.stderr
    assert count_events(database) == 2


def test_restore_refuses_an_sqlite_file_of_another_program(box, tmp_path):
    config, _ = box
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.commit()
    connection.close()
    result = callbox("restore", str(other), "--config", str(config))
    assert result.returncode == 1
    assert "not a callbox database" in result.stderr
