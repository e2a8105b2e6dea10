"""gateway.worker.Worker: the one loop every background job of the box runs on.

Real threads, real SQLite files and a real PostgreSQL server (stopped under a
worker to make a real outage); the outage watch is the real DatabaseWatch."""
from __future__ import annotations

from dataclasses import dataclass
import logging
import sqlite3
import threading

import pytest

from gateway.money.journal import Journal, price_and_settle
from gateway.store.db import close_database, db, open_database
from gateway.store.outage import DatabaseWatch
from gateway.worker import Worker

WAIT = 10.0     # seconds an event may take on a busy machine


@dataclass(frozen=True)
class Note:
    text: str


class Notes:
    """What a worker's steps did, in order, with an event per awaited count."""

    def __init__(self):
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def add(self, text: str) -> None:
        with self._lock:
            self.seen.append(text)
            self._changed.notify_all()

    def wait(self, count: int) -> list[str]:
        with self._lock:
            assert self._changed.wait_for(lambda: len(self.seen) >= count, WAIT), self.seen
            return list(self.seen)


@pytest.fixture
def stopped():
    """Stops the workers a test started, even when it fails."""
    workers: list[Worker] = []
    yield workers.append
    for worker in workers:
        worker.stop(5.0)


def test_a_failing_step_is_logged_with_the_workers_name_and_the_loop_goes_on(caplog, stopped):
    notes = Notes()

    def handle(note: Note) -> None:
        if note.text == "bad":
            raise ValueError("a bug in one step")
        notes.add(note.text)

    worker = Worker("test-steps", handle)
    stopped(worker)
    worker.start()
    with caplog.at_level(logging.ERROR, logger="gateway.worker"):
        worker.put(Note("bad"))
        worker.put(Note("good"))
        assert notes.wait(1) == ["good"]
    failures = [record for record in caplog.records if record.exc_info]
    assert len(failures) == 1
    assert failures[0].getMessage() == "test-steps: error while handling Note"
    assert "a bug in one step" in caplog.text
    assert worker.alive()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_lost_database_is_told_to_the_outage_watch(engine, tmp_path, request, stopped):
    if engine == "sqlite":
        path = tmp_path / "gone" / "callbox.db"      # its folder is removed: cannot open
        open_database(str(path))
        close_database()
        for item in path.parent.iterdir():
            item.unlink()
        path.parent.rmdir()
    else:
        cluster = request.getfixturevalue("own_pg_cluster")
        open_database(cluster.new_database())
        close_database()
        cluster.stop_server()
    watch = DatabaseWatch(Journal(tmp_path / "journal.db"), price_and_settle)
    notes = Notes()

    def handle(note: Note) -> None:
        if note.text == "query":
            db.execute_sql("SELECT 1")
        notes.add(note.text)

    worker = Worker("test-database", handle, watch=watch)
    stopped(worker)
    worker.start()
    worker.put(Note("query"))
    worker.put(Note("after"))
    assert notes.wait(1) == ["after"], "the loop did not go on after the outage"
    assert watch.down and watch.reason, "the outage watch was not told"
    assert worker.alive()


def test_timers_fire_in_due_order(stopped):
    notes = Notes()
    worker = Worker("test-timers")
    stopped(worker)
    worker.after("third", 0.06, "noting third", notes.add, "third")
    worker.after("first", 0.02, "noting first", notes.add, "first")
    worker.after("second", 0.04, "noting second", notes.add, "second")
    worker.after("never", 0.01, "noting never", notes.add, "never")
    worker.cancel("never")
    worker.after("fourth", 3600.0, "noting fourth", notes.add, "fourth")
    worker.sooner("fourth", 0.08)            # brought forward from an hour away
    worker.sooner("first", 3600.0)           # never put off by sooner
    worker.start()
    assert notes.wait(4) == ["first", "second", "third", "fourth"]
    assert worker.due("first") is None       # a one-shot timer is gone once it fired


def test_a_paced_timer_runs_again_after_the_seconds_its_action_gives(stopped):
    notes = Notes()
    worker = Worker("test-paced")
    stopped(worker)

    def look() -> float:
        notes.add("look")
        return 0.0 if len(notes.seen) < 3 else 3600.0   # again at once, twice; then later

    worker.paced("look", 3600.0, "looking", look)
    worker.start()
    assert notes.wait(3) == ["look"] * 3
    assert worker.due("look") is not None       # and due again within the hour


def test_what_a_plain_timer_gives_back_is_not_a_pace(stopped):
    notes = Notes()
    worker = Worker("test-plain")
    stopped(worker)

    def count_rows() -> int:            # like an UPDATE giving the rows it changed
        notes.add("once")
        return 0

    worker.after("once", 0.0, "updating", count_rows)
    worker.every("every", 3600.0, "updating", count_rows)
    worker.after("last", 0.05, "noting last", notes.add, "last")
    worker.start()
    assert notes.wait(3) == ["once", "once", "last"]     # a busy loop would say "once" more
    assert worker.stop(WAIT)
    assert notes.seen == ["once", "once", "last"]


def test_a_wake_from_another_thread_runs_the_timer_at_once(stopped):
    notes = Notes()
    worker = Worker("test-wake")
    stopped(worker)
    worker.every("send", 3600.0, "sending", notes.add, "send", first=3600.0)
    worker.start()
    worker.sooner("send")
    assert notes.wait(1) == ["send"]


def test_messages_queued_before_the_stop_are_handled_then_on_stop_runs(stopped):
    notes = Notes()
    worker = Worker("test-stop", lambda note: notes.add(note.text),
                    on_stop=lambda: notes.add("stopped"))
    stopped(worker)
    worker.start()
    for text in ("one", "two"):
        worker.put(Note(text))
    assert worker.stop(WAIT)
    assert notes.seen == ["one", "two", "stopped"]
    assert not worker.alive()
    assert worker.stop(WAIT)                     # safe twice


def test_the_worker_closes_its_connection_at_stop(db_url, stopped):
    open_database(db_url)
    close_database()
    connections = []

    def handle(note: Note) -> None:
        db.execute_sql("SELECT 1")
        connections.append(db.connection())

    worker = Worker("test-close", handle)
    stopped(worker)
    worker.start()
    worker.put(Note("query"))
    assert worker.stop(WAIT)
    [connection] = connections
    if isinstance(connection, sqlite3.Connection):
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("SELECT 1")
    else:
        assert connection.closed


def test_alive_turns_false_when_the_thread_has_died(caplog, stopped):
    def handle(note: Note) -> None:
        raise SystemExit(note.text)     # not an Exception: the guard lets it through

    worker = Worker("test-death", handle)
    stopped(worker)
    assert not worker.alive()                    # not started yet
    worker.start()
    assert worker.alive()
    worker.put(Note("the end"))
    worker.thread.join(WAIT)
    assert not worker.alive()
    assert "test-death: the loop itself failed" in caplog.text
