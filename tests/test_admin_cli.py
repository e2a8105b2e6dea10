"""The admin commands `account`, `callerid`, `rates`, `blocklist`, run as real subprocesses."""
from __future__ import annotations

import os
from pathlib import Path
import pwd
import re
import subprocess
import sys
import time

import pytest

from gateway.money.accounts import create, pin_matches
from gateway.money.ledger import Account, RateRecord, Topup
from gateway.store.db import close_database, open_database

ROOT = Path(__file__).resolve().parent.parent

GOOD_RATES = """prefix,description,price_per_minute,connect_fee,initial_increment,increment
49,Germany fixed,0.012,0,60,60
4915,Germany mobile,0.05,0.10,30,6
+49151,Telekom mobile,0.0375,0,1,1
"""

# Lines 3, 5 and 6 are bad; lines 2 and 4 alone would be fine.
BAD_RATES = """prefix,description,price_per_minute,connect_fee,initial_increment,increment
33,France,0.02,0,60,60
33x,Bad prefix,0.02,0,60,60
44,UK,0.03,0,60,60
34,Spain,0.02,0.001,60,60
39,Too few columns,0.05
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "{tmp_path / "callbox.db"}"\n'
                    'country = "DE"\ncurrency = "EUR"\n')
    return path


def callbox(config: Path, *args: str, input: str | None = None,
            expect: int = 0) -> subprocess.CompletedProcess:
    """Runs `callbox ARGS --config CONFIG`; checks the exit code and that no traceback shows."""
    result = subprocess.run([sys.executable, "-m", "callbox", *args, "--config", str(config)],
                            capture_output=True, text=True, input=input, timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    if expect == 1:
        assert result.stderr.strip(), "a failure says why"
    return result


class Database:
    """The test's view of the box's database, opened only while a block runs."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __enter__(self):
        open_database(self.path)
        return self

    def __exit__(self, *exc_info):
        close_database()


@pytest.fixture
def database(tmp_path: Path) -> Database:
    return Database(tmp_path / "callbox.db")


def test_account_add_list_topup_pin_lock(config, database):
    added = callbox(config, "account", "add", "bob", "--pin", "1234", "--balance", "12.50")
    number = int(re.search(r"number (\d+)", added.stdout).group(1))
    assert "12.50 EUR" in added.stdout
    assert "1234" not in added.stdout
    callbox(config, "account", "add", "ann", "--pin", "-", "--balance", "0", input="987654\n")

    mistakes = {
        ("bob", "--balance", "1"): "exists already",
        ("carl", "--balance", "12.345"): "more than 2 decimals",
        ("carl", "--balance", "-5"): "not negative",
        ("carl", "--balance", "12,50"): "not a number",
    }
    for (name, *balance), message in mistakes.items():
        failed = callbox(config, "account", "add", name, "--pin", "1234", *balance, expect=1)
        assert message in failed.stderr and len(failed.stderr.splitlines()) == 1
    assert "4 to 8 digits" in callbox(config, "account", "add", "carl", "--pin", "12",
                                      "--balance", "1", expect=1).stderr

    topped = callbox(config, "account", "topup", "bob", "7.50", "--note", "cash")
    assert "balance now 20.00 EUR" in topped.stdout
    corrected = callbox(config, "account", "debit", "bob", "0.25", "--reason", "rounding")
    assert "balance now 19.75 EUR" in corrected.stdout
    assert "no account named 'zed'" in callbox(config, "account", "topup", "zed", "1",
                                               expect=1).stderr
    assert "more than 2 decimals" in callbox(config, "account", "topup", "bob", "0.001",
                                             expect=1).stderr

    changed = callbox(config, "account", "pin", "bob", "--pin", "55667788")
    assert "55667788" not in changed.stdout + changed.stderr
    callbox(config, "account", "lock", "bob")
    listing = callbox(config, "account", "list").stdout.splitlines()
    assert listing[0].split()[:3] == ["NUMBER", "NAME", "BALANCE"]
    bob_row = next(line for line in listing if " bob " in line)
    assert bob_row.split()[0] == str(number)
    assert "19.75 EUR" in bob_row and "0.00 EUR" in bob_row and bob_row.endswith("yes")
    callbox(config, "account", "unlock", "ann")   # unlocked already: fine

    with database:
        bob = Account.get(Account.name == "bob")
        assert (bob.number, bob.balance, bob.locked) == (str(number), 1975, True)
        assert pin_matches("55667788", bob.pin_hash) and not pin_matches("1234", bob.pin_hash)
        assert pin_matches("987654", Account.get(Account.name == "ann").pin_hash)
        top = Topup.get((Topup.account == bob.id) & (Topup.amount == 750))
        assert top.note == "cash"
        assert top.by.startswith(pwd.getpwuid(os.getuid()).pw_name)
    callbox(config, "account", "unlock", "bob")
    with database:
        assert not Account.get(Account.name == "bob").locked


