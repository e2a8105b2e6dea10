"""`callbox user add`: web logins from the command line, run as real subprocesses."""
from __future__ import annotations

from pathlib import Path
import subprocess
import sys
import time

import pytest

ROOT = str(Path(__file__).resolve().parent.parent)

from gateway import users
from gateway.money import accounts
from gateway.store.db import close_database, open_database
from gateway.users import WebUser


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\ndatabase = "{tmp_path / "box.db"}"\nstate_dir = "{tmp_path}"\n')
    open_database(str(tmp_path / "box.db"))
    accounts.create("alice", "1234", 0, time.time())
    close_database()
    return str(path)


def run(argv, stdin: str, expect: int) -> subprocess.CompletedProcess:
    """Runs `callbox ARGV` with `stdin`; checks the exit code and that no traceback shows."""
    result = subprocess.run([sys.executable, "-m", "callbox", *argv], input=stdin,
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (argv, result.stdout, result.stderr)
    return result


def test_add_admin_and_account_holder(config_file, tmp_path):
    run(["user", "add", "root", "--admin", "--password", "-", "--config", config_file],
        "admin-secret\n", 0)
    done = run(["user", "add", "alice", "--password", "-", "--config", config_file],
               "alice-secret\n", 0)
    assert "created web user alice (login of account alice)" in done.stdout
    open_database(str(tmp_path / "box.db"))
    try:
        root, alice = WebUser.get(WebUser.name == "root"), WebUser.get(WebUser.name == "alice")
        assert root.is_admin and root.account_id is None
        assert not alice.is_admin and alice.account_id == accounts.by_name("alice").id
        assert users.password_matches("alice-secret", alice.password_hash)
        assert "alice-secret" not in alice.password_hash
    finally:
        close_database()


def test_refusals_name_the_reason(config_file):
    refused = run(["user", "add", "bob", "--password", "-", "--config", config_file],
                  "long-enough\n", 1)
    assert "no account named 'bob'" in refused.stderr
    refused = run(["user", "add", "root", "--admin", "--password", "-", "--config",
                   config_file], "short\n", 1)
    assert "at least 8 characters" in refused.stderr
    refused = run(["user", "add", "root", "--admin", "--config", config_file], "", 1)
    assert "--password -" in refused.stderr
