"""Benchmark: the daemon with 8 virtual modems under one SMS and one incoming call per second.

The virtual network runs in a child process, so the figures of this process
are the daemon's own: CPU % of one core, resident memory, and the time from
the moment the virtual modem wrote a URC to its PTY until the daemon had the
normalized event (both read from CLOCK_MONOTONIC, which processes share).

Two runs, each a daemon in a new process: "plain" (modems, calls, SMS, web UI),
then "everything on": the same load with each part of the box that looks after
itself that this tree has configured: /metrics scraped every 5 s, a [[sim]] with a
balance check for each SIM, [alerts] to a local receiver, a [[webhook]] to it. The
scraper and the receiver run in the network's process, not the daemon's.

    python bench/modems.py [--seconds 60] [--modems 8] [--only plain|everything]
                           [--threads] [--memory-every MINUTES]
"""
from __future__ import annotations

from array import array
import argparse
from collections import defaultdict
import logging
import multiprocessing
import os
from pathlib import Path
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import match_latencies  # noqa: E402
from bench.process import rss_mb, rss_parts  # noqa: E402
from bench.stats import spread  # noqa: E402

PROFILES = ("generic", "huawei", "simcom", "quectel")
SCRAPE_INTERVAL = 5.0         # seconds, as a Prometheus scrape_interval
METRICS_TOKEN = "bench-metrics-token-0123"
WEBHOOK_SECRET = "bench-webhook-secret-0123"
RSS_SAMPLE_INTERVAL = 1.0     # seconds
# The daemon's memory budget with everything on (README, "Where the daemon's memory goes":
# issue 13's 50 MB is less than its libraries take when loaded): the most RSS over a load of
# up to LONG_LOAD seconds, then over longer ones, where the allocators' pools fill up
RSS_BUDGET_MB = 75.0
LONG_LOAD = 600.0
RSS_BUDGET_LONG_MB = 85.0


def box_number(index: int) -> str:
    return f"+49151100000{index:02d}"


