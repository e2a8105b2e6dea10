"""SIM credit and keep-alive (gateway/care/): the `sim-care` worker's look run on an injected
clock against a real pool of virtual modems, with the real SMS outbox."""
from __future__ import annotations

import time
import types

import pytest

from gateway.care import credit, keepalive, requests
from gateway.care.models import SimBalance, SimKeepalive
from gateway.care.simcare import SimCare
from gateway.config import parse
from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr
from gateway.store.db import close_database, open_database
from gateway.store.alerts import Alert
from modems.sim import PhoneState

from tests.sms_rig import SmsBox, outbox, wait_until

OPERATOR = "+4917012345678"     # the keep-alive SMS goes here (a virtual phone)
CALLER = "+4917098765432"
HOUR, DAY = 3600.0, 86400.0


def care_config(rig, sims: list[dict]):
    """The rig's configuration with [[sim]] tables added."""
    return parse({"gateway": {"state_dir": str(rig.tmp_path), "box": "testbox",
                              "database": rig.config.gateway.database, "country": "DE",
                              "currency": "EUR"},
                  "sim": sims}, rig.tmp_path / "callbox.toml")


@pytest.fixture
def rig(network, tmp_path):
    rig = SmsBox(network, tmp_path, sms={"retry_backoff": [1]}, profiles=("simcom", "quectel"))
    rig.clock = types.SimpleNamespace(now=time.time())
    rig.operator = network.add_phone(OPERATOR)
    rig.start()
    for modem in rig.modems:     # the SIM's ICCID comes with the first health read
        wait_until(lambda: any(status.health and status.health.iccid == modem.iccid
                               for status in rig.pool.status()), what=f"{modem.name}'s ICCID")
    yield rig
    rig.stop()


def care_of(rig, sims: list[dict]) -> SimCare:
    """A SimCare on the rig, not started: the test runs its look on its own clock."""
    config = care_config(rig, sims)
    return SimCare(lambda: config, rig.pool, rig.service, lambda: rig.clock.now)


def checks(iccid: str) -> list[SimBalance]:
    return list(SimBalance.select().where(SimBalance.iccid == iccid).order_by(SimBalance.id))


def low_alerts(iccid: str) -> list[Alert]:
    return list(Alert.select().where((Alert.kind == "sim-low-balance")
                                     & (Alert.subject == iccid)))


def test_credit_is_checked_on_time_kept_and_alerted_once_below_low_balance(rig):
    m1 = rig.modems[0]
    care = care_of(rig, [{"iccid": m1.iccid, "balance_ussd": "*100#", "balance_check_hours": 6,
                          "low_balance": 3.0}])
    care.look()
    assert [row.amount_minor for row in checks(m1.iccid)] == [500]
    assert checks(m1.iccid)[0].modem == "m1" and "5.00" in checks(m1.iccid)[0].answer
    rig.clock.now += 5 * HOUR                      # not due yet
    care.look()
    assert len(checks(m1.iccid)) == 1
    m1.credit_minor = 250                          # the credit drops below low_balance
    rig.clock.now += 1 * HOUR
    care.look()
    assert [row.amount_minor for row in checks(m1.iccid)] == [500, 250]
    (alert,) = low_alerts(m1.iccid)
    assert alert.state == "open" and alert.modem == "m1"
    assert "2.50 EUR" in alert.message and "m1" in alert.message and "Top up" in alert.advice
    rig.clock.now += 6 * HOUR                      # still low: counted, not raised again
    care.look()
    assert [(row.state, row.repeats) for row in low_alerts(m1.iccid)] == [("open", 1)]
    m1.credit_minor = 1000                         # topped up
    rig.clock.now += 6 * HOUR
    care.look()
    (alert,) = low_alerts(m1.iccid)
    assert alert.state == "recovered" and "10.00 EUR" in alert.recovery
    assert [row.amount_minor for row in credit.history(iccid=m1.iccid)] == [1000, 250, 250, 500]
    assert not checks(rig.modems[1].iccid)         # a SIM without balance_ussd is not asked


