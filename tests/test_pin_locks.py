"""Account numbers that cannot be guessed, and PIN locks that a stranger cannot turn
against the owner: per calling number first, account-wide only for guessing from many
numbers. Through gateway/money/accounts.py on SQLite and PostgreSQL, and the real CLI."""
from __future__ import annotations

import json
import logging
from pathlib import Path
import subprocess
import sys
import time

import pytest

from gateway.money import accounts
from gateway.money.ledger import Account, AuthFailure, PinLock
from gateway.store.db import close_database, connect_database, open_database
from gateway.store.migrations import MIGRATIONS, migrate

from tests.test_money_64bit import migrate_to

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_800_000_000.0
OWNER = "+4917012345678"
STRANGER = "+4917099999999"


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield db_url
    close_database()


@pytest.fixture
def sqlite_only(tmp_path):
    """For the long runs of pure logic: the engines are held equal by the tests above."""
    open_database(str(tmp_path / "callbox.db"))
    yield
    close_database()


def luhn_valid(number: str) -> bool:
    """The Luhn check, written out here rather than taken from the code under test."""
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value // 10 + value % 10
    return total % 10 == 0


# -- account numbers ------------------------------------------------------------------------

def test_new_account_numbers_are_random_nine_digits_with_a_check_digit(database):
    made = [accounts.create(f"user{index}", "1234", 0, NOW) for index in range(12)]
    numbers = [account.number for account in made]
    assert all(len(number) == 9 and number.isdigit() and number[0] != "0"
               for number in numbers), numbers
    assert all(luhn_valid(number) for number in numbers), numbers
    assert len(set(numbers)) == 12
    # not sequential, not the ids: neighbours' numbers tell nothing of each other
    assert not any(abs(int(a) - int(b)) < 1000 for a, b in zip(numbers, numbers[1:]))
    assert all(accounts.by_number_or_name(str(account.id)) is None for account in made)
    for account in made[:5]:
        assert accounts.by_number_or_name(account.number).id == account.id


def test_a_mistyped_account_number_names_no_account(database):
    number = accounts.create("alice", "1234", 0, NOW).number
    for position in range(9):
        for digit in "0123456789":
            typo = number[:position] + digit + number[position + 1:]
            if typo != number:
                assert accounts.by_number_or_name(typo) is None, typo
    swapped = number[1] + number[0] + number[2:]
    if swapped != number and not luhn_valid(swapped):
        assert accounts.by_number_or_name(swapped) is None


def test_unicode_digits_are_not_an_account_number(database):
    accounts.create("alice", "1234", 0, NOW)
    assert accounts.by_number_or_name("²") is None
    assert accounts.by_number_or_name("١") is None


def migrated_before_account_numbers(url: str):
    """Gives a database at the schema before account numbers, as a box had it."""
    version = next(number for number, name, _ in MIGRATIONS if "account numbers" in name)
    database = connect_database(url)
    database.connect()
    migrate_to(database, version - 1)
    return database


def test_existing_account_numbers_keep_working_after_the_migration(db_url, request):
    cluster = request.getfixturevalue("pg_cluster") if "://" in db_url else None
    url = cluster.new_database(migrated=False) if cluster else db_url
    old = migrated_before_account_numbers(url)
    for name in ("first", "second", "third"):
        old.execute_sql("INSERT INTO account (name, pin_hash, balance, reserved, locked, "
                        "pin_locked_until, max_concurrent_sessions, created_at) "
                        "VALUES (%s, %s, 0, 0, false, 0, 1, 0)".replace("%s", old.param),
                        (name, accounts.hash_pin("2468")))
    migrate(old)
    old.close()
    open_database(url)
    try:
        old_ones = {account.name: account for account in Account.select()}
        assert {name: account.number for name, account in old_ones.items()} == {
            name: str(account.id) for name, account in old_ones.items()}
        second = old_ones["second"]
        assert accounts.by_number_or_name(str(second.id)).name == "second"
        assert accounts.check_pin(second, "2468", OWNER, NOW).ok
        newer = accounts.create("fourth", "1234", 0, NOW)
        assert len(newer.number) == 9 and accounts.by_number_or_name(newer.number).id == newer.id
    finally:
        close_database()
        if cluster:
            cluster.drop_database(url)


