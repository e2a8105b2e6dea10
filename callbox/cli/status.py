"""`callbox status`: what the daemon last wrote to the database, and whether it is alive;
the modems, each SIM's use against its limits (gateway/care/usage.py), and how reading
SMS off each SIM goes (gateway/sms/health.py)."""
from __future__ import annotations

import argparse
import os
import sys
import time

from peewee import DatabaseError

from callbox.cli import add_config_argument, config_path
from gateway.care.usage import SimUsage, usages_of
from gateway.config import load, mask_url_password
from gateway.sms.health import describe_all
from gateway.store.db import DaemonRecord, ModemStatusRecord, close_database, is_url, open_database
from gateway.store.migrations import SchemaTooNew

STALE_AFTER = 30.0   # seconds without a heartbeat before the daemon counts as not running
COLUMNS = ("NAME", "STATE", "MODEM", "OPERATOR", "SIGNAL", "REGISTRATION", "SIM", "CALL",
           "LAST RECOVERY")
SMS_COLUMNS = ("SMS", "HEALTH", "ON THE SIM", "DETAIL")
SIM_COLUMNS = ("SIM", "ICCID", "USE (TODAY, MONTH)", "LIMIT")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "status", help="show the daemon and the modems",
        description="Show the daemon's heartbeat and each modem as the daemon last saw it. "
        f"Exits 1 when there was no heartbeat in the last {STALE_AFTER:.0f} s.")
    add_config_argument(parser)
    parser.set_defaults(func=show_status)


def show_status(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    database = config.gateway.database
    if not is_url(database) and not os.path.exists(database):
        print(f"no database at {database}: the daemon has not run with this configuration yet")
        return 1
    try:
        open_database(database)
        daemon = DaemonRecord.get_or_none(DaemonRecord.box == config.gateway.box)
        modems = list(ModemStatusRecord.select().where(
            ModemStatusRecord.box == config.gateway.box).order_by(ModemStatusRecord.name))
        sms = describe_all(config.gateway.box, time.time(), config.sms.drain_interval)
        used = usages_of({modem.iccid: config.sim(modem.iccid) for modem in modems
                          if modem.iccid}, time.time())
        sims = {modem.name: used[modem.iccid] for modem in modems if modem.iccid}
    except (OSError, DatabaseError, SchemaTooNew) as error:
        print(f"status: cannot read the database {mask_url_password(database)}: {error}",
              file=sys.stderr)
        return 1
    finally:
        close_database()
    alive, headline = daemon_line(config.gateway.box, daemon, time.time())
    print(headline)
    if modems:
        print_table([COLUMNS] + [modem_cells(modem) for modem in modems])
    else:
        print(f"no modems recorded (database {mask_url_password(database)})")
    print_sims(sims)
    configured = {modem.name for modem in modems}
    print_sms({name: health for name, health in sms.items()     # not of modems removed since
               if not configured or name in configured})
    return 0 if alive else 1


def print_sims(sims: dict[str, SimUsage]) -> None:
    """Prints each modem's SIM: calls and SMS against its limits, and what is at a limit."""
    if not sims:
        return
    print_table([SIM_COLUMNS] + [
        (name, usage.iccid, usage.summary(),
         f"AT LIMIT ({', '.join(usage.reached())}) until "
         f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(usage.resets_at()))}"
         if usage.reached() else "ok")
        for name, usage in sorted(sims.items())])


def print_sms(sms: dict) -> None:
    """Prints the SMS pipeline's health: one headline, then one row per modem read."""
    if not sms:
        print("SMS: no SIM has been read yet")
        return
    troubled = sorted(name for name, health in sms.items() if not health.ok)
    print(f"SMS: TROUBLE on {', '.join(troubled)}" if troubled
          else "SMS: every SIM read, nothing left waiting")
    print_table([SMS_COLUMNS] + [(name, "ok" if health.ok else "TROUBLE", health.summary,
                                  health.detail or "-")
                                 for name, health in sorted(sms.items())])


def daemon_line(box: str, daemon: DaemonRecord | None, now: float) -> tuple[bool, str]:
    """Gives whether the daemon is alive, and one line saying so."""
    if daemon is None:
        return False, f"box {box}: NO DAEMON has run with this database"
    age = now - daemon.heartbeat_at
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(daemon.started_at))
    if daemon.status == "stopped":
        stopped = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(daemon.heartbeat_at))
        return False, f"box {box}: daemon STOPPED at {stopped} (pid {daemon.pid})"
    if age > STALE_AFTER:
        return False, (f"box {box}: NO DAEMON HEARTBEAT for {age:.0f} s (pid {daemon.pid}, "
                       f"started {since}): the daemon is not running or is stuck; the modems "
                       "below are as it last saw them")
    return True, (f"box {box}: daemon running, pid {daemon.pid}, callbox {daemon.version}, "
                  f"up since {since}, heartbeat {max(age, 0):.0f} s ago: {daemon.status}")


def modem_cells(modem: ModemStatusRecord) -> tuple[str, ...]:
    """Gives one modem's row of the table."""
    state = modem.state + (f" ({modem.reason})" if modem.reason else "")
    vendor = " ".join(part for part in (modem.manufacturer, modem.model) if part) or "-"
    signal = f"{modem.dbm} dBm {modem.bars}/5 bars" if modem.dbm is not None else "no signal"
    recovery = "-"
    if modem.recovery_at is not None:
        recovery = (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(modem.recovery_at))
                    + f" {modem.recovery}")
    return (modem.name, state, vendor, modem.operator or "-", signal, modem.registration,
            modem.sim_state, "in call" if modem.in_call else "idle", recovery)


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