def test_a_modem_in_a_call_is_not_asked_until_the_call_ends(rig, network):
    m1 = rig.modems[0]
    care = care_of(rig, [{"iccid": m1.iccid, "balance_ussd": "*100#"}])
    caller = network.add_phone(CALLER)
    caller.call(m1.number)
    wait_until(lambda: [status.in_call for status in rig.pool.status()
                        if status.name == "m1"] == [True], what="m1 in a call")
    care.look()
    assert not checks(m1.iccid)
    assert not any("CUSD" in line for line in m1.commands)
    caller.hangup()
    assert caller.wait_state(PhoneState.IDLE)
    wait_until(lambda: [status.in_call for status in rig.pool.status()
                        if status.name == "m1"] == [False], what="m1 free")
    care.look()                                    # the next look asks it
    assert [row.amount_minor for row in checks(m1.iccid)] == [500]


def test_an_answer_without_an_amount_is_recorded_with_the_reason(rig):
    m1, m2 = rig.modems
    m1.ussd_replies["*100#"] = "Service temporarily unavailable"
    m2.ussd_replies["*101#"] = "Guthaben: 12,34 EUR. Gültig bis 01.02.2027"
    care = care_of(rig, [
        {"iccid": m1.iccid, "balance_ussd": "*100#", "low_balance": 3.0},
        {"iccid": m2.iccid, "balance_ussd": "*101#", "balance_regex": r"Guthaben: ([\d,]+)"}])
    care.look()
    (failed,) = checks(m1.iccid)
    assert failed.amount_minor is None and "finds nothing" in failed.error
    assert failed.answer == "Service temporarily unavailable" and not low_alerts(m1.iccid)
    assert [row.amount_minor for row in checks(m2.iccid)] == [1234]
    rig.clock.now += 30 * 60                       # a failed check is tried again in an hour
    care.look()
    assert len(checks(m1.iccid)) == 1
    m1.ussd_replies.pop("*100#")                   # the network: not supported (+CUSD: 4)
    rig.clock.now += HOUR
    care.look()
    assert "not supported" in checks(m1.iccid)[-1].error


@pytest.mark.parametrize("answer, pattern, minor", [
    ("Your balance is 5.00", r"(\d+[.,]\d{1,2})", 500),
    ("Balance: 12,5 EUR", r"Balance: (\S+)", 1250),
    ("Credit 1.234,56 RUB", r"Credit ([\d.,]+)", 123456),
    ("Credit 1,234.56", r"Credit ([\d.,]+)", 123456),
    ("Saldo: -0.40 EUR", r"Saldo: (-?[\d.]+)", -40),
    ("You have 7 EUR", r"\d+ EUR", 700),
])
def test_amounts_in_the_shapes_operators_write_them(answer, pattern, minor):
    assert credit.find_amount(answer, pattern) == minor


@pytest.mark.parametrize("answer, pattern", [
    ("no money here", r"(\d+[.,]\d{1,2})"), ("Balance: none", r"Balance: (\w+)"),
    ("Call 0800123456789012 for help", r"(\d+)")])
def test_no_amount_is_a_clear_error(answer, pattern):
    with pytest.raises(ValueError):
        credit.find_amount(answer, pattern)


def test_keep_alive_goes_once_per_period_from_the_sims_modem(rig):
    m2 = rig.modems[1]
    sims = [{"iccid": m2.iccid, "keepalive_days": 30, "keepalive_to": OPERATOR,
             "keepalive_text": "BAL"}]
    care = care_of(rig, sims)
    care.look()                  # no use of the SIM known: it is kept alive at once
    assert rig.operator.wait_sms(1, timeout=10)
    assert (rig.operator.inbox[0].sender, rig.operator.inbox[0].text) == (m2.number, "BAL")
    wait_until(lambda: [row.state for row in outbox()] == ["sent"], what="marked sent")
    assert outbox()[0].kind == "keepalive" and outbox()[0].modem == "m2"
    (record,) = SimKeepalive.select()
    assert (record.iccid, record.modem, record.number) == (m2.iccid, "m2", OPERATOR)
    rig.clock.now += 29 * DAY
    care.look()
    care_of(rig, sims).look()    # a restarted box knows it too
    assert SimKeepalive.select().count() == 1 and len(outbox()) == 1
    rig.clock.now += 2 * DAY     # 31 days idle
    care.look()
    assert rig.operator.wait_sms(2, timeout=10) and rig.operator.inbox[1].text == "BAL"
    assert SimKeepalive.select().count() == 2
    assert keepalive.last_keepalive(m2.iccid).at == rig.clock.now
    care.look()
    assert len(outbox()) == 2 and len(rig.operator.inbox) == 2


