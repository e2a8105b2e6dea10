"""Money above 2^31 minor units (21 474 836.48 in a two-decimal currency) on both engines:
top-up, reservation, settlement, rates, and the upgrade of a version-6 PostgreSQL schema."""
from __future__ import annotations

import time

import pytest

from gateway.money import accounts, ledger
from gateway.money.billing import Rate
from gateway.store.db import close_database, connect_database, is_postgresql, open_database
from gateway.store.migrations import MIGRATIONS, migrate

BIG = 2 ** 31 + 12_345             # minor units, just past a 32-bit integer
HUGE = 3 * 10 ** 12                # minor units: 30 thousand million in a cents currency
NOW = 1_800_000_000.0
# Every column that holds money (rates: millicents per minute), listed here and not
# taken from the code under test, so a column left out there is caught.
MONEY_COLUMNS = (("account", "balance"), ("account", "reserved"), ("session", "reserved"),
                 ("cdr", "cost"), ("topup", "amount"), ("rate", "price_per_minute"),
                 ("rate", "connect_fee"))


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield db_url
    close_database()


def test_top_up_reserve_and_settle_amounts_above_32_bits(database):
    account = accounts.create("whale", "1234", BIG, NOW)
    assert ledger.topup(account.id, HUGE, "admin", NOW + 1, note="wire") == BIG + HUGE
    session = ledger.start_session("box", account.id, "callback", "+4917012345678", NOW + 2)
    ledger.reserve(session, account.id, HUGE + 7)
    assert ledger.available(account.id) == BIG - 7
    cost = HUGE + 5
    leg = dict(role="destination", direction="outgoing", number="+4930123456", modem="m2",
               started_at=NOW + 3, answered_at=NOW + 4, ended_at=NOW + 64, billed_seconds=60,
               cost=cost, rate_prefix="49")
    assert ledger.settle(session, [leg], NOW + 65) == cost
    stored = ledger.Account.get_by_id(account.id)
    assert (stored.balance, stored.reserved) == (BIG + HUGE - cost, 0)
    assert ledger.Cdr.get(ledger.Cdr.session == session).cost == cost
    assert [row.amount for row in ledger.Topup.select().order_by(ledger.Topup.id)] == [BIG, HUGE]
    assert ledger.Session.get_by_id(session).reserved == 0


def test_a_reservation_above_32_bits_is_held_on_the_session(database):
    account = accounts.create("holder", "1234", HUGE, NOW)
    session = ledger.start_session("box", account.id, "callback", "+4917012345678", NOW)
    ledger.reserve(session, account.id, BIG)
    ledger.reserve(session, account.id, BIG)
    assert ledger.Session.get_by_id(session).reserved == 2 * BIG
    assert ledger.Account.get_by_id(account.id).reserved == 2 * BIG
    with pytest.raises(ledger.InsufficientCredit):
        ledger.reserve(session, account.id, HUGE)
    ledger.release(session, BIG)
    assert ledger.available(account.id) == HUGE - BIG


def test_rates_above_32_bits_are_kept(database):
    ledger.store_rates([Rate("882", "satellite", BIG * 1000, BIG, 60, 60)])
    rate = ledger.rate_for("+88212345678")
    assert (rate.price_per_minute, rate.connect_fee) == (BIG * 1000, BIG)


def money_column_types(url: str) -> dict[tuple[str, str], str]:
    database = connect_database(url)
    database.connect()
    try:
        rows = database.execute_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public'").fetchall()
    finally:
        database.close()
    return {(table, column): kind for table, column, kind in rows
            if (table, column) in MONEY_COLUMNS}


def test_a_version_6_postgresql_database_is_widened_with_its_money_kept(pg_cluster):
    url = pg_cluster.new_database(migrated=False)
    try:
        database = connect_database(url)
        database.connect()
        assert is_postgresql(database)
        try:
            # The box as it was: the first six migrations, one account with money in it.
            migrate_to(database, 6)
            database.execute_sql("INSERT INTO account (name, pin_hash, balance, reserved, "
                                 "locked, pin_locked_until, max_concurrent_sessions, "
                                 "created_at) VALUES ('old', 'x', 2147483647, 5, false, 0, 1, 0)")
            assert set(money_column_types(url).values()) == {"integer"}
            migrate(database)
            balance, reserved = database.execute_sql(
                "SELECT balance, reserved FROM account WHERE name = 'old'").fetchone()
            assert (balance, reserved) == (2 ** 31 - 1, 5)
            database.execute_sql("UPDATE account SET balance = balance + 1 WHERE name = 'old'")
        finally:
            database.close()
        assert money_column_types(url) == {column: "bigint" for column in MONEY_COLUMNS}
    finally:
        pg_cluster.drop_database(url)


def migrate_to(database, version: int) -> None:
    """Applies the shipped migrations up to `version`, as an older callbox did."""
    from gateway.store.db import SchemaVersion
    with database.bind_ctx([SchemaVersion]):
        database.create_tables([SchemaVersion])
        for number, name, apply in MIGRATIONS[:version]:
            with database.atomic():
                apply(database)
                SchemaVersion.create(version=number, name=name, applied_at=time.time())
