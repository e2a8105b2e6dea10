"""The SMS pipeline's health, told truthfully by `callbox status` and the Modems page: what
waits on each SIM, and the failures since the last clean read (issue 11, item 1)."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
import subprocess
import sys
import types

from gateway.sms.models import SmsHealth
from gateway.store.db import db

from tests.sms_rig import SmsBox, commands, wait_until
from tests.test_sms_emoji import refuse_everything
from tests.webclient import Client, make_test_app

ROOT = Path(__file__).resolve().parent.parent
ALICE = "+4917012345678"          # authorized for alice by make_test_app


def status(tmp_path: Path, database: str) -> str:
    """Gives what `callbox status` prints for the test box (run as a real subprocess)."""
    config = tmp_path / "status.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "{database}"\n'
                      'box = "box"\n')
    result = subprocess.run([sys.executable, "-m", "callbox", "status", "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    return result.stdout


def sms_cell(page: str, modem: str) -> str:
    row = page.split(f'<tr data-name="{modem}">', 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="sms', 1)[1].split("</td>", 1)[0]


def health(modem: str) -> SmsHealth | None:
    return SmsHealth.get_or_none((SmsHealth.box == "box") & (SmsHealth.modem == modem))


def test_status_and_the_modems_page_tell_what_waits_on_the_sim(network, tmp_path):
    rig = SmsBox(network, tmp_path)
    rig.config = dataclasses.replace(rig.config, gateway=dataclasses.replace(
        rig.config.gateway, box="box"))         # the box name make_test_app's web UI uses
    database = rig.config.gateway.database
    try:
        rig.start()
        app = make_test_app(tmp_path, types.SimpleNamespace(pool=rig.pool, calls=None),
                            database=database)
        admin = Client(app)
        admin.login("root", "admin-secret")
        phone = network.add_phone(ALICE)
        undo = refuse_everything(db)
        phone.send_sms(rig.modems[0].number, "BAL")
        wait_until(lambda: (row := health("m1")) is not None and row.failures >= 1
                   and row.on_sim == 1, what="the failure and the waiting SMS recorded")

        cell = sms_cell(admin.get("/admin/modems").text, "m1")
        assert "TROUBLE: 1 of 20 on the SIM" in cell and "refused (test)" in cell
        m1 = next(row for row in json.loads(admin.get("/api/modems").text)["modems"]
                  if row["name"] == "m1")
        assert m1["sms"]["ok"] is False and m1["sms"]["summary"] == "1 of 20 on the SIM"
        printed = status(tmp_path, database)
        assert "SMS: TROUBLE on m1" in printed
        line = next(line for line in printed.splitlines() if line.startswith("m1  ")
                    and "SIM" in line and "TROUBLE" in line)
        assert "1 of 20 on the SIM" in line and "refused (test)" in line

        db.execute_sql(undo)
        assert phone.wait_sms(1, timeout=20)
        wait_until(lambda: (row := health("m1")).failures == 0 and row.on_sim == 0,
                   what="a clean read recorded")
        assert len(commands("done")) == 1
        cell = sms_cell(admin.get("/admin/modems").text, "m1")
        assert "TROUBLE" not in cell and "0 of 20 on the SIM" in cell
        printed = status(tmp_path, database)
        assert "SMS: every SIM read, nothing left waiting" in printed
    finally:
        rig.stop()
