"""`callbox run` reloads its configuration on SIGHUP (callbox/service.py's signal-watch
thread): the signal itself, sent to the process, starts a modem added to the file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.boxrig import BOX, DEST_SIM, config_text, ensure_prompts, wait_for


def opened(modem) -> bool:
    """Gives whether a daemon has set the modem up (its last init command seen)."""
    return any(line.startswith("AT+CNMI") for line in list(modem.commands))


def test_sighup_to_the_process_starts_a_modem_added_to_the_file(network, tmp_path):
    ensure_prompts()
    first = network.add_modem(name="m1", number=BOX, profile="simcom")
    second = network.add_modem(name="m2", number=DEST_SIM, profile="quectel")
    path = tmp_path / "callbox.toml"
    path.write_text(config_text(tmp_path, [(first, ["trigger", "callback"])], {}))
    process = subprocess.Popen([sys.executable, "-m", "callbox", "run", "--config", str(path)],
                               env={**os.environ, **network.alsa_env()},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: opened(first), 30), "the daemon did not set m1 up"
        assert second.commands == [], "m2 is not in the file yet"
        path.write_text(config_text(tmp_path, [(first, ["trigger", "callback"]),
                                               (second, ["destination"])], {}))
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: opened(second), 30), "SIGHUP did not start the added modem"
        # a file that does not load is refused; the daemon runs on with what it has
        path.write_text("[callback]\nring_before_reject = 99\n")
        before = len(first.commands)
        process.send_signal(signal.SIGHUP)
        assert wait_for(lambda: len(first.commands) > before, 30), "m1 no longer polled"
        assert process.poll() is None, "a bad reload stopped the daemon"
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=30)
    log = errors.decode(errors="replace")
    assert "reload refused" in log and "ring_before_reject" in log, log[-2000:]
    assert process.returncode == 0, log[-2000:]