# -- PIN locks ------------------------------------------------------------------------------

def wrong_tries(account, number: str, count: int, start: float) -> list[accounts.PinCheck]:
    return [accounts.check_pin(account, "9999", number, start + index) for index in range(count)]


def test_a_stranger_locks_only_his_own_number_not_the_owner(database):
    alice = accounts.create("alice", "1234", 0, NOW)
    checks = wrong_tries(alice, STRANGER, 5, NOW)
    assert [check.locked for check in checks] == [False] * 4 + [True]
    assert checks[-1].scope == "number"
    # the stranger is refused even with the right PIN, without learning it was right
    assert accounts.check_pin(alice, "1234", STRANGER, NOW + 10) == accounts.PinCheck(
        ok=False, locked=True, scope="number")
    # the owner, from her own phone, still gets in
    assert accounts.check_pin(alice, "1234", OWNER, NOW + 11).ok
    assert not accounts.pin_locked(alice, NOW + 11)
    # and the stranger's lock ends after 15 minutes
    assert accounts.check_pin(alice, "1234", STRANGER, NOW + 4 + 15 * 60 + 1).ok


def test_the_number_lock_covers_every_account_and_wrong_account_numbers(database):
    alice = accounts.create("alice", "1234", 0, NOW)
    bob = accounts.create("bob", "4321", 0, NOW)
    for index, typed in enumerate(("123456785", "42", "987654321", "alice2", "1")):
        check = accounts.check_pin(accounts.by_number_or_name(typed), "1234", STRANGER,
                                   NOW + index)
        assert not check.ok
    assert check.locked and check.scope == "number"
    assert accounts.check_pin(bob, "4321", STRANGER, NOW + 10).locked
    assert accounts.check_pin(alice, "1234", OWNER, NOW + 10).ok
    assert AuthFailure.select().where(AuthFailure.account.is_null()).count() == 5


def test_guessing_from_many_numbers_locks_the_account_for_an_hour(database):
    alice = accounts.create("alice", "1234", 0, NOW)
    moment = NOW
    for caller in range(5):                        # 5 numbers, 5 wrong PINs each
        checks = wrong_tries(alice, f"+49170555000{caller}", 5, moment)
        moment += 5
    assert checks[-1].locked and checks[-1].scope == "account"
    assert accounts.pin_locked(alice, moment)
    # now even the owner's right PIN from a fresh number waits: the account is locked
    assert accounts.check_pin(alice, "1234", OWNER, moment + 60).scope == "account"
    assert not accounts.check_pin(alice, "1234", OWNER, moment + 60).ok
    assert accounts.check_pin(alice, "1234", OWNER, moment + 3600).ok


def test_one_number_alone_can_never_lock_the_account(sqlite_only):
    alice = accounts.create("alice", "1234", 0, NOW)
    moment, refused = NOW, 0
    while moment < NOW + 3 * 3600:                 # a wrong PIN every 10 s for 3 hours
        check = accounts.check_pin(alice, "9999", STRANGER, moment)
        assert check.scope != "account", f"account locked after {moment - NOW} s"
        refused += check.locked
        moment += 10
    assert refused > 900
    assert accounts.check_pin(alice, "1234", OWNER, moment).ok


def test_a_lock_is_recorded_for_the_admin_and_logged_in_plain_words(database, caplog):
    alice = accounts.create("alice", "1234", 0, NOW)
    with caplog.at_level(logging.WARNING, logger="gateway.money.accounts"):
        wrong_tries(alice, STRANGER, 5, NOW)
        for caller in range(1, 5):
            wrong_tries(alice, f"+49170555000{caller}", 5, NOW + 100 * caller)
    locks = list(PinLock.select().order_by(PinLock.id))
    assert [(lock.scope, lock.number) for lock in locks] == [
        ("number", STRANGER)] + [("number", f"+49170555000{caller}") for caller in range(1, 5)
                                 ] + [("account", None)]
    assert all(lock.account_id == alice.id for lock in locks)
    assert locks[-1].reason == "25 wrong PINs from 5 numbers within 60 minutes"
    assert locks[-1].until == NOW + 404 + 3600
    messages = [record.getMessage() for record in caplog.records]
    assert (f"PIN entry from {STRANGER} is locked for 15 minutes, for every account: "
            f"5 wrong account numbers or PINs from {STRANGER} within 15 minutes "
            "(last tried: account alice)") in messages
    assert messages[-1].startswith("PIN entry for account alice is locked for 60 minutes: "
                                   "25 wrong PINs from 5 numbers within 60 minutes.")


