"""Prepared queries (gateway/store/prepared.py) on real SQLite and PostgreSQL."""
from __future__ import annotations

from peewee import fn
import pytest

from gateway.store.db import EventLogRecord, ModemStatusRecord, close_database, open_database
from gateway.store.engine import PostgresqlOnDemand, Sqlite, db
from gateway.store.prepared import Param, Prepared

BY_KIND = Prepared(lambda: EventLogRecord.select()
                   .where((EventLogRecord.box == Param("box"))
                          & (EventLogRecord.kind == Param("kind")))
                   .order_by(EventLogRecord.id))
NEWEST = Prepared(lambda: EventLogRecord.select().where(EventLogRecord.box == Param("box"))
                  .order_by(EventLogRecord.id.desc()).limit(1))
COUNT = Prepared(lambda: EventLogRecord.select(fn.COUNT(EventLogRecord.id))
                 .where(EventLogRecord.box == Param("box")).tuples())
ADD = Prepared(lambda: EventLogRecord.insert(box=Param("box"), at=Param("at", EventLogRecord.at),
                                             kind=Param("kind"), message=Param("message")))
RENAME = Prepared(lambda: EventLogRecord.update(message=Param("message", EventLogRecord.message))
                  .where(EventLogRecord.id == Param("id")))
UPSERT = Prepared(lambda: ModemStatusRecord.insert(
    box=Param("box"), name=Param("name"), state="up",
    in_call=Param("in_call", ModemStatusRecord.in_call), rssi=Param("rssi", ModemStatusRecord.rssi),
    updated_at=Param("at", ModemStatusRecord.updated_at))
    .on_conflict(conflict_target=[ModemStatusRecord.box, ModemStatusRecord.name],
                 update={ModemStatusRecord.in_call: Param("in_call", ModemStatusRecord.in_call),
                         ModemStatusRecord.rssi: Param("rssi", ModemStatusRecord.rssi)}))


class Counting:
    """Counts the SQL texts the database builds."""

    built = 0

    def get_sql_context(self, **options):
        self.built += 1
        return super().get_sql_context(**options)


@pytest.fixture
def database(db_url):
    opened = open_database(db_url)
    kind = PostgresqlOnDemand if isinstance(opened, PostgresqlOnDemand) else Sqlite
    counting = type("Counting" + kind.__name__, (Counting, kind), {})(
        opened.database, **opened.connect_params)
    opened.close()
    db.initialize(counting)
    yield counting
    close_database()


def test_a_prepared_query_is_built_once_and_gives_each_run_its_values(database):
    ids = [ADD.run(box="b1", at=1000.0 + n, kind=kind, message=f"m{n}")
           for n, kind in enumerate(["call", "sms", "call", "call"])]
    ADD.run(box="b2", at=2000, kind="call", message="other box")   # an int, stored as a float
    built = database.built
    assert [row.message for row in BY_KIND.rows(box="b1", kind="call")] == ["m0", "m2", "m3"]
    assert [row.message for row in BY_KIND.rows(box="b1", kind="sms")] == ["m1"]
    assert BY_KIND.rows(box="b3", kind="call") == []
    assert NEWEST.first(box="b1").id == ids[-1] and NEWEST.first(box="b9") is None
    assert COUNT.scalar(box="b1") == 4 and COUNT.scalar(box="b2") == 1
    assert RENAME.run(message=12, id=ids[0]) == 1                    # converted to text
    assert RENAME.run(message="again", id=ids[1]) == 1
    assert database.built == built + 4          # BY_KIND, NEWEST, COUNT, RENAME: once each
    assert EventLogRecord.get_by_id(ids[0]).message == "12"
    assert NEWEST.first(box="b2").at == 2000.0 and isinstance(NEWEST.first(box="b2").at, float)


def test_an_upsert_is_prepared_too(database):
    UPSERT.run(box="b1", name="m1", in_call=1, rssi="17", at=5)
    UPSERT.run(box="b1", name="m1", in_call=0, rssi="9", at=6)
    UPSERT.run(box="b1", name="m2", in_call=True, rssi=None, at=7)
    rows = {row.name: (row.in_call, row.rssi) for row in ModemStatusRecord.select()}
    assert rows == {"m1": (False, 9), "m2": (True, None)}


def test_a_query_derived_from_a_prepared_one_keeps_its_values(database):
    for n in range(3):
        ADD.run(box="b1", at=float(n), kind="call", message=f"m{n}")
    ADD.run(box="b1", at=9.0, kind="sms", message="s")
    query = BY_KIND.query(box="b1", kind="call")
    assert query.get().message == "m0"                        # LIMIT 1 added
    assert [row.message for row in query.where(EventLogRecord.message != "m1")] == ["m0", "m2"]
    with pytest.raises(TypeError, match="run the prepared query as it is"):
        query.count()                                         # a COUNT around it: no values
    assert [row.message for row in BY_KIND.rows(box="b1", kind="call")] == ["m0", "m1", "m2"]


def test_a_prepared_insert_gives_every_default_computed_per_row():
    from gateway.money.ledger import CallerId
    assert callable(CallerId.created_at.default)
    with pytest.raises(ValueError, match="must give created_at"):
        Prepared(lambda: CallerId.insert(account=Param("account"), number=Param("number")))
    Prepared(lambda: CallerId.insert(account=Param("account"), number=Param("number"),
                                     created_at=Param("at")))


def test_a_prepared_query_wants_every_value_and_no_sql(database):
    with pytest.raises(TypeError, match="'kind'"):
        BY_KIND.rows(box="b1")
    with pytest.raises(TypeError, match="values, not SQL"):
        BY_KIND.rows(box="b1", kind=EventLogRecord.kind)
    assert EventLogRecord.select().count() == 0


def test_an_insert_prepared_while_postgresql_was_bound_runs_on_sqlite_too(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    try:
        open_database(url)
        add = Prepared(lambda: EventLogRecord.insert(box=Param("box"), at=Param("at"),
                                                     kind=Param("kind"), message=Param("m")))
        assert add.run(box="b", at=1.0, kind="call", m="on PostgreSQL") == 1    # its new id
        close_database()
        open_database(str(tmp_path / "callbox.db"))
        assert add.run(box="b", at=2.0, kind="call", m="on SQLite") == 1
        assert add.run(box="b", at=3.0, kind="call", m="again") == 2
        assert [row.message for row in EventLogRecord.select().order_by(EventLogRecord.id)] == [
            "on SQLite", "again"]
    finally:
        close_database()
        pg_cluster.drop_database(url)
