"""/metrics: a whole box on the virtual network, scraped on the web listener and on its own,
with and without the token; the text checked by Debian's promtool."""
from __future__ import annotations

from pathlib import Path
import subprocess
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families
import pytest

from gateway.care.metrics import Metrics
from gateway.config import load, parse
from gateway.meters import Meters
from modems.sim import PhoneState
from webui import metrics as metrics_page

from tests.boxrig import BOX, Rig, ensure_prompts, wait_for
from tests.webclient import Client

PROMTOOL = "/usr/bin/promtool"
TOKEN = "scrape-me-0123456789abcdef"


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


def metrics_rig(network, tmp_path: Path, settings: str) -> Rig:
    """A box whose configuration adds the [metrics] table `settings`."""
    rig = Rig(network, tmp_path)
    path = tmp_path / "callbox.toml"
    path.write_text(path.read_text() + "\n[metrics]\n" + settings)
    rig.config = load(str(path))
    return rig


@pytest.fixture
def rigs():
    made = []
    yield made
    for rig in made:
        rig.stop()


def scrape(url: str, token: str | None = None) -> tuple[int, str, str]:
    """Gives (status, content type, text) of GET url."""
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def samples(text: str) -> dict[tuple, float]:
    """Gives (sample name, sorted labels) -> value of a scrape."""
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(values: dict, name: str, **labels) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


def promtool_check(text: str) -> None:
    """Fails unless promtool finds no problem in the text (it lints names, units, help)."""
    assert Path(PROMTOOL).exists(), "promtool is missing: apt-get install prometheus"
    result = subprocess.run([PROMTOOL, "check", "metrics"], input=text.encode(),
                            capture_output=True, timeout=30)
    assert result.returncode == 0 and not result.stdout and not result.stderr, \
        (result.stdout + result.stderr).decode()


def web_url(rig: Rig) -> str:
    return f"http://127.0.0.1:{rig.daemon.web.port}/metrics"


def test_a_callback_and_an_sms_move_the_counters_on_the_web_listener(network, tmp_path, rigs):
    rig = metrics_rig(network, tmp_path, f'enabled = true\ntoken = "{TOKEN}"\n')
    rigs.append(rig)
    rig.start(balance=1250)
    before = samples(scrape(web_url(rig), TOKEN)[2])
    assert value(before, "callbox_modem_up", modem="m1") == 1
    assert value(before, "callbox_sessions_started_total", kind="callback") == 0

    user = rig.user
    user.call(BOX)                          # rejected, then called back
    assert user.wait_state(PhoneState.RINGING, timeout=10), "no callback"
    user.answer()
    user.press("5")                         # during the balance: counted, then not used
    assert wait_for(lambda: sum(value(samples(scrape(web_url(rig), TOKEN)[2]),
                                      "callbox_dtmf_keys_total", source=source)
                                for source in ("urc", "in_band")) >= 1, 5), "key not counted"
    user.hangup()
    assert rig.wait_settled()
    user.send_sms(BOX, "BAL")
    assert user.wait_sms(count=1, timeout=15)
    # the reply reached the phone; the outbox marks it sent a moment later
    assert wait_for(lambda: value(samples(scrape(web_url(rig), TOKEN)[2]),
                                  "callbox_sms_sent_total", kind="reply") == 1, 5)

    status, content_type, text = scrape(web_url(rig), TOKEN)
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    after = samples(text)
    assert value(after, "callbox_sessions_started_total", kind="callback") == 1
    assert value(after, "callbox_calls_started_total", role="callback") == 1
    assert value(after, "callbox_calls_ended_total", role="callback", cause="normal") == 1
    assert value(after, "callbox_billed_seconds_total", role="callback") == 60
    assert value(after, "callbox_callback_dial_latency_seconds_count") == 1
    assert 0 < value(after, "callbox_callback_dial_latency_seconds_sum") < 10
    # SIMCom reports the key (URC); the box's own detector may hear it too
    assert value(after, "callbox_dtmf_keys_total", source="urc") == 1
    assert value(after, "callbox_sms_received_total", modem="m1") == 1
    assert value(after, "callbox_sms_commands_total", kind="bal") == 1
    assert value(after, "callbox_modem_calls_today", modem="m1") == 1
    assert value(after, "callbox_modem_calls_today", modem="m2") == 0
    assert value(after, "callbox_modem_talk_seconds_today", modem="m1") > 0
    assert value(after, "callbox_modem_registered", modem="m2") == 1
    assert value(after, "callbox_database_up") == 1
    assert value(after, "callbox_sms_outbox_depth") == 0
    promtool_check(text)

    for wrong in (None, "", TOKEN[:-1], TOKEN + "x"):
        status, _, body = scrape(web_url(rig), wrong)
        assert status == 401, wrong
        assert "callbox_" not in body


def test_its_own_listener_serves_metrics_and_the_web_ui_does_not(network, tmp_path, rigs):
    rig = metrics_rig(network, tmp_path, 'enabled = true\nlisten = "127.0.0.1:0"\n')
    rigs.append(rig)
    rig.start(balance=1250)
    own = f"http://127.0.0.1:{rig.daemon.metrics_server.port}"
    rig.user.send_sms(BOX, "HELP")
    assert rig.user.wait_sms(count=1, timeout=15)

    assert wait_for(lambda: value(samples(scrape(own + "/metrics")[2]),
                                  "callbox_sms_sent_total", kind="help") == 1, 5)
    status, _, text = scrape(own + "/metrics")
    assert status == 200
    after = samples(text)
    assert value(after, "callbox_sms_commands_total", kind="help") == 1
    assert value(after, "callbox_sms_received_total", modem="m1") == 1
    assert value(after, "callbox_modem_up", modem="m2") == 1
    promtool_check(text)
    assert scrape(own + "/metrics", "any-token-is-ignored-without-one")[0] == 200
    assert scrape(own + "/")[0] == 404
    assert scrape(web_url(rig))[0] == 404
    assert rig.daemon.metrics is not None


def test_the_token_guards_its_own_listener(tmp_path):
    config = parse({"web": {"listen": "127.0.0.1:0"},
                    "metrics": {"enabled": True, "listen": "127.0.0.1:0", "token": TOKEN}})
    metrics = Metrics("box", Meters(), statuses=list, sessions_running=lambda: 0,
                      database_down=lambda: True)
    server = metrics_page.server(metrics, config)
    server.start()
    try:
        url = f"http://127.0.0.1:{server.port}/metrics"
        assert scrape(url)[0] == 401
        assert scrape(url, "wrong-token-0123456789")[0] == 401
        status, _, text = scrape(url, TOKEN)
        assert status == 200 and value(samples(text), "callbox_database_up") == 0
        request = urllib.request.Request(url, data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405
    finally:
        server.stop()


def test_metrics_are_off_by_default(app):
    assert not app.web.config.metrics.enabled
    reply = Client(app).get("/metrics")
    assert reply.status == 404 and "callbox_" not in reply.text
    assert Client(app).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status \
        == 404
