"""SIM credit and USSD through a running daemon on the virtual network: `callbox sim balance`
and `callbox ussd` (one step, and a menu answered with --reply) as another process would
run them (the request goes through the database), the clear errors when the box is not
running or the modem is unknown, and the admin JSON routes and Modems page."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from callbox.cli import main
from gateway import users
from gateway.care.models import ModemRequest, SimBalance
from gateway.config import load
from gateway.store.db import ModemStatusRecord, open_database

from tests.boxrig import Rig, wait_for
from tests.test_cli import ROOT, write_config
from tests.webclient import Client
from webui.app import make_app


@pytest.fixture
def box(network, tmp_path):
    """The whole daemon with m1's SIM given balance_ussd in a [[sim]] table."""
    rig = Rig(network, tmp_path)
    path = tmp_path / "callbox.toml"
    with path.open("a") as config:
        config.write(f'\n[[sim]]\niccid = "{rig.trigger.iccid}"\nbalance_ussd = "*100#"\n'
                     'low_balance = 1.0\n')
    rig.config = load(str(path))
    rig.path = path
    rig.start()
    assert wait_for(lambda: ModemStatusRecord.select().where(
        ModemStatusRecord.iccid.is_null(False)).count() == 2, timeout=10), "no ICCIDs read"
    yield rig
    rig.stop()


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sim_balance_and_ussd_menus_through_the_running_box(box, capsys):
    config = str(box.path)
    code, out, err = cli(capsys, "sim", "balance", "--config", config)
    assert code == 0, err
    assert out.startswith(f"m1  SIM {box.trigger.iccid}  5.00 USD") and "m2" not in out
    assert SimBalance.get().amount_minor == 500
    box.trigger.credit_minor = 75
    code, out, _ = cli(capsys, "sim", "balance", "m1", "--config", config)
    assert code == 0 and "0.75 USD" in out
    code, _, err = cli(capsys, "sim", "balance", "m2", "--config", config)
    assert code == 1 and "has no balance_ussd in a [[sim]] table" in err

    menu = box.trigger.ussd_replies
    menu["*101#"] = (1, "1 Balance\n2 Bundles")
    menu["*101#>2"] = (1, "1 Day pass 1.00\n2 Week pass 5.00")
    menu["*101#>2>1"] = (0, "Day pass booked")
    code, out, _ = cli(capsys, "ussd", "m1", "*101#", "--config", config)
    assert code == 0 and out.startswith("1 Balance\n2 Bundles\n")
    assert "waits for a reply: callbox ussd m1 --reply TEXT" in out
    code, out, _ = cli(capsys, "ussd", "m1", "--reply", "2", "--config", config)
    assert code == 0 and out.startswith("1 Day pass 1.00\n2 Week pass 5.00")
    code, out, _ = cli(capsys, "ussd", "m1", "--reply", "1", "--config", config)
    assert code == 0 and out == "Day pass booked\n"
    assert 'AT+CUSD=1,"2",15' in box.trigger.commands
    code, _, err = cli(capsys, "ussd", "m1", "--reply", "1", "--config", config)
    assert code == 1 and "no USSD menu waits for a reply" in err

    # the same from another process, as an owner types it
    done = subprocess.run([sys.executable, "-m", "callbox", "ussd", "m2", "*100#",
                           "--config", config], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    assert (done.returncode, done.stdout) == (0, "Your balance is 5.00\n"), done.stderr

    code, _, err = cli(capsys, "ussd", "m7", "*100#", "--config", config)
    assert code == 1 and "no modem named 'm7' (its modems: m1, m2)" in err
    for bad, why in (('*100#"\r\nATD123;', "control characters"),
                     ("ATH", "a USSD code is digits, * and # only")):
        code, _, err = cli(capsys, "ussd", "m1", bad, "--config", config)
        assert code == 2 and why in err
    code, _, err = cli(capsys, "ussd", "m1", "--reply", 'x"', "--config", config)
    assert code == 2
    assert not any('x"' in line or "ATH" in line for line in box.trigger.commands)
    assert {row.state for row in ModemRequest.select()} == {"done", "failed"}

    box.dest_modem.unplug()                 # the box marks m2 down: nothing is queued for it
    assert wait_for(lambda: ModemStatusRecord.get(ModemStatusRecord.name == "m2").state
                    == "down", timeout=10)
    requests_before = ModemRequest.select().count()
    code, _, err = cli(capsys, "ussd", "m2", "*100#", "--config", config)
    assert code == 1 and "m2 is down" in err and "cannot ask it now" in err
    assert ModemRequest.select().count() == requests_before


def test_a_box_that_is_not_running_gets_no_request(tmp_path, capsys):
    config = write_config(tmp_path)
    code, _, err = cli(capsys, "ussd", "m1", "*100#", "--config", str(config))
    assert code == 1 and "NO DAEMON has run with this database" in err
    assert "start it first" in err
    open_database(str(tmp_path / "callbox.db"))
    assert ModemRequest.select().count() == 0


def test_json_routes_ask_and_show_the_credit_for_admins_only(box):
    now = time.time()
    users.add_user("root", "admin-secret", now, is_admin=True)
    users.add_user("alice", "alice-secret", now)
    app = make_app(box.config, box.daemon)
    admin, holder, anonymous = Client(app), Client(app), Client(app)
    csrf = {"X-CSRF-Token": admin.login("root", "admin-secret")}
    holder_csrf = {"X-CSRF-Token": holder.login("alice", "alice-secret")}
    for client, headers, status in ((anonymous, {}, 401), (holder, holder_csrf, 403),
                                    (admin, {}, 403)):
        assert client.request("POST", "/api/admin/modems/m1/balance",
                              headers=headers).status == status
        if client is not admin:
            assert client.get("/api/admin/modems/m1/balance").status == status
    assert ModemRequest.select().count() == 0

    asked = admin.request("POST", "/api/admin/modems/m1/balance", headers=csrf)
    assert asked.status == 202, asked.text
    follow = json.loads(asked.text)["follow"]

    def request_state():
        return json.loads(admin.get(follow).text)["request"]["state"]
    assert wait_for(lambda: request_state() == "done", timeout=10)
    shown = json.loads(admin.get(follow).text)
    assert shown["iccid"] == box.trigger.iccid and shown["low_balance"] == 100
    assert shown["request"]["amount"] == 500
    # (the box's own first look may have asked it too)
    assert {(row["amount"], row["modem"]) for row in shown["history"]} == {(500, "m1")}

    refused = admin.request("POST", "/api/admin/modems/m2/balance", headers=csrf)
    assert refused.status == 409 and "no balance_ussd" in json.loads(refused.text)["error"]
    assert admin.request("POST", "/api/admin/modems/m9/balance", headers=csrf).status == 404
    for bad in ("x1", "1" * 40, "-1", "%00"):
        assert admin.get(f"/api/admin/modems/m1/balance?request={bad}").status == 400, bad
    assert json.loads(admin.get("/api/admin/modems/m1/balance?request=999999999999")
                      .text)["request"] is None

    page = admin.get("/admin/modems").text
    assert page.count(">Check credit</button>") == 1 and "5.00 USD" in page
    modems = {row["name"]: row for row in json.loads(admin.get("/api/modems").text)["modems"]}
    assert modems["m1"]["credit"]["amount"] == "5.00 USD" and modems["m2"]["credit"] is None
