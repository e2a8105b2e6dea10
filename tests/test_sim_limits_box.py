"""SIM limits on the virtual network, end to end: the daemon lends the least-used callback
modem, never one whose SIM is at a limit (nor one off the network or without a SIM), raises
one alert per SIM and recovers it at the reset; the SMS outbox keeps each SIM's SMS limit;
the Modems JSON and `callbox status` show the counts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
import json
from pathlib import Path
import subprocess
import sys
import time
import types

from callbox.daemon import Daemon
from gateway import users
from gateway.care.sims import KIND
from gateway.config import load
from gateway.money import accounts
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import Cdr, Session, store_rates
from gateway.sms.models import SmsOut
from gateway.store.alerts import Alert
from gateway.store.db import ModemStatusRecord, open_database
from modems.config import ModemConfig
from modems.pool import ModemPool
from modems.sim import PhoneState
from webui.app import make_app

from tests.boxrig import RATES, config_text, wait_for
from tests.webclient import Client

ROOT = Path(__file__).resolve().parent.parent
BOX = "+4915110000001"
USER = "+4917012345678"
SIM_0 = "89491000000000000003"      # m1's SIM (the trigger)
SIM_1 = "89491000000000000011"      # c1's SIM
SIM_2 = "89491000000000000029"      # c2's SIM (a Huawei: it answers ^ICCID nibble-swapped)
DAY = 24 * 3600.0


def start_box(network, tmp_path: Path, sims: str, clock) -> tuple[Daemon, types.SimpleNamespace]:
    network.use_alsa_config()
    trigger = network.add_modem(name="m1", number=BOX, profile="simcom", iccid=SIM_0)
    c1 = network.add_modem(name="c1", number="+4915110000011", profile="quectel", iccid=SIM_1)
    c2 = network.add_modem(name="c2", number="+4915110000012", profile="huawei", iccid=SIM_2)
    path = tmp_path / "callbox.toml"
    path.write_text(config_text(tmp_path, [(trigger, ["trigger"]), (c1, ["callback"]),
                                           (c2, ["callback"])], {})
                    .replace("health_interval = 5", "health_interval = 1") + sims)
    config = load(str(path))
    open_database(config.gateway.database)
    alice = accounts.create("alice", "4321", 5000, time.time())
    accounts.authorize_caller_id(alice.id, USER, time.time())
    store_rates(parse_rates_csv(RATES))
    users.add_user("root", "admin-secret", time.time(), is_admin=True)
    daemon = Daemon(config, now=lambda: time.time() + clock.offset)
    daemon.start()
    assert wait_for(lambda: all(status.health is not None and status.health.iccid
                                for status in daemon.pool.status()), 15), "modems not up"
    return daemon, types.SimpleNamespace(path=path, config=config, trigger=trigger, c1=c1, c2=c2)


def callback_from(network, user, settled: int) -> str | None:
    """The user rings the box; gives the modem that called back (None: no callback)."""
    def settled_count() -> int:
        return Session.select().where(Session.state == "settled").count()

    user.call(BOX)
    assert wait_for(lambda: user.state is PhoneState.RINGING or settled_count() >= settled, 15)
    called_back = user.state is PhoneState.RINGING
    if called_back:
        user.answer()
        assert wait_for(lambda: Cdr.select().where(Cdr.ended_at.is_null()).exists(), 10), \
            "the box did not see the callback answered"
        user.hangup()
    assert wait_for(lambda: settled_count() >= settled, 20), "the session did not end"
    if not called_back:
        return None
    return Cdr.select().order_by(Cdr.id.desc()).get().modem


def dials(modem) -> int:
    return sum(1 for line in modem.commands if line.upper().startswith("ATD"))


def status_output(path: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "callbox", "status", "--config", str(path)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    return result.stdout


def test_calls_go_to_the_least_used_sim_never_past_its_limit(network, tmp_path):
    clock = types.SimpleNamespace(offset=0.0)
    daemon, box = start_box(network, tmp_path, f"""
[[sim]]
iccid = "{SIM_1}"
max_calls_per_day = 2

