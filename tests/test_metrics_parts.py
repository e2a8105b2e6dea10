"""The metrics' parts: the collector over a real database, AT failures counted by the pool,
the [metrics] table, and the docs (every metric described, rules and dashboard checked)."""
from __future__ import annotations

import json
from pathlib import Path
import re
import subprocess
import time

from prometheus_client.parser import text_string_to_metric_families
import pytest

from gateway.care.metrics import Metrics
from gateway.care.models import SimBalance
from gateway.config import ConfigError, parse
from gateway.meters import Meters
from gateway.money.ledger import Cdr
from gateway.store import alerts
from gateway.store.db import close_database, db, open_database
from modems.config import ModemConfig
from modems.driver import Health
from modems.events import ModemDown, ModemUp
from modems.pool import ModemPool, ModemStatus

from tests.conftest import EventLog
from tests.test_metrics import PROMTOOL, promtool_check, samples, value

DOCS = Path(__file__).resolve().parent.parent / "docs"
BOX = "+4915110000001"
ICCID = "89490200001234567890"


@pytest.fixture
def database(tmp_path):
    open_database(str(tmp_path / "callbox.db"))
    yield db
    close_database()


def up(name: str, registration: str = "home", dbm: int | None = -77, iccid: str | None = None,
       **fields) -> ModemStatus:
    health = Health(15, dbm, 3, registration, "Virtual GSM", "READY", iccid, None)
    return ModemStatus(name, "up", health=health, **fields)


def box_metrics(statuses=(), down=False, meters=None) -> Metrics:
    return Metrics("box", meters or Meters(), statuses=lambda: list(statuses),
                   sessions_running=lambda: 2, database_down=lambda: down,
                   now=lambda: time.time())


def every_name(text: str) -> set[str]:
    """Gives the sample names a scrape can hold (families, with _total, _bucket...)."""
    return set(re.findall(r"^# TYPE (\S+)", text, re.M)) | {
        sample.name for family in text_string_to_metric_families(text)
        for sample in family.samples}


def full_scrape(database) -> str:
    """Gives a scrape in which every metric the box has appears."""
    now = time.time()
    for at, amount in ((now - 86400, 1200), (now - 60, 455), (now, None)):   # None: unread
        SimBalance.create(box="box", iccid=ICCID, modem="m2", at=at, amount_minor=amount)
    Cdr.create(box="box", role="callback", direction="outgoing", number="+4917012345678",
               modem="m1", started_at=now - 90, answered_at=now - 80, ended_at=now - 20)
    alerts.raise_alert("box", "modem-down", "m2", now, "m2 is down", modem="m2")
    sent = alerts.raise_alert("box", "sim-low-balance", "8949", now, "low", notice=True)
    alerts.Alert.update(sent_at=now).where(alerts.Alert.id == sent.id).execute()
    meters = Meters()
    meters.dial_latency.observe(2.2)
    statuses = [up("m1", in_call=True, at_errors=3, at_timeouts=1),
                up("m2", "searching", None, iccid=ICCID, recoveries={"reset": 1}),
                ModemStatus("m3", "down", "port gone")]
    return box_metrics(statuses, meters=meters).render().decode()


def test_a_scrape_reads_modems_and_database(database):
    text = full_scrape(database)
    values = samples(text)
    assert value(values, "callbox_modem_up", modem="m1") == 1
    assert value(values, "callbox_modem_up", modem="m3") == 0
    assert value(values, "callbox_modem_registered", modem="m2") == 0
    assert value(values, "callbox_modem_signal_dbm", modem="m1") == -77
    assert ("callbox_modem_signal_dbm", (("modem", "m2"),)) not in values   # unknown: absent
    assert value(values, "callbox_modem_in_call", modem="m1") == 1
    assert value(values, "callbox_modem_at_errors_total", modem="m1") == 3
    assert value(values, "callbox_modem_recoveries_total", modem="m2", step="reset") == 1
    assert value(values, "callbox_modem_calls_today", modem="m1") == 1
    assert value(values, "callbox_modem_talk_seconds_today", modem="m1") == pytest.approx(60)
    assert value(values, "callbox_sim_balance", modem="m2", iccid=ICCID) == 4.55    # newest
    assert value(values, "callbox_alerts_open", kind="modem-down") == 1
    assert value(values, "callbox_alerts_sent_total", kind="sim-low-balance") == 1
    assert value(values, "callbox_sessions_running") == 2
    assert value(values, "callbox_callback_dial_latency_seconds_bucket", le="3.0") == 1
    promtool_check(text)


