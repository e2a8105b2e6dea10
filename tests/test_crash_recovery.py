"""kill -9 in the middle of a call: at the next start the box closes the call and bills it
up to the last heartbeat, releases the reservation, and leaves other boxes' sessions alone."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from gateway.money import ledger
from gateway.money.ledger import Account, Cdr, Session
from gateway.store.db import close_database, open_database

from tests.boxrig import Rig, ensure_prompts, wait_for


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def start_daemon(rig: Rig) -> subprocess.Popen:
    env = {**os.environ, **rig.network.alsa_env()}
    return subprocess.Popen([sys.executable, "-m", "callbox", "run", "--config",
                             str(rig.workdir / "callbox.toml")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_kill_9_mid_call_is_billed_at_the_next_start(network, tmp_path):
    rig = Rig(network, tmp_path)
    # the books, without an in-process daemon: the daemon runs as a process we can kill
    open_database(rig.config.gateway.database)
    from gateway.money import accounts
    from gateway.money.billing import parse_rates_csv
    from gateway.money.ledger import store_rates

    from tests.boxrig import RATES, USER
    account = accounts.create("alice", "4321", 1000, time.time())
    accounts.authorize_caller_id(account.id, USER, time.time())
    store_rates(parse_rates_csv(RATES))
    other_box = ledger.start_session("site-b", account.id, "callback", "+4917000000000",
                                     time.time())
    ledger.Account.update(max_concurrent_sessions=5).execute()
    close_database()

    daemon = start_daemon(rig)
    try:
        user, friend = rig.user, rig.friend
        assert wait_for(lambda: "AT+CLIP=1" in " ".join(rig.trigger.commands), 15)
        rig.bridged_call()
        open_database(rig.config.gateway.database)
        # one heartbeat after both legs were answered, so there is talk time to bill
        assert wait_for(lambda: Cdr.select().where(Cdr.answered_at.is_null(False)).count() == 2
                        and Session.select().where(Session.box == "box").get().heartbeat_at
                        > max(cdr.answered_at for cdr in Cdr.select()), 25)
        assert Account.get_by_id(account.id).reserved > 0
        close_database()
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(timeout=10)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    user.hangup()
    friend.hangup()

    restarted = start_daemon(rig)
    try:
        open_database(rig.config.gateway.database)
        assert wait_for(lambda: Session.get(Session.box == "box").state == "settled", 20)
        cdrs = list(Cdr.select().order_by(Cdr.id))
        assert [cdr.cause for cdr in cdrs] == ["box restarted", "box restarted"]
        assert all(cdr.ended_at and cdr.cost > 0 for cdr in cdrs)
        refreshed = Account.get_by_id(account.id)
        assert refreshed.balance == 1000 - sum(cdr.cost for cdr in cdrs)
        # the other box's running session keeps its place (and its reservation)
        assert Session.get_by_id(other_box).state == "running"
        assert refreshed.reserved == 0
        close_database()
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=15)
