"""The `callbox` command, run as a real subprocess: status, config check, run, at, probe."""
from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from gateway.store.db import DaemonRecord, ModemStatusRecord, close_database, open_database

ROOT = Path(__file__).resolve().parent.parent
BOX_NUMBER = "+4915110000001"


def callbox(*args: str) -> list[str]:
    return [sys.executable, "-m", "callbox", *args]


def run(*args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(callbox(*args), capture_output=True, text=True, input=input,
                          timeout=timeout, cwd=ROOT)


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "callbox.db"\n'
                    f'box = "testbox"\n[web]\nlisten = "127.0.0.1:0"\n{extra}')
    return path


class Output:
    """Collects a subprocess's output lines on a thread; waits for an expected line."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s; got {self.lines}")

    def rest(self, timeout: float = 15) -> list[str]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            line = self._queue.get(timeout=left)
            if line is None:
                return self.lines
            self.lines.append(line)
        raise AssertionError(f"output did not end within {timeout} s: {self.lines}")


# -- status -------------------------------------------------------------------------------

def seed(config: Path, heartbeat_age: float, status: str = "1/2 modems up") -> None:
    open_database(str(config.parent / "callbox.db"))
    now = time.time()
    DaemonRecord.create(box="testbox", pid=4242, version="0.1.0", started_at=now - 600,
                        heartbeat_at=now - heartbeat_age, status=status)
    ModemStatusRecord.create(box="testbox", name="m1", state="up", manufacturer="SIMCOM",
                             model="SIM7600E", operator="Telekom.de", rssi=20, dbm=-73, bars=4,
                             registration="home", sim_state="ready", roles="trigger",
                             in_call=True, updated_at=now)
    ModemStatusRecord.create(box="testbox", name="m2", state="down", reason="port gone",
                             updated_at=now)
    ModemStatusRecord.create(box="otherbox", name="x9", state="up", updated_at=now)
    close_database()


def test_status_with_a_fresh_heartbeat(tmp_path):
    config = write_config(tmp_path)
    seed(config, heartbeat_age=3)
    result = run("status", "--config", str(config))
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert "daemon running, pid 4242" in lines[0] and "1/2 modems up" in lines[0]
    assert lines[1].split() == ["NAME", "STATE", "MODEM", "OPERATOR", "SIGNAL", "REGISTRATION",
                                "SIM", "CALL", "LAST", "RECOVERY"]
    assert lines[2].split() == ["m1", "up", "SIMCOM", "SIM7600E", "Telekom.de", "-73", "dBm",
                                "4/5", "bars", "home", "ready", "in", "call", "-"]
    assert lines[3].startswith("m2") and "down (port gone)" in lines[3] and "no signal" in lines[3]
    assert "x9" not in result.stdout


def test_status_with_a_stale_heartbeat(tmp_path):
    config = write_config(tmp_path)
    seed(config, heartbeat_age=45)
    result = subprocess.run(callbox("status"), capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, CALLBOX_CONFIG=str(config)))
    assert result.returncode == 1
    # 45 s old when seeded; the command's own start-up may add a few seconds on a busy machine
    age = re.search(r"NO DAEMON HEARTBEAT for (\d+) s", result.stdout.splitlines()[0])
    assert age and 45 <= int(age.group(1)) <= 55, result.stdout
    assert "m1" in result.stdout


def test_status_without_a_database(tmp_path):
    result = run("status", "--config", str(write_config(tmp_path)))
    assert result.returncode == 1
    assert "daemon has not run" in result.stdout


# -- config check ---------------------------------------------------------------------------

def test_config_check_prints_the_effective_configuration(tmp_path):
    config = write_config(tmp_path, '[[modem]]\nname = "m1"\nport = "/dev/ttyUSB2"\n'
                          'audio = "default"\nroles = ["callback"]\nsim_pin = "1234"\n')
    result = run("config", "check", str(config))
    assert result.returncode == 0, result
    assert f'database = "{tmp_path}/callbox.db"' in result.stdout
    assert "ring_before_reject = 2" in result.stdout and 'profile = "auto"' in result.stdout
    assert "1234" not in result.stdout and 'sim_pin = "****"' in result.stdout
    assert result.stderr.strip() == f"{config}: valid, 1 modem(s)"


# -- run ----------------------------------------------------------------------------------

@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_writes_heartbeat_and_stops_cleanly(tmp_path, stop_signal):
    config = write_config(tmp_path)
    daemon = subprocess.Popen(callbox("run", "--config", str(config)), cwd=ROOT, text=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    log = Output(daemon.stderr)
    try:
        log.wait_for("no [[modem]]")
        status = run("status", "--config", str(config))
        assert status.returncode == 0 and "daemon running" in status.stdout, status
        daemon.send_signal(stop_signal)
        assert daemon.wait(timeout=30) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert any("callbox stopped" in line for line in log.rest())
    status = run("status", "--config", str(config))
    assert status.returncode == 1 and "daemon STOPPED" in status.stdout


# -- at, against a pseudo-terminal that answers like a modem ------------------------------

class PtyModem:
    """A pseudo-terminal answering AT lines the way a modem with echo on does."""

    ANSWERS = {"AT": ["OK"], "AT+CSQ": ["+CSQ: 20,99", "OK"], "AT+CPIN?": ["+CME ERROR: 10"]}

    def __init__(self):
        self.master, self.slave = os.openpty()
        self.port = os.ttyname(self.slave)
        self.received: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        pending = b""
        while True:
            try:
                data = os.read(self.master, 1024)
            except OSError:
                return
            pending += data
            while b"\r" in pending:
                raw, pending = pending.split(b"\r", 1)
                line = raw.decode("ascii", "replace")
                self.received.append(line)
                answer = "".join(f"\r\n{text}\r\n" for text in self.ANSWERS.get(line, ["ERROR"]))
                os.write(self.master, line.encode() + b"\r" + answer.encode())

    def unsolicited(self, line: str) -> None:
        os.write(self.master, f"\r\n{line}\r\n".encode())

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_modem():
    modem = PtyModem()
    yield modem
    modem.close()


def test_at_from_a_pipe(pty_modem):
    result = run("at", pty_modem.port, input="AT\nAT+CSQ\n\nAT+CPIN?\n")
    assert result.returncode == 0, result
    assert result.stdout.splitlines() == ["> AT", "< OK", "> AT+CSQ", "< +CSQ: 20,99", "< OK",
                                          "> AT+CPIN?", "< +CME ERROR: 10"]
    assert pty_modem.received == ["AT", "AT+CSQ", "AT+CPIN?"]


def test_at_marks_unsolicited_lines_and_refuses_control_characters(pty_modem):
    terminal = subprocess.Popen(callbox("at", pty_modem.port), cwd=ROOT, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    out = Output(terminal.stdout)
    try:
        terminal.stdin.write("AT\n")
        terminal.stdin.flush()
        out.wait_for("< OK")
        pty_modem.unsolicited("RING")
        out.wait_for("! RING")
        terminal.stdin.write("AT\x1a\nexit\n")
        terminal.stdin.close()
        assert terminal.wait(timeout=30) == 0
    finally:
        if terminal.poll() is None:
            terminal.kill()
    assert "refused: the line contains control characters" in terminal.stderr.read()
    assert pty_modem.received == ["AT"]


def test_at_warns_about_a_line_that_undoes_the_box_set_up(pty_modem):
    result = run("at", pty_modem.port, input="AT+CSQ;+CMGF=1\nAT+CSQ\n")
    assert result.returncode == 0, result
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == ["at: warning: AT+CMGF=1 undoes the box's modem set-up: the box may "
                        "miss calls or SMS on this modem until the modem is reset"]
    assert pty_modem.received == ["AT+CSQ;+CMGF=1", "AT+CSQ"]     # sent all the same


def test_at_on_a_missing_port(tmp_path):
    result = run("at", str(tmp_path / "ttyUSB9"), input="AT\n")
    assert result.returncode == 1
    assert f"at: cannot open {tmp_path / 'ttyUSB9'}" in result.stderr


# -- probe ----------------------------------------------------------------------------------

def test_probe_on_a_missing_port(tmp_path):
    result = run("probe", str(tmp_path / "ttyUSB9"), "--timeout", "1")
    assert result.returncode == 1
    assert result.stderr.startswith(f"probe {tmp_path / 'ttyUSB9'}: ")


@pytest.fixture
def sim_network(request):
    sim = importlib.import_module("modems.sim")
    if not hasattr(sim, "Network"):
        pytest.skip("the virtual GSM network (modems.sim.Network) is not there yet")
    return request.getfixturevalue("network")


@pytest.mark.parametrize("profile, voice", [("simcom", "serial voice port (SIM7600) or a sound card (SIM800, A7670)"),
                                            ("huawei", "serial voice port")])
def test_probe_a_virtual_modem(sim_network, profile, voice):
    modem = sim_network.add_modem(name="m1", number=BOX_NUMBER, profile=profile)
    result = run("probe", modem.port, "--timeout", "2")
    assert result.returncode == 0, result
    fields = dict(line.split(":", 1) for line in result.stdout.splitlines())
    fields = {key: value.strip() for key, value in fields.items()}
    assert fields["profile"] == profile and fields["voice"] == voice
    assert fields["SIM"] == "ready" and fields["registration"] in ("home", "roaming")
    assert fields["IMEI"].isdigit() and fields["signal"].endswith("bars")


def test_at_on_a_virtual_modem(sim_network):
    modem = sim_network.add_modem(name="m1", number=BOX_NUMBER, profile="simcom")
    result = run("at", modem.port, input="AT\nAT+CSQ\n")
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert lines[:2] == ["> AT", "< OK"]
    assert any(line.startswith("< +CSQ:") for line in lines) and lines[-1] == "< OK"