def test_while_the_database_is_down_its_metrics_are_left_out(database):
    values = samples(box_metrics([up("m1")], down=True).render().decode())
    assert value(values, "callbox_database_up") == 0
    assert value(values, "callbox_modem_up", modem="m1") == 1
    assert not any(name.startswith(("callbox_sms_outbox", "callbox_alerts", "callbox_modem_calls"))
                   for name, _ in values)


def test_the_pool_counts_at_failures_across_reopenings(network, open_driver):
    modem = network.add_modem(name="m1", number=BOX, profile="simcom")
    driver, _ = open_driver(modem)
    driver.health()                            # optional commands refused: no AT error
    with pytest.raises(Exception):
        driver.read_sms(99)                    # +CMS ERROR: an AT error
    assert driver.at_failures == (1, 0)
    driver.close()
    events = EventLog()
    pool = ModemPool([ModemConfig(name="m1", port=modem.port, audio=modem.audio,
                                  roles=frozenset({"callback"}))], country="DE",
                     on_event=events, health_interval=0.2, at_timeout=0.5)
    pool.start()
    try:
        events.wait_for(ModemUp)
        modem.hang(True)
        events.wait_for(ModemDown, timeout=5)
        modem.hang(False)
        events.wait_for(ModemUp, timeout=5)
        status = pool.status()[0]
        assert status.at_timeouts >= 2 and status.at_errors == 0    # kept after reopening
    finally:
        pool.stop()


@pytest.mark.parametrize("settings, problem", [
    ({"enabled": True, "listen": "127.0.0.1:8080"}, "must differ from [web] listen"),
    ({"listen": "nowhere"}, "must be host:port"),
    ({"token": "short"}, "16 to 256"),
    ({"token": "x" * 20 + " y"}, "16 to 256"),
    ({"token": 12345678901234567}, "quoted string"),
    ({"enabeld": True}, "did you mean enabled"),
])
def test_metrics_settings_are_checked(settings, problem):
    data = {"web": {"listen": "127.0.0.1:8080"}, "metrics": settings}
    with pytest.raises(ConfigError) as error:
        parse(data)
    assert problem in str(error.value)
    token = settings.get("token")
    if token is not None:
        assert str(token) not in str(error.value)     # a secret is never repeated


def test_every_metric_is_documented_and_every_documented_one_exists(database):
    names = every_name(full_scrape(database))
    documented = set(re.findall(r"`(callbox_[a-z_]+)`", (DOCS / "metrics.md").read_text()))
    served = {name for name in names if not name.endswith(("_bucket", "_count", "_sum",
                                                           "_created"))}
    assert served - documented == set(), "metrics without a word in docs/metrics.md"
    assert documented - names == set(), "docs/metrics.md names metrics the box lacks"


def test_the_dashboard_queries_only_metrics_the_box_has(database):
    names = every_name(full_scrape(database))
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"]
               for target in panel.get("targets", [])]
    assert len(queries) >= 8
    used = {name for query in queries for name in re.findall(r"\bcallbox_[a-z_]+", query)}
    assert used - names == set()
    assert {"callbox_modem_up", "callbox_database_up"} <= used


def test_the_alerting_rules_pass_promtool():
    assert Path(PROMTOOL).exists(), "promtool is missing: apt-get install prometheus"
    result = subprocess.run([PROMTOOL, "check", "rules", str(DOCS / "prometheus-rules.yml")],
                            capture_output=True, timeout=30)
    assert result.returncode == 0, (result.stdout + result.stderr).decode()
    assert b"SUCCESS: 2 rules found" in result.stdout
