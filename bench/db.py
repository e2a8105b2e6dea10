"""Benchmark: reservations + settlements per second on SQLite and on PostgreSQL.

1, 2 and 4 worker processes stand for daemons of boxes sharing one database:
each has its own connection and runs sessions back to back for one shared
account (the contended case: every transaction locks the same row). One
session is what a call costs the database: start_session, reserve, settle
(three transactions). PostgreSQL is a throwaway durable cluster (fsync on every
commit, the server's defaults) unless --postgresql names a server; SQLite
runs as the box does (WAL, synchronous=normal).

    python bench/db.py [--seconds 3] [--workers 1 2 4] [--postgresql URL]
"""
from __future__ import annotations

import argparse
import multiprocessing
from pathlib import Path
import shutil
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import spread  # noqa: E402

BALANCE = 10 ** 9     # cents: the account never runs dry during a run


def leg(cost: int) -> dict:
    return dict(role="destination", direction="outgoing", number="+4930123456",
                modem="m1", started_at=time.time(), ended_at=time.time(), cost=cost)


def worker(url: str, box: str, account_id: int, seconds: float, ready, go, results) -> None:
    """One daemon: sessions back to back for `seconds`; reports each one's latency."""
    from gateway.money import ledger
    from gateway.store.db import close_database, open_database

    open_database(url, migrate=False)
    ready.put(box)
    go.wait(60)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        began = time.monotonic()
        session_id = ledger.start_session(box, account_id, "callback", "+4917012345678",
                                          time.time())
        ledger.reserve(session_id, account_id, 50)
        ledger.settle(session_id, [leg(7)], time.time())
        latencies.append(time.monotonic() - began)
    close_database()
    results.put(latencies)


def fresh_account(url: str) -> int:
    """Gives the id of a new account with a large balance and no session limit to speak of."""
    from gateway.money import accounts, ledger
    from gateway.store.db import close_database, open_database

    open_database(url)
    try:
        account = accounts.create(f"bench-{time.monotonic_ns()}", "1234", BALANCE, time.time())
        ledger.Account.update(max_concurrent_sessions=1000).where(
            ledger.Account.id == account.id).execute()
        return account.id
    finally:
        close_database()


def run(url: str, workers: int, seconds: float) -> tuple[float, list[float]]:
    """Gives sessions per second (all workers) and every session's latency in seconds."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    account_id = fresh_account(url)
    processes = [context.Process(target=worker, args=(url, f"box-{number}", account_id,
                                                      seconds, ready, go, results))
                 for number in range(workers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=60)
    go.set()
    latencies = [value for _ in processes for value in results.get(timeout=seconds + 120)]
    for process in processes:
        process.join(30)
    return len(latencies) / seconds, latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per run (default 3)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--postgresql", metavar="URL",
                        help="an existing, empty database (default: a throwaway cluster)")
    args = parser.parse_args()

    from gateway.config import mask_url_password

    from tests import pg

    folder = Path(tempfile.mkdtemp(prefix="callbox-bench-"))
    cluster = None
    engines = [("sqlite", str(folder / "callbox.db"))]
    try:
        if args.postgresql:
            engines.append(("postgresql", args.postgresql))
        else:
            try:
                cluster = pg.start_cluster(durable=True)
                engines.append(("postgresql", cluster.new_database(migrated=False)))
            except pg.PostgresUnavailable as reason:
                print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
        print(f"{'engine':<11} {'workers':>7} {'sessions/s':>11}  latency of one session")
        for engine, url in engines:
            for workers in args.workers:
                rate, latencies = run(url, workers, args.seconds)
                print(f"{engine:<11} {workers:>7} {rate:>11.0f}  {spread(latencies, digits=2)}",
                      flush=True)
        print("one session = start_session + reserve + settle (3 transactions), one account; "
              + "; ".join(f"{engine}: {mask_url_password(url)}" for engine, url in engines))
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