def test_a_keep_alive_to_an_operators_short_code_goes_to_it_as_written(rig, network):
    """An operator's service number is a short code: the SMS goes to 22922 as written
    (it went to +4922922, which only the virtual network took for the same number)."""
    service = network.add_phone("22922")        # the operator's service, on its network
    m1 = rig.modems[0]
    care = care_of(rig, [{"iccid": m1.iccid, "keepalive_days": 7, "keepalive_to": "22922",
                          "keepalive_text": "BAL"}])
    care.look()
    assert service.wait_sms(1, timeout=10) and service.inbox[0].text == "BAL"
    (record,) = SimKeepalive.select()
    assert record.number == "22922" and outbox()[0].number == "22922"


def test_a_sim_used_lately_gets_no_keep_alive(rig):
    m1 = rig.modems[0]
    Cdr.create(box="testbox", role="callback", direction="outgoing", number=CALLER,
               modem="m1", iccid=m1.iccid, started_at=rig.clock.now - 5 * DAY,
               answered_at=rig.clock.now - 5 * DAY, ended_at=rig.clock.now - 5 * DAY + 60)
    care = care_of(rig, [{"iccid": m1.iccid, "keepalive_days": 7, "keepalive_to": OPERATOR}])
    care.look()
    assert SimKeepalive.select().count() == 0 and not outbox()
    rig.clock.now += 2 * DAY + 1                  # 7 days since that call
    care.look()
    (record,) = SimKeepalive.select()
    assert record.idle_since == rig.clock.now - 7 * DAY - 1 and outbox()[0].modem_hint == "m1"


def test_requests_and_checks_on_each_engine(db_url):
    open_database(db_url)
    try:
        first = requests.queue_request("box", "ussd", "m1", "*100#", 1000.0)
        stale = requests.queue_request("box", "balance", "m2", "", 1000.0 - 61)
        assert requests.any_queued("box") and not requests.any_queued("other")
        taken = requests.take_next("box", 1000.0)
        assert taken.id == first and requests.get(stale).state == "expired"
        assert requests.take_next("box", 1000.0) is None and not requests.give_up(first, 1001.0)
        requests.finish(first, 1002.0, answer="Your balance is 5.00", ussd_status=0)
        assert (requests.get(first).state, requests.get(first).answer) == (
            "done", "Your balance is 5.00")
        sim = SimConfig(iccid="89490200001234567890", balance_ussd="*100#",
                        low_balance_minor=100)
        credit.record("box", "m1", sim.iccid, sim, "Balance 0.50", "", 1000.0, "EUR")
        credit.record("box", "m1", sim.iccid, sim, "Balance 9999999999.99", "", 1001.0, "EUR")
        credit.record("box", "m1", sim.iccid, sim, None, "m1: no USSD answer", 1002.0, "EUR")
        assert [(row.amount_minor, row.error) for row in credit.history(iccid=sim.iccid)] == [
            (None, "m1: no USSD answer"), (999999999999, ""), (50, "")]
        assert [alert.state for alert in low_alerts(sim.iccid)] == ["recovered"]
    finally:
        close_database()


def test_a_keep_alive_goes_from_its_own_sim_only(rig):
    m1, m2 = rig.modems
    m2.no_network(True)          # m2 cannot send: its keep-alive must not go from m1
    care = care_of(rig, [{"iccid": m2.iccid, "keepalive_days": 30, "keepalive_to": OPERATOR}])
    care.look()
    wait_until(lambda: [row.state for row in outbox()] == ["failed"], timeout=10,
               what="the keep-alive given up on m2")
    row = outbox()[0]
    assert row.modem == "m2" and row.attempts == 2 and "gave up" in row.reason
    assert not rig.operator.inbox and not any("CMGS" in line for line in m1.commands)