def test_callerid_add_list_remove(config, database):
    with database:
        create("bob", "1234", 0, time.time())
        create("ann", "1234", 0, time.time())
    added = callbox(config, "callerid", "add", "bob", "0151 1234 5678")
    assert "+4915112345678" in added.stdout
    callbox(config, "callerid", "add", "bob", "+44 20 7946 0958")
    callbox(config, "callerid", "add", "ann", "0049 30 1234567")

    malformed = callbox(config, "callerid", "add", "bob", "+49 ABC", expect=1)
    assert "+49 ABC" in malformed.stderr and len(malformed.stderr.splitlines()) == 1
    assert "no account named 'zed'" in callbox(config, "callerid", "add", "zed",
                                               "015112345678", expect=1).stderr
    taken = callbox(config, "callerid", "add", "ann", "+4915112345678", expect=1)
    assert "authorized for account bob" in taken.stderr

    everyone = callbox(config, "callerid", "list").stdout
    assert all(number in everyone for number in ("+4915112345678", "+442079460958",
                                                 "+49301234567"))
    bobs = callbox(config, "callerid", "list", "bob").stdout
    assert "+4915112345678" in bobs and "+49301234567" not in bobs

    callbox(config, "callerid", "remove", "bob", "015112345678")
    again = callbox(config, "callerid", "remove", "bob", "+4915112345678", expect=1)
    assert "not authorized" in again.stderr
    counts = {line.split()[1]: line.split()[-2]
              for line in callbox(config, "account", "list").stdout.splitlines()[1:]}
    assert counts == {"bob": "1", "ann": "1"}


def test_rates_file_with_bad_lines_imports_nothing(config, database, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_RATES)
    failed = callbox(config, "rates", "import", str(bad), expect=1)
    for line in (3, 5, 6):
        assert f"line {line}:" in failed.stderr
    assert "line 2:" not in failed.stderr and "line 4:" not in failed.stderr
    assert "imported" not in failed.stdout
    with database:
        assert RateRecord.select().count() == 0

    # Nor does it touch the rates there were, even with --replace.
    good = tmp_path / "good.csv"
    good.write_text(GOOD_RATES)
    callbox(config, "rates", "import", str(good))
    callbox(config, "rates", "import", str(bad), "--replace", expect=1)
    with database:
        assert sorted(record.prefix for record in RateRecord.select()) == ["49", "4915", "49151"]
    assert "cannot read" in callbox(config, "rates", "import", str(tmp_path / "none.csv"),
                                    expect=1).stderr


def test_rates_import_list_lookup(config, database, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GOOD_RATES)
    assert "imported 3 rates" in callbox(config, "rates", "import", str(good)).stdout
    with database:
        mobile = RateRecord.get_by_id("4915")
        assert (mobile.price_per_minute, mobile.connect_fee, mobile.initial_increment,
                mobile.increment) == (5000, 10, 30, 6)

    listing = callbox(config, "rates", "list", "+4915").stdout
    assert "Germany mobile" in listing and "0.05 EUR" in listing and "0.10 EUR" in listing
    assert "Germany fixed" not in listing

    lookups = {"0151 12345678": "prefix 49151 ", "+49 152 12345678": "prefix 4915 ",
               "030 1234567": "prefix 49 "}
    for number, expected in lookups.items():
        assert expected in callbox(config, "rates", "lookup", number).stdout
    assert "no rate" in callbox(config, "rates", "lookup", "+33123456789", expect=1).stderr

    # Upsert keeps rates the file does not name; --replace drops them.
    update = tmp_path / "update.csv"
    update.write_text("33,France,0.02,0,60,60\n4915,Germany mobile,0.04,0,60,60\n")
    callbox(config, "rates", "import", str(update))
    with database:
        assert RateRecord.select().count() == 4
        assert RateRecord.get_by_id("4915").price_per_minute == 4000
    assert "imported 2 rates" in callbox(config, "rates", "import", str(update),
                                         "--replace").stdout
    with database:
        assert sorted(record.prefix for record in RateRecord.select()) == ["33", "4915"]


def test_blocklist_add_list_remove(config):
    assert "+49900123456" in callbox(config, "blocklist", "add", "0900 123456",
                                     "--note", "premium").stdout
    callbox(config, "blocklist", "add", "+447700900123")
    listing = callbox(config, "blocklist", "list").stdout
    assert "+49900123456" in listing and "premium" in listing and "+447700900123" in listing
    assert "+49 ABC" in callbox(config, "blocklist", "add", "+49 ABC", expect=1).stderr
    callbox(config, "blocklist", "remove", "0900123456")
    assert "not on the blocklist" in callbox(config, "blocklist", "remove", "0900123456",
                                             expect=1).stderr
    assert "+49900123456" not in callbox(config, "blocklist", "list").stdout


def test_usage_and_configuration_mistakes_exit_2(config, tmp_path):
    callbox(config, "account", "add", "bob", "--balance", "1", expect=2)   # no --pin
    callbox(config, "rates", "frobnicate", expect=2)
    missing = callbox(tmp_path / "missing.toml", "account", "list", expect=2)
    assert "missing.toml" in missing.stderr