def test_old_failures_are_pruned(database):
    alice = accounts.create("alice", "1234", 0, NOW)
    for hour in range(4):
        accounts.check_pin(alice, "9999", STRANGER, NOW + hour * 3601)
    assert [row.at for row in AuthFailure.select()] == [NOW + 3 * 3601]


# -- the CLI --------------------------------------------------------------------------------

def callbox(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, input=stdin)


def test_account_add_prints_the_number_a_caller_types(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n')
    added = callbox("account", "add", "alice", "--pin", "-", "--balance", "5",
                    "--config", str(config), stdin="2468\n")
    assert added.returncode == 0, added
    number = added.stdout.split("number ")[1].split(",")[0]
    assert len(number) == 9 and luhn_valid(number), added.stdout
    listed = callbox("account", "list", "--config", str(config))
    assert listed.stdout.splitlines()[1].split()[:2] == [number, "alice"]
    open_database(str(tmp_path / "callbox.db"))
    try:
        account = accounts.by_number_or_name(number)
        assert account.name == "alice"
        assert accounts.check_pin(account, "2468", OWNER, time.time()).ok
    finally:
        close_database()


# -- SMS REG, through the real SMS service on the virtual network ---------------------------

def test_sms_reg_guesses_lock_the_sender_while_the_owner_registers(network, tmp_path):
    from tests.sms_rig import SmsBox
    box = SmsBox(network, tmp_path)
    alice = box.account("alice", "1234", 500)
    box.start()
    try:
        stranger, owner = network.add_phone(STRANGER), network.add_phone(OWNER)
        for attempt in range(4):
            assert box.reply_to(stranger, f"REG {alice.number} 99{attempt:02d}") == \
                "Wrong account or PIN."
        locked = "Too many wrong PINs: PIN entry is locked, try again later."
        assert box.reply_to(stranger, "REG 123456785 1234") == locked
        assert box.reply_to(stranger, f"REG {alice.number} 1234") == locked
        assert box.reply_to(owner, f"REG {alice.number} 1234") == (
            f"This phone ({OWNER}) is now registered for account alice.")
        assert accounts.by_caller_id(OWNER).id == alice.id
        assert accounts.by_caller_id(STRANGER) is None
    finally:
        box.stop()


# -- what the admin sees --------------------------------------------------------------------

def test_the_admin_account_page_lists_the_locks_with_their_reasons(app):
    from tests.webclient import Client
    now = app.clock.now
    for index in range(5):
        accounts.check_pin(app.alice, "9999", STRANGER, now + index)
    admin = Client(app)
    admin.login("root", "admin-secret")
    page = admin.get(f"/admin/accounts/{app.alice.id}")
    assert page.status == 200
    assert f"(number {app.alice.number})" in page.text
    assert 'id="pin-locks"' in page.text
    assert f"calls and texts from {STRANGER}" in page.text
    assert (f"5 wrong account numbers or PINs from {STRANGER} within 15 minutes"
            in page.text)


def test_the_admin_api_lists_the_number_a_caller_types(app):
    from tests.webclient import Client
    admin = Client(app)
    admin.login("root", "admin-secret")
    reply = admin.get("/api/admin/accounts")
    assert reply.status == 200
    listed = {item["name"]: item for item in json.loads(reply.text)["accounts"]}
    assert listed["alice"]["number"] == app.alice.number
    assert luhn_valid(listed["alice"]["number"]) and len(listed["alice"]["number"]) == 9
