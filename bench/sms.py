"""Benchmark: SMS commands through 2 virtual modems, as fast as phones can send them.

The virtual network runs in a child process; this process runs what the
daemon runs for SMS (the modem pool and the SmsService on SQLite), so RSS is
the box's. Figures: commands processed per second (go to last command done),
the time from a phone sending each SMS to its reply being committed to the
outbox (median, p99, with n), replies delivered, RSS.

The call side is a stand-in (BenchActions): a CB command is answered as if a
callback had started, but no call is placed and nothing is written for it.
What is measured is the SMS path alone: read, store, delete, parse, reply.
The latency is measured from outside: the phones' send times (wall clock,
same machine) against each reply's `created_at` in the outbox table.

    python bench/sms.py [--messages 1000] [--phones 20] [--rate SMS_PER_SECOND]
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
from pathlib import Path
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.process import rss_mb  # noqa: E402

BOX_NUMBERS = ("+4915110000001", "+4915110000002")


def phone_number(index: int) -> str:
    return f"+4917012{index:06d}"


def run_network(workdir: str, messages: int, phones: int, rate: float, conn) -> None:
    """Child process: the network; sends the SMS when told, then gives the replies
    delivered and each text's send time (Unix seconds)."""
    from modems.sim import Delays, Network
    net = Network(Path(workdir) / "gsm", delays=Delays.zero())
    net.start()
    modems = [net.add_modem(name=f"m{i + 1}", number=number, profile=profile)
              for i, (number, profile) in enumerate(zip(BOX_NUMBERS, ("huawei", "quectel")))]
    senders = [net.add_phone(phone_number(index)) for index in range(phones)]
    conn.send([(modem.name, modem.port) for modem in modems])
    conn.recv()
    pace, start = threading.Event(), time.monotonic()
    sent_at: dict[str, float] = {}
    for n in range(messages):
        if rate:
            pace.wait(max(0.0, start + n / rate - time.monotonic()))
        text = f"BAL {n}" if n % 2 else f"CB 030 {1000000 + n}"   # no two alike
        sent_at[text] = time.time()
        senders[n % phones].send_sms(BOX_NUMBERS[n % 2], text)
    deadline = time.monotonic() + 120
    for phone in senders:
        phone.wait_sms(messages // phones, timeout=max(0.1, deadline - time.monotonic()))
    conn.send((sum(len(phone.inbox) for phone in senders), sent_at))
    conn.recv()
    net.stop()


class BenchActions:
    """The call side's stand-in (gateway.sms.commands.Actions): a callback or
    connect-two is accepted and starts nothing; the balance is the real one."""

    def callback(self, number, destination):
        return None

    def connect(self, account_id, sender, a, b, notify):
        return None

    def balance(self, account_id):
        from gateway.money.ledger import available
        return available(account_id)

    def committed(self):
        """Nothing was recorded, so nothing starts."""


def reply_latencies(sent_at: dict[str, float]) -> list[float]:
    """Gives, per command, seconds from the phone sending it to its reply being queued,
    read from the stored rows (the command's text, its reply's created_at)."""
    from gateway.sms.models import SmsCommand, SmsOut
    rows = (SmsOut.select(SmsOut.created_at, SmsCommand.text)
            .join(SmsCommand, on=(SmsOut.command == SmsCommand.id)).tuples())
    return [created - sent_at[text] for created, text in rows if text in sent_at]


def done_commands() -> int:
    from gateway.sms.models import SmsCommand
    return SmsCommand.select().where(SmsCommand.state != "pending").count()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0,
                        help="SMS per second the phones send (default 0: all at once)")
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(relativeCreated)d %(threadName)s %(levelname)s %(message)s")

    from gateway.config import parse
    from gateway.money import accounts
    from gateway.sms.service import SmsService
    from gateway.store.db import close_database, open_database
    from modems.events import ModemUp
    from modems.config import ModemConfig
    from modems.pool import ModemPool

    workdir = Path(tempfile.mkdtemp(prefix="callbox-sms-bench-"))
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    network = context.Process(target=run_network,
                              args=(str(workdir), args.messages, args.phones, args.rate, child))
    network.start()
    ports = parent.recv()
    config = parse({"gateway": {"state_dir": str(workdir), "database": "callbox.db"}})
    open_database(config.gateway.database)
    for index in range(args.phones):
        account = accounts.create(f"user{index}", "1234", 100_000, time.time())
        accounts.authorize_caller_id(account.id, phone_number(index), time.time())
    close_database()
    up: set[str] = set()
    all_up = threading.Event()
    service: list[SmsService] = []

    def on_event(event) -> None:
        service[0].on_event(event)
        if isinstance(event, ModemUp):
            up.add(event.modem)
            if len(up) == len(ports):
                all_up.set()

    pool = ModemPool([ModemConfig(name=name, port=port, audio="null",
                                  roles=frozenset({"trigger", "callback", "destination"}))
                      for name, port in ports], country="DE", on_event=on_event,
                     health_interval=10, at_timeout=5)
    service.append(SmsService(config, pool, BenchActions()))
    service[0].start()
    pool.start()
    if not all_up.wait(30):
        print("the modems did not come up in 30 s", file=sys.stderr)
        return 1
    print(f"2 virtual modems up; {args.messages} SMS commands from {args.phones} phones; "
          "call side stubbed: CB commands place no call", file=sys.stderr)
    start = time.monotonic()
    parent.send("go")
    finished = threading.Event()
    while done_commands() < args.messages and time.monotonic() - start < 180 + (
            args.messages / args.rate if args.rate else 0):
        finished.wait(0.05)
    processed = time.monotonic() - start
    count = done_commands()
    delivered, sent_at = parent.recv()
    values = reply_latencies(sent_at)
    memory = rss_mb()
    service[0].stop()
    pool.stop()
    parent.send("stop")
    network.join(timeout=10)
    print("call side: stubbed (BenchActions): CB commands are answered but place no call")
    print(f"processed: {count} commands in {processed:.1f} s = "
          f"{count / processed:.1f} commands/s")
    if values:
        print(f"phone sends -> reply queued: median {statistics.median(values) * 1000:.1f} ms, "
              f"p99 {percentile(values, 0.99) * 1000:.1f} ms (n={len(values)}"
              f"{'; fewer than 100 samples: p99 is their maximum' if len(values) < 100 else ''})")
    print(f"replies delivered to the phones: {delivered} of {args.messages}")
    print(f"RSS: {memory:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
