"""Benchmark: the daemon with 8 virtual modems under one SMS and one incoming call per second.

The virtual network runs in a child process, so the figures of this process
are the daemon's own: CPU % of one core, resident memory, and the time from
the moment the virtual modem wrote a URC to its PTY until the daemon had the
normalized event (both read from CLOCK_MONOTONIC, which processes share).

    python bench/modems.py [--seconds 60] [--modems 8]
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
from pathlib import Path
import resource
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import spread  # noqa: E402

PROFILES = ("generic", "huawei", "simcom", "quectel")


def box_number(index: int) -> str:
    return f"+49151100000{index:02d}"


def run_network(workdir: str, modems: int, seconds: float, conn) -> None:
    """Child process: the virtual network, driving the load when told to."""
    from modems.sim import Delays, Network, PhoneState
    delays = Delays.realistic()
    net = Network(Path(workdir) / "gsm", delays=delays)
    net.start()
    boxes = [net.add_modem(name=f"m{index}", number=box_number(index),
                           profile=PROFILES[index % len(PROFILES)]) for index in range(modems)]
    for modem in boxes:
        modem.urc_log = []
    phones = [net.add_phone(number=f"+4917012345{index:03d}") for index in range(modems)]
    conn.send([(modem.name, modem.port, modem.audio, modem.profile) for modem in boxes])
    conn.recv()                                   # the daemon has every modem up
    tick = threading.Event()
    start = time.monotonic()
    for second in range(int(seconds)):
        sms_phone = phones[second % modems]
        sms_phone.send_sms(box_number((second + 1) % modems), f"BAL {second}")
        caller = phones[(second + 3) % modems]
        if caller.state is PhoneState.IDLE:
            caller.call(box_number(second % modems))
        hang_up = phones[(second + 2) % modems]
        if hang_up.state is not PhoneState.IDLE:
            hang_up.hangup()
        tick.wait(max(0.0, start + second + 1 - time.monotonic()))
    for phone in phones:
        if phone.state is not PhoneState.IDLE:
            phone.hangup()
    net.settle()
    conn.send({modem.name: modem.urc_log for modem in boxes})
    conn.recv()
    net.stop()


def write_config(workdir: Path, modems: list[tuple[str, str, str, str]]) -> Path:
    lines = ["[gateway]", f'database = "{workdir / "callbox.db"}"', f'state_dir = "{workdir}"',
             "health_interval = 10", 'log_level = "warning"', "", "[web]",
             'listen = "127.0.0.1:0"', ""]
    for name, port, audio, _profile in modems:
        lines += ["[[modem]]", f'name = "{name}"', f'port = "{port}"', f'audio = "{audio}"',
                  'roles = ["trigger", "callback", "destination"]', ""]
    path = workdir / "callbox.toml"
    path.write_text("\n".join(lines))
    return path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--modems", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from callbox.daemon import Daemon
    from gateway.config import load
    from modems.events import IncomingCall, ModemUp, SmsStored

    workdir = Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    parent, child = multiprocessing.get_context("spawn").Pipe()
    network = multiprocessing.get_context("spawn").Process(
        target=run_network, args=(str(workdir), args.modems, args.seconds, child))
    network.start()
    modems = parent.recv()
    received: list = []
    all_up = threading.Event()
    up: set[str] = set()

    def observe(event) -> None:
        received.append((time.monotonic(), event))
        if isinstance(event, ModemUp):
            up.add(event.modem)
            if len(up) == len(modems):
                all_up.set()

    daemon = Daemon(load(str(write_config(workdir, modems))), observe=observe)
    daemon.start()
    if not all_up.wait(30):
        print("not every modem came up in 30 s", file=sys.stderr)
        return 1
    print(f"{len(modems)} virtual modems up; load for {args.seconds:.0f} s: "
          "1 SMS + 1 incoming call per second", file=sys.stderr)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    wall_before = time.monotonic()
    parent.send("go")
    urc_logs = parent.recv()
    wall = time.monotonic() - wall_before
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    memory = rss_mb()
    daemon.stop()
    parent.send("stop")
    network.join(timeout=10)

    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    latencies = match_latencies(urc_logs, received, IncomingCall, SmsStored)
    print(f"daemon CPU: {100 * cpu / wall:.1f} % of one core over {wall:.0f} s")
    print(f"daemon RSS: {memory:.1f} MB")
    for kind, values in latencies.items():
        if values:
            print(f"{kind}: URC -> event {spread(values)}")
        else:
            print(f"{kind}: no events matched")
    return 0


def match_latencies(urc_logs, received, incoming_call, sms_stored) -> dict[str, list[float]]:
    """Pairs each URC with the first event it caused on the same modem."""
    events_by_modem: dict[str, list] = {}
    for _, event in received:
        events_by_modem.setdefault(event.modem, []).append(event)
    result: dict[str, list[float]] = {"incoming call (RING)": [], "SMS (+CMTI)": []}
    for modem, log in urc_logs.items():
        events = events_by_modem.get(modem, [])
        rings = [at for at, line in log if line in ("RING", "+CRING: VOICE")]
        cmti = [at for at, line in log if line.startswith("+CMTI")]
        calls = [event.at for event in events if isinstance(event, incoming_call)]
        stored = [event.at for event in events if isinstance(event, sms_stored)]
        result["incoming call (RING)"] += _pair(rings, calls)
        result["SMS (+CMTI)"] += _pair(cmti, stored)
    return result


def _pair(written: list[float], handled: list[float]) -> list[float]:
    latencies = []
    position = 0
    for at in written:
        while position < len(handled) and handled[position] < at:
            position += 1
        if position == len(handled):
            break
        latencies.append(handled[position] - at)
        position += 1
    return latencies


if __name__ == "__main__":
    sys.exit(main())
