"""`callbox demo`: the box on the virtual GSM network, no hardware needed.

Starts a virtual network with three box SIMs (a Huawei stick, a SIMCom and a
Quectel module) and three virtual phones, writes a configuration for them in
a fresh working folder, seeds a demo account (balance, rates, alice's number
authorized) and two web logins with fresh passwords printed once, runs the
daemon on it exactly as `callbox run` would (web UI on 127.0.0.1:8080 or the
`listen` given, with the Virtual phones page), and unless told not to plays
a short scene so the log shows the box at work: alice rings the box and is
called back, bob texts it. Ctrl-C or SIGTERM stops everything and removes
the folder.

What it prints is meant for people and scripts alike: the log line `demo:
ready` once every box SIM is up, then (so that they do not scroll away under
the log) the logins in a frame of `=` lines, on lines `  account holder:
NAME / PASSWORD` and `  admin:  NAME / PASSWORD`. The web UI's login page
shows each login too, until it is first used.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
from pathlib import Path
import secrets
import shutil
import tempfile
import threading
import time

from callbox.daemon import Daemon
from callbox.service import SignalWatch, configure_logging
from gateway.config import load
from gateway.money import accounts
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import store_rates
from gateway.store.db import close_database, open_database
from modems.events import ModemEvent, ModemUp
from modems.sim import Delays, Network, PhoneActionError, PhoneState
from gateway.users import add_user

log = logging.getLogger("callbox.demo")

BOX_SIMS = (("m1", "+4915110000001", "huawei", ["trigger", "callback"]),
            ("m2", "+4915110000002", "simcom", ["trigger", "callback", "destination"]),
            ("m3", "+4915110000003", "quectel", ["destination"]))
PHONES = (("alice", "+4917012345678"), ("bob", "+4917098765432"), ("carol", "+4930123456"))
DEMO_RATES = """prefix,description,price_per_minute,connect_fee,initial_increment,increment
49,Germany,0.02,0,60,60
4915,Germany mobile,0.05,0,30,6
4917,Germany mobile,0.05,0,30,6
"""
DEFAULT_LISTEN = "127.0.0.1:8080"


def write_config(workdir: Path, modems, listen: str = DEFAULT_LISTEN) -> Path:
    """Writes the demo's callbox.toml: the virtual modems' ports, a database in workdir."""
    lines = ["# written by `callbox demo` for the virtual GSM network", "[gateway]",
             f'database = "{workdir / "callbox.db"}"', f'state_dir = "{workdir}"',
             'country = "DE"', "health_interval = 5", "", "[callback]",
             "ring_before_reject = 2", "", "[web]", f'listen = "{listen}"', ""]
    for modem, (_, _, _, roles) in zip(modems, BOX_SIMS):
        lines += ["[[modem]]", f'name = "{modem.name}"', f'port = "{modem.port}"',
                  f'audio = "{modem.audio}"',
                  "roles = [" + ", ".join(f'"{role}"' for role in roles) + "]", ""]
    path = workdir / "callbox.toml"
    path.write_text("\n".join(lines))
    return path


class Readiness:
    """Sees the daemon's modem events; says `demo: ready` once every box SIM is up."""

    def __init__(self, url: str):
        self.url = url
        self.up: set[str] = set()
        self.all_up = threading.Event()

    def observe(self, event: ModemEvent) -> None:
        if isinstance(event, ModemUp) and not self.all_up.is_set():
            self.up.add(event.modem)
            if len(self.up) == len(BOX_SIMS):
                log.info("demo: ready - all %d box SIMs are up; be the phones at %sphones",
                         len(BOX_SIMS), self.url)
                self.all_up.set()        # after the line: the logins are printed below it


class Scene:
    """A small script on the virtual phones, started once the box SIMs are up."""

    def __init__(self, phones, stop: threading.Event, all_up: threading.Event):
        self.phones = phones
        self.stop = stop
        self.all_up = all_up

    def play(self) -> None:
        alice = self.phones["alice"]
        if not self.all_up.wait(30) or self.stop.is_set():
            return
        log.info("demo: alice (%s) calls the box at %s", alice.number, BOX_SIMS[0][1])
        try:
            alice.call(BOX_SIMS[0][1])
        except PhoneActionError:
            log.info("demo: alice is already in a call (from the web page): no scene")
            return
        if alice.wait_state(PhoneState.IDLE, timeout=30):
            log.info("demo: the box rejected alice's call (she pays nothing) and will call back")
        if alice.wait_state(PhoneState.RINGING, timeout=30) and not self.stop.is_set():
            log.info("demo: the box calls alice back; she answers and hears her balance")
            alice.answer()
            self.stop.wait(8)
            alice.hangup()
        log.info("demo: bob texts the box: BAL (he is not registered: the box tells him how)")
        self.phones["bob"].send_sms(BOX_SIMS[1][1], "BAL")
        log.info("demo: scene done; the box keeps running - Ctrl-C stops it")


