"""Self-healing seen by the owner: the daemon logs each recovery step in plain words, keeps
the last one on the modem's row, and `callbox status` and the Modems page show it; an SMS
sent to the box while its modem was unregistered is answered once it is back."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from callbox.daemon import Daemon
from gateway.config import load
from gateway.store.db import EventLogRecord, ModemStatusRecord
from modems.events import ModemRecovery, ModemUp
from webui.admin.pages import modem_rows

from tests.conftest import EventLog

ROOT = Path(__file__).resolve().parent.parent


def test_the_owner_sees_the_last_recovery(network, tmp_path):
    modem = network.add_modem(name="m1", number="+4915110000001", profile="simcom")
    path = tmp_path / "callbox.toml"
    path.write_text(f"""\
[gateway]
state_dir = "{tmp_path}"
box = "healing"
health_interval = 1
at_timeout = 1
registration_grace = 0.5
recovery_wait = 1

[web]
listen = "127.0.0.1:0"

[[modem]]
name = "m1"
port = "{modem.port}"
audio = "{modem.audio}"
roles = ["trigger", "callback", "destination"]
""")
    events = EventLog()
    daemon = Daemon(load(path), observe=events)
    daemon.start()
    try:
        events.wait_for(ModemUp, timeout=15)
        phone = network.add_phone("+4917012345678")
        modem.stuck_unregistered()
        phone.send_sms(modem.number, "HELP")     # waits at the network while unregistered
        reset = events.wait_for(ModemRecovery, step="reset", timeout=15)
        assert reset.ok
        assert phone.wait_sms(1, timeout=15)     # read off the SIM and answered once back
        assert phone.inbox[0].text.startswith("Commands:") and len(phone.inbox) == 1
        events.wait_for(ModemUp, timeout=15)    # recorded: the observer sees events after that
        logged = [row.message for row in EventLogRecord.select().where(
            EventLogRecord.kind == "modem_recovery")]
        assert len(logged) == 1 and logged[0].startswith(
            "m1: recovery step 1, reset (restarted by AT command) because not registered on the "
            "network for ") and logged[0].endswith(": it answers again")
        row = ModemStatusRecord.get(ModemStatusRecord.name == "m1")
        assert row.recovery.startswith("reset: not registered") and row.recovery_at
        assert row.recoveries == 1
        page = modem_rows(daemon.pool, daemon.now(), "healing")[0]["recovery"]
        assert page["text"] == row.recovery and page["counts"] == "reset 1" and page["at"]
        status = subprocess.run([sys.executable, "-m", "callbox", "status", "--config", str(path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stderr
        header, line = status.stdout.splitlines()[1:3]
        assert "LAST RECOVERY" in header and "reset: not registered on the network" in line
    finally:
        daemon.stop()