[[sim]]
iccid = "{SIM_2}"
max_calls_per_day = 1
max_minutes_per_day = 120
""", clock)
    user = network.add_phone(number=USER)
    try:
        now = time.time()   # c1's SIM talked 3 minutes today already: c2 is the least used
        Cdr.create(box=box.config.gateway.box, role="callback", direction="outgoing",
                   number=USER, modem="c1", iccid=SIM_1, started_at=now - 200,
                   answered_at=now - 190, ended_at=now - 10, billed_seconds=180, cost=36)
        assert callback_from(network, user, 1) == "c2"       # c2: 1 of 1 call: at its limit
        assert Cdr.select().order_by(Cdr.id.desc()).get().iccid == SIM_2
        assert callback_from(network, user, 2) == "c1"       # c1: 2 of 2 calls
        dialled = dials(box.c1) + dials(box.c2)
        assert callback_from(network, user, 3) is None       # both at a limit: no free line
        assert user.state is PhoneState.IDLE
        assert dials(box.c1) + dials(box.c2) == dialled == 2

        alerts = {alert.subject: alert for alert in Alert.select().where(Alert.kind == KIND)}
        assert set(alerts) == {SIM_1, SIM_2}
        assert all(alert.state == "open" and alert.repeats == 0 for alert in alerts.values())
        assert alerts[SIM_2].modem == "c2" and "calls 1/1" in alerts[SIM_2].message
        assert "it is lent to no new call until" in alerts[SIM_2].message

        admin = Client(make_app(daemon.config, daemon))
        admin.login("root", "admin-secret")
        rows = {row["name"]: row for row in json.loads(admin.get("/api/modems").text)["modems"]}
        assert rows["c2"]["iccid"] == SIM_2
        use = rows["c2"]["sim_usage"]
        assert (use["calls_today"], use["max_calls_per_day"], use["at_limit"]) == \
            (1, 1, ["calls 1/1"])
        assert use["summary"] == "minutes today 1/120, calls 1/1, month 1, SMS 0"
        assert rows["c1"]["sim_usage"]["summary"] == "minutes today 4, calls 2/2, month 4, SMS 0"
        assert "AT LIMIT: calls 1/1" in admin.get("/admin/modems").text

        assert wait_for(lambda: ModemStatusRecord.get(ModemStatusRecord.name == "c2").iccid
                        == SIM_2, 15)
        printed = status_output(box.path)
        line = next(line for line in printed.splitlines() if line.startswith("c2 ")
                    and SIM_2 in line)
        assert "minutes today 1/120, calls 1/1, month 1, SMS 0" in line
        assert "AT LIMIT (calls 1/1) until" in line

        clock.offset = DAY                  # the next day: both SIMs are free again
        daemon.sims.check()
        assert [alert.state for alert in Alert.select().where(Alert.kind == KIND)] == \
            ["recovered", "recovered"]
        driver = daemon.pool.acquire("callback")
        assert driver is not None and driver.name == "c1"
        daemon.pool.release(driver.name)
    finally:
        daemon.stop()


def test_sms_replies_keep_the_sms_limit_of_their_sim(network, tmp_path):
    daemon, box = start_box(network, tmp_path, f"""
[[sim]]
iccid = "{SIM_0}"
max_sms_per_day = 1
""", types.SimpleNamespace(offset=0.0))
    user = network.add_phone(number=USER)
    try:
        # two SMS the network time-stamps a second apart: the same text from the same
        # sender in the same second is one SMS delivered twice to the box (stored once)
        first = datetime.now(timezone.utc).replace(microsecond=0)
        user.send_sms(BOX, "BAL", sent_at=first)   # replied from m1, the modem it came in on
        assert user.wait_sms(1, timeout=15)
        assert user.inbox[0].sender == BOX
        # m1's SIM sent its 1 SMS today: c1 replies
        user.send_sms(BOX, "BAL", sent_at=first + timedelta(seconds=1))
        assert user.wait_sms(2, timeout=15)
        assert user.inbox[1].sender == box.c1.number
        assert wait_for(lambda: SmsOut.select().where(SmsOut.state == "sent").count() == 2, 5)
        sent = [(row.modem, row.iccid, row.parts) for row in
                SmsOut.select().where(SmsOut.state == "sent").order_by(SmsOut.id)]
        assert sent == [("m1", SIM_0, 1), ("c1", SIM_1, 1)]
        alert = Alert.get(Alert.kind == KIND)
        assert (alert.subject, alert.modem) == (SIM_0, "m1")
        assert "SMS 1/1" in alert.message and "it sends no SMS until" in alert.message
        assert "lent to no new call" not in alert.message
        # c2 (its SIM the least used now) came up again a moment before a notice is
        # queued: the notice waits the moment out for c2 rather than going on c1
        daemon.sms.outbox.modem_up("c2")
        out_id = daemon.sms.send(USER, "hello")
        assert user.wait_sms(3, timeout=15)
        assert user.inbox[2].sender == box.c2.number
        assert wait_for(lambda: SmsOut.get_by_id(out_id).state == "sent", 5)
        assert (SmsOut.get_by_id(out_id).modem, SmsOut.get_by_id(out_id).iccid) == ("c2", SIM_2)
    finally:
        daemon.stop()


def test_a_modem_off_the_network_or_without_a_sim_is_never_lent(network):
    modems = [network.add_modem(name=name, number=f"+49151100000{index}", profile="simcom")
              for index, name in enumerate(("a1", "a2"), start=21)]
    pool = ModemPool([ModemConfig(name=modem.name, port=modem.port, audio=modem.audio,
                                  roles=frozenset({"callback"})) for modem in modems],
                     country="DE", on_event=lambda event: None, health_interval=0.2,
                     at_timeout=2)
    pool.start()
    try:
        def seen(name, check) -> bool:
            status = next(status for status in pool.status() if status.name == name)
            return status.health is not None and check(status.health)

        assert wait_for(lambda: seen("a1", lambda health: health.registration == "home")
                        and seen("a2", lambda health: health.registration == "home"), 10)
        modems[0].no_network(True)
        assert wait_for(lambda: seen("a1", lambda h: h.registration == "not registered"), 5)
        for _ in range(3):
            driver = pool.acquire("callback")
            assert driver is not None and driver.name == "a2"
            pool.release(driver.name)
        modems[1].remove_sim()
        assert wait_for(lambda: seen("a2", lambda health: health.sim_state != "ready"), 5)
        assert pool.acquire("callback") is None
        modems[0].no_network(False)
        assert wait_for(lambda: seen("a1", lambda health: health.registration == "home"), 5)
        driver = pool.acquire("callback")
        assert driver is not None and driver.name == "a1"
    finally:
        pool.stop()
