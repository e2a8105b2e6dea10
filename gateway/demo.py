"""`callbox demo`: the box on the virtual GSM network, no hardware needed.

Starts a virtual network with two box SIMs (a Huawei stick and a SIMCom
module) and two virtual phones, writes a configuration for them in a fresh
working folder, runs the daemon on it exactly as `callbox run` would, and
plays a short scene so the log shows the box at work: a phone rings the box,
a phone texts it. Ctrl-C stops everything and removes the folder.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path

from gateway.config import load
from gateway.daemon import Daemon, SignalWatch, configure_logging
from modems.events import IncomingCall, ModemEvent, ModemUp

log = logging.getLogger("callbox.demo")

BOX_SIMS = (("m1", "+4915110000001", "huawei"), ("m2", "+4915110000002", "simcom"))
PHONES = (("alice", "+4917012345678"), ("bob", "+4917098765432"))


def write_config(workdir: Path, modems) -> Path:
    """Writes the demo's callbox.toml: the virtual modems' ports, a database in workdir."""
    lines = ["# written by `callbox demo` for the virtual GSM network", "[gateway]",
             f'database = "{workdir / "callbox.db"}"', f'state_dir = "{workdir}"',
             'country = "DE"', "health_interval = 5", "", "[callback]",
             "ring_before_reject = 2", "", "[web]", 'listen = "127.0.0.1:8080"', ""]
    for modem in modems:
        lines += ["[[modem]]", f'name = "{modem.name}"', f'port = "{modem.port}"',
                  f'audio = "{modem.audio}"', 'roles = ["trigger", "callback", "destination"]', ""]
    path = workdir / "callbox.toml"
    path.write_text("\n".join(lines))
    return path


class Scene:
    """A small script on the virtual phones, driven by the daemon's events."""

    def __init__(self, phones, stop: threading.Event):
        self.phones = phones
        self.stop = stop
        self.up: set[str] = set()
        self.all_up = threading.Event()
        self.rang = threading.Event()

    def observe(self, event: ModemEvent) -> None:
        if isinstance(event, ModemUp):
            self.up.add(event.modem)
            if len(self.up) == len(BOX_SIMS):
                self.all_up.set()
        elif isinstance(event, IncomingCall) and event.ring >= 2:
            self.rang.set()

    def play(self) -> None:
        alice = self.phones["alice"]
        if not self.all_up.wait(30) or self.stop.is_set():
            return
        log.info("demo: alice (%s) calls the box at %s", alice.number, BOX_SIMS[0][1])
        alice.call(BOX_SIMS[0][1])
        if self.rang.wait(30) and not self.stop.is_set():
            log.info("demo: alice hangs up after two rings")
            alice.hangup()
        log.info("demo: bob texts the box: BAL")
        self.phones["bob"].send_sms(BOX_SIMS[1][1], "BAL")
        log.info("demo: scene done; the box keeps running - Ctrl-C stops it")


def run_demo(keep: bool = False) -> int:
    """Runs the demo until Ctrl-C or SIGTERM; gives the exit code."""
    from modems.sim import Delays, Network
    configure_logging("info")
    workdir = Path(tempfile.mkdtemp(prefix="callbox-demo-"))
    network = Network(workdir / "gsm", delays=Delays.realistic(), alsa_id="demo")
    stop = threading.Event()
    daemon = None
    watch = None
    try:
        network.start()
        network.use_alsa_config()
        modems = [network.add_modem(name=name, number=number, profile=profile)
                  for name, number, profile in BOX_SIMS]
        phones = {name: network.add_phone(number=number) for name, number in PHONES}
        config = load(str(write_config(workdir, modems)))
        scene = Scene(phones, stop)
        daemon = Daemon(config, observe=scene.observe)
        watch = SignalWatch(daemon)
        log.info("demo: virtual network with %d box SIMs and phones %s; working folder %s",
                 len(modems), ", ".join(f"{name} {number}" for name, number in PHONES), workdir)
        daemon.start()
        threading.Thread(target=scene.play, name="demo-scene", daemon=True).start()
        daemon.wait()
    finally:
        stop.set()
        if daemon is not None:
            daemon.stop()
        if watch is not None:
            watch.close()
        network.stop()
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
