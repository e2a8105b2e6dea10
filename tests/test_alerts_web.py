"""Alerts as the owner meets them: the Alerts page and its JSON API (admins only, CSRF,
acknowledging), the banner on every admin page, `callbox alerts test|list` against a real
SMTP server and HTTP receiver, and a daemon that restarted after a crash with a modem that
never came up."""
from __future__ import annotations

import json
import re

import pytest

from callbox.cli import main
from callbox.daemon import Daemon
from gateway import users
from gateway.actions.audit import AuditRecord
from gateway.config import load
from gateway.store.alerts import Alert, raise_alert, recover
from gateway.store.db import DaemonRecord, close_database, open_database
from webui.app import make_app

from tests.alert_rig import HttpReceiver, SmtpReceiver
from tests.webclient import Client


@pytest.fixture
def receivers():
    smtp, http = SmtpReceiver(), HttpReceiver()
    yield smtp, http
    smtp.stop()
    http.stop()


def some_alerts(now: float) -> dict[str, Alert]:
    """Raises three alerts of box "box": a modem down, a SIM that recovered, a notice."""
    made = {"modem": raise_alert("box", "modem-down", "m2", now - 300,
                                 "modem m2 is down for 2 min now: port vanished", modem="m2"),
            "sim": raise_alert("box", "sim-limit", "89490200001234567890", now - 200,
                               "120 of 120 minutes today", modem="m1"),
            "notice": raise_alert("box", "daemon-crashed", "box", now - 100,
                                  "the daemon restarted", notice=True)}
    recover("box", "sim-limit", "89490200001234567890", now - 50, "a new day began")
    raise_alert("box", "modem-down", "m2", now - 10, "modem m2 is down for 2 min now")
    raise_alert("other-box", "modem-down", "m9", now, "not this box's")
    return made


def banner(text: str) -> str | None:
    found = re.search(r'<p class="alerts-banner" id="open-alerts"[^>]*><a href="/admin/alerts">'
                      r"([^<]+)</a>", text)
    return found.group(1) if found else None


def test_the_alerts_page_lists_open_alerts_first_and_acknowledges_one(app):
    made = some_alerts(app.clock.now)
    anonymous, holder, admin = Client(app), Client(app), Client(app)
    holder.login("alice", "alice-secret")
    admin.login("root", "admin-secret")
    assert anonymous.get("/admin/alerts").headers["Location"].endswith("/login")
    assert holder.get("/admin/alerts").status == 403
    assert banner(holder.get("/").text) is None           # holders never see it
    page = admin.get("/admin/alerts")
    assert page.status == 200
    ids = [int(found) for found in re.findall(r'<tr data-id="(\d+)"', page.text)]
    assert ids == [made["modem"].id, made["notice"].id, made["sim"].id]   # open first
    assert "Modem down" in page.text and "modem m2" in page.text
    assert "Check the USB cable" in page.text                 # the kind's advice
    assert "a new day began" in page.text and "again 1×, last" in page.text   # recovery, repeats
    assert "not sent: no [alerts] urls" in page.text
    assert banner(page.text) == "1 open alert"
    assert banner(admin.get("/admin/modems").text) == "1 open alert"   # on every admin page
    # acknowledging needs the form's CSRF token
    assert admin.post(f"/admin/alerts/{made['modem'].id}/ack", {}).status == 403
    done = admin.post(f"/admin/alerts/{made['modem'].id}/ack", {"csrf_token": admin.csrf()})
    assert done.status == 200 and f"Alert {made['modem'].id} (Modem down) acknowledged" in done.text
    assert Alert.get_by_id(made["modem"].id).acknowledged
    assert banner(done.text) is None
    assert AuditRecord.get(AuditRecord.action == "acknowledge_alert").actor == "root"
    missing = admin.post("/admin/alerts/999/ack", {"csrf_token": admin.csrf()})
    assert missing.status == 404 and "no alert 999" in missing.text


