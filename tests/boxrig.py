"""A whole box on the virtual network for end-to-end tests: daemon, modems, phones, money."""
from __future__ import annotations

from pathlib import Path
import threading
import time

from audio import prompts
from audio.match import Finder
from audio.speech import Speech
from callbox.daemon import Daemon
from gateway.config import load
from gateway.money import accounts
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import Account, Cdr, Session, store_rates
from gateway.store.db import open_database
from modems.events import ModemUp

BOX = "+4915110000001"        # trigger + callback SIM
DEST_SIM = "+4915110000002"   # destination SIM
USER = "+4917012345678"
FRIEND = "+4917098765432"

RATES = """prefix,description,price_per_minute,connect_fee,initial_increment,increment
49,Germany,0.06,0,60,60
4917,Germany mobile,0.12,0,60,60
49900,Germany premium,2.00,0,60,60
"""


def wait_for(predicate, timeout: float, tolerate: tuple = ()) -> bool:
    """Polls `predicate` every 0.1 s (the database has no event to wait on) until it holds;
    errors of the types in `tolerate` count as "not yet" (a database restarting)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except tolerate:
            pass
        pause.wait(0.1)
    return False


def talk(speaker, listener, freq: float, timeout: float = 5.0) -> bool:
    """`speaker` talks (a steady tone) until `listener` has heard 0.2 s of it, then stops;
    gives whether it was heard within `timeout`. A person says "hello?" until heard: the
    box joins the legs a moment after the answer (a generic modem's answer is seen at the
    next call-list poll), and a word said before then is lost, as on any phone line."""
    from audio import tones
    from audio.match import find
    said = tones.tone(freq, timeout + 1.0)
    listener.clear_heard()
    speaker.play(said)
    try:
        return listener.wait_heard(lambda pcm: find(pcm[-16000:], said[:3200]) is not None,
                                   timeout=timeout)
    finally:
        speaker.stop_playing()


def ensure_prompts() -> None:
    """Generates the voice prompts (once; later calls find them unchanged)."""
    prompts.generate("en")


def config_text(workdir: Path, modems, callback: dict, database: str | None = None,
                languages: dict | None = None) -> str:
    lines = ["[gateway]", f'database = "{database or workdir / "callbox.db"}"',
             f'state_dir = "{workdir}"',
             'country = "DE"', 'currency = "USD"', "health_interval = 5", "at_timeout = 2", "",
             "[web]", 'listen = "127.0.0.1:0"', "", "[callback]"]
    settings = {"ring_before_reject": 2, "callback_delay": 0.5, "answer_timeout": 8,
                "interdigit_timeout": 3, **callback}
    for key, value in settings.items():
        if isinstance(value, dict):
            rendered = "{ " + ", ".join(f'"{k}" = "{v}"' for k, v in value.items()) + " }"
        else:
            rendered = str(value).lower() if isinstance(value, bool) else repr(value)
        lines.append(f"{key} = {rendered}")
    if languages:
        lines += ["", "[languages]", *(f'"{prefix}" = "{code}"'
                                       for prefix, code in languages.items())]
    for modem, roles in modems:
        lines += ["", "[[modem]]", f'name = "{modem.name}"', f'port = "{modem.port}"',
                  f'audio = "{modem.audio}"', f"roles = {roles!r}".replace("'", '"')]
    return "\n".join(lines) + "\n"


class Rig:
    """The box under test; `start()` it, then act with its phones."""

    def __init__(self, network, workdir: Path, *, profiles=("simcom", "quectel"),
                 callback: dict | None = None, database: str | None = None,
                 languages: dict | None = None):
        """`database`: an SQLite path or postgresql:// URL (default: callbox.db in workdir);
        `languages`: the [languages] table (prefix -> code)."""
        network.use_alsa_config()
        self.network = network
        self.workdir = workdir
        self.trigger = network.add_modem(name="m1", number=BOX, profile=profiles[0])
        self.dest_modem = network.add_modem(name="m2", number=DEST_SIM, profile=profiles[1])
        self.user = network.add_phone(number=USER)
        self.friend = network.add_phone(number=FRIEND)
        path = workdir / "callbox.toml"
        path.write_text(config_text(workdir, [(self.trigger, ["trigger", "callback"]),
                                              (self.dest_modem, ["destination"])],
                                    callback or {}, database, languages))
        self.config = load(str(path))
        self.speech = Speech(lang=self.config.callback.language,
                             currency=self.config.gateway.currency)
        self.up: set[str] = set()
        self._all_up = threading.Event()
        self.daemon: Daemon | None = None

    def start(self, balance: int = 1250, pin: str = "4321", authorized: bool = True,
              rates: str = RATES) -> None:
        self.seed(balance, pin, authorized, rates)
        self.start_daemon()

    def seed(self, balance: int = 1250, pin: str = "4321", authorized: bool = True,
             rates: str = RATES) -> None:
        """Opens the database (in this thread) with alice's account and the rates."""
        open_database(self.config.gateway.database)
        account = accounts.create("alice", pin, balance, time.time())
        self.account_id = account.id
        self.account_number = account.number    # what a caller types before the PIN
        if authorized:
            accounts.authorize_caller_id(account.id, USER, time.time())
        store_rates(parse_rates_csv(rates))

    def start_daemon(self) -> None:
        self.daemon = Daemon(self.config, observe=self._observe)
        self.daemon.start()
        assert self._all_up.wait(10), "the modems did not come up"

    def _observe(self, event) -> None:
        if isinstance(event, ModemUp):
            self.up.add(event.modem)
            if len(self.up) == 2:
                self._all_up.set()

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()

    def bridged_call(self) -> None:
        """The user rings the box, is called back, dials the friend, and both talk."""
        from modems.sim import PhoneState
        user, friend = self.user, self.friend
        user.call(BOX)
        assert user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
        user.answer()
        assert self.heard(user, "enter_destination", timeout=20)
        user.press("017098765432#")
        assert friend.wait_state(PhoneState.RINGING, timeout=20), "the destination did not ring"
        friend.answer()
        assert user.wait_state(PhoneState.ACTIVE)

    # -- what the phones heard ----------------------------------------------------------
    def prompt(self, *names) -> bytes:
        return self.speech.say(*names)

    def heard(self, phone, *names, timeout: float = 15.0) -> bool:
        """Waits until `phone` heard the prompt(s)."""
        needle = self.prompt(*names)
        return phone.wait_heard(Finder(needle), timeout=timeout)

    # -- the books ----------------------------------------------------------------------
    def balance(self) -> int:
        return Account.get_by_id(self.account_id).balance

    def reserved(self) -> int:
        return Account.get_by_id(self.account_id).reserved

    def cdrs(self) -> list[Cdr]:
        return list(Cdr.select().order_by(Cdr.id))

    def wait_settled(self, count: int = 1, timeout: float = 15.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if Session.select().where(Session.state == "settled").count() >= count:
                return True
            threading.Event().wait(0.05)      # the books have no event to wait on
        return False