def start_receiver():
    """Starts a local HTTP server counting the POSTs of alerts and webhooks by path, in the
    network's process; gives the server and its counts."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer   # not in the daemon's
    posts: dict[str, int] = {}

    class Receiver(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"      # keeps connections open, as receivers in use do

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            posts[self.path] = posts.get(self.path, 0) + 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass        # one line per POST would drown the figures

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, name="receiver", daemon=True).start()
    return server, posts


def scrape(url: str, stop: threading.Event, results: list) -> None:
    """GETs /metrics every SCRAPE_INTERVAL until `stop`; appends (seconds, bytes) or an error."""
    import urllib.request      # here: the scraper runs in the network's process
    while not stop.wait(SCRAPE_INTERVAL):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        began = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                size = len(answer.read())
            results.append((time.monotonic() - began, size))
        except OSError as error:
            results.append(str(error))


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
    receiver, posts = start_receiver()
    conn.send(([(modem.name, modem.port, modem.audio, modem.profile) for modem in boxes],
               [modem.iccid for modem in boxes], receiver.server_address[1]))
    metrics_url = conn.recv()          # the daemon has every modem up; its /metrics or None
    scrapes: list = []
    stop_scraping = threading.Event()
    if metrics_url:
        threading.Thread(target=scrape, args=(metrics_url, stop_scraping, scrapes),
                         name="scraper", daemon=True).start()
    tick = threading.Event()
    commands_before = [len(modem.commands) for modem in boxes]
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
    conn.send("done")       # the figures follow: unpickling them is not the daemon's CPU
    stop_scraping.set()
    sent: dict[str, int] = {}         # the AT commands the daemon sent, by command
    for modem, before in zip(boxes, commands_before):
        for line in modem.commands[before:]:
            name = re.match(r"(?i)AT([+^$][A-Z]+[?=]?(;[+^$][A-Z]+[?=]?)*|[A-Z&]+)?", line)
            key = name.group(0).upper() if name else "(a PDU or other text)"
            sent[key] = sent.get(key, 0) + 1
    conn.send(({modem.name: modem.urc_log for modem in boxes},
               {"scrapes": scrapes, "posts": dict(posts), "commands": sent}))
    conn.recv()
    receiver.shutdown()
    net.stop()


def write_config(workdir: Path, modems: list[tuple[str, str, str, str]],
                 care: list[str] | None = None) -> Path:
    """Writes the bench's callbox.toml; `care` (the "everything on" run) adds those parts
    of the box that looks after itself (see care_tables) after the modems."""
    lines = ["[gateway]", f'database = "{workdir / "callbox.db"}"', f'state_dir = "{workdir}"',
             "health_interval = 10", 'log_level = "warning"', "", "[web]",
             'listen = "127.0.0.1:0"', ""]
    for name, port, audio, _profile in modems:
        lines += ["[[modem]]", f'name = "{name}"', f'port = "{port}"', f'audio = "{audio}"',
                  'roles = ["trigger", "callback", "destination"]', ""]
    path = workdir / "callbox.toml"
    path.write_text("\n".join(lines + (care or [])))
    return path


def care_tables(iccids: list[str], receiver_port: int) -> tuple[list[str], list[str]]:
    """Gives the config lines that turn on each part of the box that looks after itself
    this tree has (by gateway.config.table's section names), and what was turned on."""
    from gateway.config.table import SECTIONS
    sections = {section.name for section in SECTIONS}
    receiver = f"127.0.0.1:{receiver_port}"
    lines: list[str] = []
    turned_on: list[str] = []
    if "metrics" in sections:
        lines += ["[metrics]", "enabled = true", f'token = "{METRICS_TOKEN}"', ""]
        turned_on.append(f"/metrics scraped every {SCRAPE_INTERVAL:.0f} s")
    if "alerts" in sections:
        lines += ["[alerts]", f'urls = ["json://{receiver}/alerts"]', ""]
        turned_on.append("[alerts] to a local receiver")
    if "sim" in sections and "balance_ussd" in next(s for s in SECTIONS if s.name == "sim").names():
        for iccid in iccids:
            lines += ["[[sim]]", f'iccid = "{iccid}"', 'balance_ussd = "*100#"',
                      "balance_check_hours = 1", "low_balance = 1.0", ""]
        turned_on.append(f"a balance check (*100#) for each of {len(iccids)} SIMs")
    if "webhook" in sections:
        lines += ["[[webhook]]", 'name = "bench"', f'url = "http://{receiver}/hooks"',
                  f'secret = "{WEBHOOK_SECRET}"', ""]
        turned_on.append("a [[webhook]] for every event to a local receiver")
    return lines, turned_on


def sample_rss(stop: threading.Event, samples: list[float], took: list[float],
               report_every: float = 0.0, by_thread: bool = False) -> None:
    """Reads VmRSS every RSS_SAMPLE_INTERVAL until `stop`; puts the CPU seconds this thread
    took in `took` (the bench's, not the daemon's: taken off the daemon's figure). With
    `report_every` (seconds), also prints the RSS, SQLite's own memory and the daemon's CPU
    over that interval that often (`by_thread`: the threads that took most of it)."""
    sqlite_used = sqlite_memory_reader() if report_every else None
    began = time.monotonic()
    reported = 0
    last = (began, process_cpu(), time.thread_time(), thread_cpu() if by_thread else {})
    while not stop.wait(RSS_SAMPLE_INTERVAL):
        samples.append(rss_mb())
        if report_every and time.monotonic() - began >= (reported + 1) * report_every:
            reported += 1
            now = (time.monotonic(), process_cpu(), time.thread_time(),
                   thread_cpu() if by_thread else {})
            cpu = (now[1] - last[1]) - (now[2] - last[2])       # less this thread's own
            print(f"after {reported * report_every / 60:g} min: RSS {samples[-1]:.1f} MB "
                  f"({rss_parts()}), SQLite's own {sqlite_used() / 1048576:.1f} MB; "
                  f"CPU {100 * cpu / (now[0] - last[0]):.2f} % of one core since the last "
                  "report" + (": " + busiest(last[3], now[3], now[0] - last[0])
                              if by_thread else ""),
                  file=sys.stderr, flush=True)
            last = now
    took.append(time.thread_time())


def process_cpu() -> float:
    """Gives the CPU seconds this process took so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_between(before: dict[str, float], after: dict[str, float]) -> list[tuple[float, str]]:
    """Gives (CPU seconds, thread name) taken between two thread_cpu() readings, most first."""
    return sorted(((took - before.get(name, 0.0), name) for name, took in after.items()),
                  reverse=True)


def busiest(before: dict[str, float], after: dict[str, float], seconds: float,
            count: int = 8) -> str:
    """Gives the `count` threads that took most CPU between two thread_cpu() readings,
    each in % of one core over `seconds`."""
    return ", ".join(f"{name} {100 * took / seconds:.2f}"
                     for took, name in cpu_between(before, after)[:count])


def sqlite_memory_reader():
    """Gives a function reading sqlite3_memory_used() of the SQLite library the sqlite3
    module runs on (the same shared library, loaded once per process)."""
    import ctypes
    library = ctypes.CDLL("libsqlite3.so.0")
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return library.sqlite3_memory_used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--modems", type=int, default=8)
    parser.add_argument("--only", choices=("plain", "everything"),
                        help="one run, in this process (default: both, each in a new one)")
    parser.add_argument("--threads", action="store_true",
                        help="also print the CPU each of the daemon's threads took")
    parser.add_argument("--memory-every", type=float, default=0.0, metavar="MINUTES",
                        help="also print the daemon's RSS and SQLite's memory that often "
                             "(for runs of hours: does it level off?)")
    args = parser.parse_args()
    if args.only:
        return run(args.seconds, args.modems, everything=args.only == "everything",
                   by_thread=args.threads, report_every=60 * args.memory_every)
    for only in ("plain", "everything"):
        print(f"== {only}", flush=True)
        done = subprocess.run([sys.executable, __file__, "--seconds", str(args.seconds),
                               "--modems", str(args.modems), "--only", only,
                               "--memory-every", str(args.memory_every)]
                              + (["--threads"] if args.threads else []))
        if done.returncode:
            return done.returncode
    return 0


def thread_cpu() -> dict[str, float]:
    """Gives the CPU seconds each live thread of this process took, by thread name (threads
    of one name summed: a modem's "m3-" prefix reads "m*-", a number suffix is dropped):
    the scheduler's nanoseconds on a CPU (/proc schedstat), else user + system clock ticks."""
    ticks = os.sysconf("SC_CLK_TCK")
    names = {thread.native_id: thread.name for thread in threading.enumerate()}
    taken: dict[str, float] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            try:
                took = int((task / "schedstat").read_text().split()[0]) / 1e9
            except (FileNotFoundError, IndexError, ValueError):     # a kernel without it
                fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
                took = (int(fields[11]) + int(fields[12])) / ticks
        except OSError:
            continue        # ended meanwhile
        name = names.get(int(task.name), "(not Python's)")
        name = re.sub(r"[-_ ]?\d+$", "", re.sub(r"^m\d+-", "m*-", name))
        taken[name] = taken.get(name, 0.0) + took
    return taken


def run(seconds: float, modem_count: int, everything: bool, by_thread: bool = False,
        report_every: float = 0.0) -> int:
    """One daemon under the load (module docstring); prints its figures."""
    logging.basicConfig(level=logging.WARNING)

    from callbox.daemon import Daemon
    from gateway.config import load
    from modems.events import IncomingCall, ModemUp, SmsStored

    workdir = Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    parent, child = multiprocessing.get_context("spawn").Pipe()
    network = multiprocessing.get_context("spawn").Process(
        target=run_network, args=(str(workdir), modem_count, seconds, child))
    network.start()
    modems, iccids, receiver_port = parent.recv()
    care, turned_on = care_tables(iccids, receiver_port) if everything else ([], [])
    # (modem, event class) -> each event's time: 8 bytes an event in the daemon's process
    received: dict[tuple[str, type], array] = defaultdict(lambda: array("d"))
    all_up = threading.Event()
    up: set[str] = set()

    def observe(event) -> None:
        # All the bench keeps, in the daemon's process: what it pairs with the URCs, small
        # (it kept every event once: 1.5 MB in 10 minutes, counted as the daemon's RSS; then
        # a tuple each: 0.7 MB an hour)
        if isinstance(event, (IncomingCall, SmsStored)):
            received[event.modem, type(event)].append(event.at)
        elif isinstance(event, ModemUp):
            up.add(event.modem)
            if len(up) == len(modems):
                all_up.set()

    daemon = Daemon(load(str(write_config(workdir, modems, care))), observe=observe)
    daemon.start()
    if not all_up.wait(30):
        print("not every modem came up in 30 s", file=sys.stderr)
        return 1
    print(f"{len(modems)} virtual modems up; load for {seconds:.0f} s: "
          "1 SMS + 1 incoming call per second", file=sys.stderr)
    if everything:
        print("everything on: " + ("; ".join(turned_on) or "none of it exists in this tree"))
    metrics_url = (f"http://127.0.0.1:{daemon.web.port}/metrics"
                   if any(line == "[metrics]" for line in care) else None)
    rss_samples: list[float] = []
    stop_sampling = threading.Event()
    sampler_took: list[float] = []
    sampler = threading.Thread(target=sample_rss, args=(stop_sampling, rss_samples, sampler_took,
                                                        report_every, by_thread),
                               name="rss-sampler", daemon=True)
    threads_before = thread_cpu()             # before the process's figure: the bench's reads
    cpu_before = process_cpu()
    wall_before = time.monotonic()
    sampler.start()
    parent.send(metrics_url)
    parent.recv()                             # "done": the load is over
    wall = time.monotonic() - wall_before
    cpu_after = process_cpu()
    threads_after = thread_cpu()
    stop_sampling.set()
    sampler.join()
    # Before the network's logs arrive: unpickled here, they are the bench's memory, not the
    # daemon's (a 155-minute run's logs added 6.8 MB to its last figure)
    memory = rss_mb()
    threads = threading.active_count()
    urc_logs, world = parent.recv()
    daemon.stop()
    parent.send("stop")
    network.join(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)      # its database, logs and PTY links

    cpu = cpu_after - cpu_before
    cpu -= sampler_took[0]          # the sampler ran within the load only
    latencies = match_latencies(urc_logs, received,
                                {"IncomingCall": IncomingCall, "SmsStored": SmsStored})
    print(f"daemon CPU: {100 * cpu / wall:.1f} % of one core over {wall:.0f} s "
          f"(getrusage of the daemon's process, less the bench's RSS sampler thread's "
          f"{1000 * sampler_took[0]:.0f} ms; the load's wall time)")
    first = rss_samples[0] if rss_samples else memory
    most = max(rss_samples + [memory])
    print(f"daemon RSS: {memory:.1f} MB at the end of the load, {threads} threads; "
          f"{first:.1f} MB after its first second, {most:.1f} MB at most "
          f"over {len(rss_samples) + 1} samples (VmRSS every {RSS_SAMPLE_INTERVAL:.0f} s)")
    if everything:
        budget = RSS_BUDGET_MB if seconds <= LONG_LOAD else RSS_BUDGET_LONG_MB
        length = ("up to" if seconds <= LONG_LOAD else "longer than") + f" {LONG_LOAD:.0f} s"
        print(f"memory budget with everything on, {budget:.0f} MB at most over a load of "
              f"{length}: {'within' if most <= budget else 'OVER'} ({most:.1f} MB)")
    for kind, (values, unmatched) in latencies.items():
        if values:
            why = " (a call that ended before the box listed it)" if "RING" in kind else ""
            missed = (f"; {unmatched} without an event before the modem's next one{why}"
                      if unmatched else "")
            print(f"{kind}: URC -> event {spread(values)}{missed}")
        else:
            print(f"{kind}: no events matched")
    if metrics_url:
        scrapes = [scrape for scrape in world["scrapes"] if not isinstance(scrape, str)]
        failed = [scrape for scrape in world["scrapes"] if isinstance(scrape, str)]
        size = max((bytes_ for _, bytes_ in scrapes), default=0)
        print(f"/metrics scrapes: {spread([took for took, _ in scrapes])}, {size} bytes, "
              f"{len(failed)} failed" + (f" ({failed[0]})" if failed else ""))
    if by_thread:
        taken = cpu_between(threads_before, threads_after)
        print("CPU by thread over the load (s, threads of one name summed; the scheduler's "
              "time on a CPU): "
              + ", ".join(f"{name} {took:.3f}" for took, name in taken if took >= 0.0005)
              + f"; all threads alive at the end {sum(took for took, _ in taken):.3f}")
    commands = sorted(world["commands"].items(), key=lambda item: -item[1])
    print(f"AT commands the daemon sent over the load: {sum(world['commands'].values())} ("
          + ", ".join(f"{name} {count}" for name, count in commands) + ")")
    if world["posts"]:
        print("receiver got: " + ", ".join(f"{count} POST {path}"
                                           for path, count in sorted(world["posts"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