def test_the_alerts_json_api(app):
    made = some_alerts(app.clock.now)
    anonymous, holder, admin = Client(app), Client(app), Client(app)
    holder_csrf = holder.login("alice", "alice-secret")
    csrf = admin.login("root", "admin-secret")
    assert anonymous.get("/api/admin/alerts").status == 401
    assert holder.get("/api/admin/alerts").status == 403
    path = f"/api/admin/alerts/{made['sim'].id}/ack"
    assert holder.request("POST", path, headers={"X-CSRF-Token": holder_csrf}).status == 403
    listing = json.loads(admin.get("/api/admin/alerts").text)
    assert (listing["open"], listing["total"]) == (1, 3)
    first = listing["alerts"][0]
    assert (first["kind"], first["title"], first["about"], first["state"], first["repeats"]) == (
        "modem-down", "Modem down", "modem m2", "open", 1)
    assert first["advice"].startswith("Look at the Modems page")
    assert first["delivery"]["state"].startswith("not sent: no [alerts] urls")
    sim = next(alert for alert in listing["alerts"] if alert["kind"] == "sim-limit")
    assert (sim["state"], sim["recovery"], sim["about"]) == (
        "recovered", "a new day began", "SIM 89490200001234567890 (in modem m1)")
    only_open = json.loads(admin.get("/api/admin/alerts?open=1").text)
    assert [alert["id"] for alert in only_open["alerts"]] == [made["modem"].id]
    assert admin.request("POST", path).status == 403                    # no CSRF header
    acked = admin.request("POST", path, headers={"X-CSRF-Token": csrf})
    assert acked.status == 200 and json.loads(acked.text)["acknowledged"] is True
    assert AuditRecord.get(AuditRecord.action == "acknowledge_alert").via == "api"
    gone = admin.request("POST", "/api/admin/alerts/999/ack", headers={"X-CSRF-Token": csrf})
    assert gone.status == 404 and "no alert 999" in json.loads(gone.text)["error"]


def write_config(tmp_path, urls: list[str], extra: str = "") -> str:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\nbox = "box"\n'
                    f'[web]\nlisten = "127.0.0.1:0"\n'
                    f"[alerts]\nurls = {json.dumps(urls)}\n{extra}")
    return str(path)


def test_callbox_alerts_test_reports_each_url_and_list_shows_the_rows(
        tmp_path, receivers, capsys):
    smtp, http = receivers
    config = write_config(tmp_path, [smtp.url, http.url])
    assert main(["alerts", "test", "--config", config]) == 0
    said = capsys.readouterr().out
    assert f"mailto://127.0.0.1:{smtp.port}/owner%40callbox.example: delivered" in said
    assert f"json://127.0.0.1:{http.port}/callbox-alerts: delivered" in said
    assert "2 of 2 URL(s) delivered" in said
    assert smtp.wait_for(1)[0]["subject"] == "callbox box: Test alert: box box"
    assert "if you read this, alerts reach you" in http.wait_for(1)[0]["message"]
    # a receiver that is not there fails, and says so
    down = HttpReceiver(up=False)
    config = write_config(tmp_path, [http.url, down.url])
    assert main(["alerts", "test", "--config", config]) == 1
    said = capsys.readouterr().out
    assert f"json://127.0.0.1:{down.port}/callbox-alerts: FAILED: " in said
    assert "1 of 2 URL(s) delivered" in said and len(http.wait_for(2)) == 2
    assert main(["alerts", "test", "--config", write_config(tmp_path, [])]) == 1
    assert "no [alerts] urls" in capsys.readouterr().err
    # list: this box's rows, open ones first
    config = write_config(tmp_path, [http.url])
    open_database(load(config).gateway.database)
    try:
        some_alerts(1_000_000.0)
    finally:
        close_database()
    assert main(["alerts", "list", "--open", "--config", config]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "open, 1 repeat(s)  Modem down: modem m2" in lines[0]
    assert len(lines) == 3 and "being sent" in lines[2]
    assert main(["alerts", "list", "--config", config]) == 0
    assert "recovered" in capsys.readouterr().out


def test_a_daemon_restarted_after_a_crash_with_a_modem_that_never_came_up(tmp_path, receivers):
    _, http = receivers
    config = load(write_config(tmp_path, [http.url], "modem_down_after = 0.3\n"
                                                     "poll_interval = 0.05\n"
                               "[[modem]]\nname = \"m1\"\nport = \"/dev/callbox-test-absent\"\n"
                               "audio = \"default\"\nroles = [\"trigger\", \"callback\"]\n"))
    open_database(config.gateway.database)
    DaemonRecord.create(box="box", pid=4242, version="0.9", started_at=1000.0,
                        heartbeat_at=2000.0, status="1/1 modems up")     # killed, not stopped
    users.add_user("root", "admin-secret", 1000.0, is_admin=True)
    close_database()
    daemon = Daemon(config)
    daemon.start()
    try:
        titles = {post["title"] for post in http.wait_for(2)}
        assert titles == {"callbox box: Restarted after a crash: box box",
                          "callbox box: Modem down: modem m1"}
        down = next(post for post in http.got if "Modem down" in post["title"])
        assert "modem m1 did not come up within 0 s of the start" in down["message"]
        crash = next(post for post in http.got if "crash" in post["title"])
        assert "(pid 4242) ended without stopping" in crash["message"]
        admin = Client(make_app(config, daemon))
        admin.login("root", "admin-secret")
        assert banner(admin.get("/admin/modems").text) == "1 open alert"
    finally:
        daemon.stop()
        close_database()