def web_url(listen: str) -> str:
    """Gives the web UI's address for a `[web] listen` value."""
    return f"http://{listen}/"


@dataclass(frozen=True)
class Logins:
    """The demo's fresh credentials, made by `seed`."""

    user_password: str
    admin_password: str
    account_number: str
    pin: str

    def for_web(self) -> list[tuple[str, str, str]]:
        """Gives (what for, name, password) of each web login, for the login page."""
        return [("account holder", "demo", self.user_password),
                ("admin", "admin", self.admin_password)]


def seed(config) -> Logins:
    """Creates the demo account, rates and web logins; gives the credentials."""
    open_database(config.gateway.database)
    try:
        now = time.time()
        pin = f"{secrets.randbelow(10 ** 4):04d}"
        account = accounts.create("demo", pin, 1000, now, by="demo")
        accounts.authorize_caller_id(account.id, PHONES[0][1], now)
        store_rates(parse_rates_csv(DEMO_RATES))
        logins = Logins(secrets.token_urlsafe(9), secrets.token_urlsafe(9), account.number, pin)
        add_user("demo", logins.user_password, now)
        add_user("admin", logins.admin_password, now, is_admin=True)
    finally:
        close_database()
    return logins


def framed_logins(logins: Logins, config) -> str:
    """Gives the text printed once the box is up: the logins and the phones, framed."""
    url = web_url(config.web.listen)
    lines = [
        f"callbox demo is up: log in at {url}",
        "(fresh passwords; the login page shows each until it is first used)",
        f"  account holder:  demo / {logins.user_password}",
        f"                   (account number {logins.account_number}, phone PIN {logins.pin}, "
        f"balance 10.00 {config.gateway.currency};",
        "                   alice's number is authorized)",
        f"  admin:           admin / {logins.admin_password}",
        f"  box SIMs: {', '.join(f'{name} {number}' for name, number, _, _ in BOX_SIMS)}",
        f"  phones:   {', '.join(f'{name} {number}' for name, number in PHONES)}",
        f"  be the phones on the Virtual phones page: {url}phones",
        "Ctrl-C stops the demo.",
    ]
    rule = "=" * max(len(line) for line in lines)
    return "\n".join(["", rule, *lines, rule, ""])


def show_logins(text: str, all_up: threading.Event, stop: threading.Event,
                wait: float = 60.0) -> None:
    """Prints the framed logins once every box SIM is up (after `wait` seconds anyway, so
    that a SIM that never comes up does not hide them), unless the demo is stopping."""
    all_up.wait(wait)
    if not stop.is_set():
        print(text, flush=True)


def run_demo(keep: bool = False, listen: str = DEFAULT_LISTEN, scene: bool = True) -> int:
    """Runs the demo until Ctrl-C or SIGTERM; gives the exit code."""
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
                  for name, number, profile, _ in BOX_SIMS]
        phones = {name: network.add_phone(number=number) for name, number in PHONES}
        config = load(str(write_config(workdir, modems, listen)))
        logins = seed(config)
        print(f"callbox demo: web UI on {web_url(listen)} - starting the box; its logins "
              "follow once it is up", flush=True)
        readiness = Readiness(web_url(listen))
        daemon = Daemon(config, observe=readiness.observe, phones=phones)
        daemon.demo_logins = logins.for_web()
        watch = SignalWatch(daemon)
        log.info("demo: virtual network with %d box SIMs and phones %s; working folder %s",
                 len(modems), ", ".join(f"{name} {number}" for name, number in PHONES), workdir)
        daemon.start()
        threading.Thread(target=show_logins, name="demo-logins", daemon=True,
                         args=(framed_logins(logins, config), readiness.all_up, stop)).start()
        if scene:
            threading.Thread(target=Scene(phones, stop, readiness.all_up).play,
                             name="demo-scene", daemon=True).start()
        daemon.wait()
    except OSError as error:
        log.error("cannot run the demo: %s", error)
        return 1
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
