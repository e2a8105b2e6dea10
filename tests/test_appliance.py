"""The daemon as an appliance: SIGTERM says goodbye and settles, SIGHUP changes the set of
modems without dropping a call, and the writer archives old records by itself."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from callbox.daemon import Daemon
from gateway.config import load, parse
from gateway.money.ledger import Account, Cdr, Session
from gateway.store.db import close_database, db, open_database
from gateway.store.status import ModemStatusRecord
from modems.sim import PhoneState

from tests.boxrig import (BOX, FRIEND, RATES, USER, Rig, config_text, ensure_prompts, talk,
                          wait_for)


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def test_sigterm_says_goodbye_settles_and_exits_within_10_s(network, tmp_path):
    rig = Rig(network, tmp_path)
    open_database(rig.config.gateway.database)
    from gateway.money import accounts
    from gateway.money.billing import parse_rates_csv
    from gateway.money.ledger import store_rates
    account = accounts.create("alice", "4321", 1000, time.time())
    accounts.authorize_caller_id(account.id, USER, time.time())
    store_rates(parse_rates_csv(RATES))
    close_database()
    env = {**os.environ, **rig.network.alsa_env()}
    process = subprocess.Popen([sys.executable, "-m", "callbox", "run", "--config",
                                str(rig.workdir / "callbox.toml")], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: "AT+CLIP=1" in " ".join(rig.trigger.commands), 15)
        rig.bridged_call()
        rig.user.clear_heard()
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert rig.heard(rig.user, "box_closing", timeout=10), "no goodbye before the end"
        process.wait(timeout=10)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
        log = process.stderr.read()
    assert process.returncode == 0, log
    assert took < 10, f"the daemon took {took:.1f} s to stop"
    assert "shutting down" in log
    assert rig.user.wait_state(PhoneState.IDLE, timeout=5)
    assert rig.friend.wait_state(PhoneState.IDLE, timeout=5)
    open_database(rig.config.gateway.database)
    try:
        session = Session.get()
        assert session.state == "settled"
        cdrs = list(Cdr.select().order_by(Cdr.id))
        assert [cdr.role for cdr in cdrs] == ["callback", "destination"]
        assert all(cdr.ended_at and cdr.cost > 0 for cdr in cdrs)
        refreshed = Account.get_by_id(account.id)
        assert refreshed.balance == 1000 - sum(cdr.cost for cdr in cdrs)
        assert refreshed.reserved == 0
    finally:
        close_database()


def test_sighup_adds_and_removes_modems_without_dropping_the_call(network, tmp_path):
    rig = Rig(network, tmp_path)
    spare = network.add_modem(name="m3", number="+4915110000003", profile="quectel")
    rig.start(balance=1000)
    try:
        rig.user.call(BOX)
        assert rig.user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
        rig.user.answer()
        assert rig.heard(rig.user, "enter_destination", timeout=20)
        rig.user.press("017098765432#")
        assert rig.friend.wait_state(PhoneState.RINGING, timeout=20), "the destination rang not"
        # while the destination rings, its modem goes from the file and a new one comes:
        # the call on it goes on with the removed modem's sound settings
        path = rig.workdir / "callbox.toml"
        path.write_text(config_text(rig.workdir, [(rig.trigger, ["trigger", "callback"]),
                                                  (spare, ["destination"])],
                                    {"ring_before_reject": 2, "callback_delay": 0.5}))
        rig.daemon.reload()
        rig.friend.answer()
        assert rig.user.wait_state(PhoneState.ACTIVE)
        assert {row["name"] for row in modem_names(rig)} >= {"m1", "m2", "m3"}
        assert wait_for(lambda: state_of(rig, "m3") == "up", 15), "the added modem is not up"
        assert state_of(rig, "m2") == "up", "the removed modem closed under a running call"
        assert rig.daemon.healthy()
        assert talk(rig.user, rig.friend, 700.0), "the bridge stopped at the reload"
        assert rig.user.state is PhoneState.ACTIVE and rig.friend.state is PhoneState.ACTIVE
        rig.friend.hangup()
        rig.user.hangup()
        assert rig.wait_settled()
        assert wait_for(lambda: "m2" not in {row["name"] for row in modem_names(rig)}, 10), \
            "the removed modem stayed after its call"
        assert wait_for(lambda: ModemStatusRecord.get_or_none(ModemStatusRecord.name == "m2")
                        is None and ModemStatusRecord.get_or_none(
                            ModemStatusRecord.name == "m3") is not None, 15)
        assert rig.daemon.healthy()
        # the next call goes out on the added modem
        rig.user.clear_heard()
        rig.bridged_call()
        rig.user.hangup()
        rig.friend.hangup()
        assert rig.wait_settled(2)
        assert Cdr.select().where((Cdr.modem == "m3") & (Cdr.number == FRIEND)).count() == 1
    finally:
        rig.stop()


def modem_names(rig: Rig) -> list[dict]:
    return [{"name": status.name, "state": status.state} for status in rig.daemon.pool.status()]


def state_of(rig: Rig, name: str) -> str | None:
    return next((row["state"] for row in modem_names(rig) if row["name"] == name), None)


def test_a_bad_reload_keeps_the_running_configuration(tmp_path, caplog):
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n[web]\nlisten = "127.0.0.1:0"\n')
    box = Daemon(load(str(path)))
    box.start()
    try:
        path.write_text(path.read_text() + "[callback]\nring_before_reject = -4\n")
        box.reload()
        assert box.config.callback.ring_before_reject != -4
        assert "reload refused" in caplog.text and "ring_before_reject" in caplog.text
    finally:
        box.stop()


def test_a_reload_to_another_language_reaches_calls_and_voice_tests(tmp_path):
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n[web]\nlisten = "127.0.0.1:0"\n')
    box = Daemon(load(str(path)))
    box.start()
    try:
        assert box.voicetests.speech.lang == "en"
        path.write_text(path.read_text() + '[callback]\nlanguage = "de"\n')
        box.reload()
        assert box.calls.context.speech.lang == "de"
        assert box.voicetests.speech.lang == "de"
    finally:
        box.stop()


def test_the_daemon_archives_old_records_by_itself(tmp_path):
    archive = tmp_path / "archive"
    config = parse({"gateway": {"state_dir": str(tmp_path), "retention_days": 30,
                                "archive_dir": str(archive)},
                    "web": {"listen": "127.0.0.1:0"}}, "test.toml")
    open_database(config.gateway.database)
    old, recent = time.time() - 40 * 86400, time.time() - 86400
    for started in (old, recent):
        db.execute_sql("INSERT INTO cdr (box, role, direction, number, modem, started_at, cost, "
                       "billed_seconds, cause) VALUES ('box', 'destination', 'outgoing', "
                       "'+4917098765432', 'm1', ?, 12, 60, 'normal')", (started,))
    close_database()
    box = Daemon(config, archive_first_after=0.0)
    box.start()
    try:
        assert wait_for(lambda: any(archive.glob("*.csv")), 15), "nothing archived"
    finally:
        box.stop()
    open_database(config.gateway.database)
    try:
        starts = [row.started_at for row in Cdr.select()]
        assert starts == [pytest.approx(recent)]
    finally:
        close_database()
    written = "".join(path.read_text() for path in archive.glob("*.csv"))
    assert "+4917098765432" in written
