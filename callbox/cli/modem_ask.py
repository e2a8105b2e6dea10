"""Asking a modem of the running daemon from the command line, through the database.

The daemon holds the serial ports: `callbox sim balance` and `callbox ussd`
queue a request (gateway/care/requests.py) that its `sim-care` worker serves
within a second or so, and wait here for the answer. Before queueing they
check that the daemon runs (its heartbeat) and that the modem is one of its
modems and up, so a request is never left for nobody.
"""
from __future__ import annotations

import argparse
import threading
import time

from callbox.cli import CommandFailed, seconds_argument
from callbox.cli.status import daemon_line
from gateway.care import requests
from gateway.care.models import ModemRequest
from gateway.store.db import DaemonRecord, ModemStatusRecord

WAIT = 45.0           # seconds the command waits for the answer, by default
POLL = 0.2            # seconds between looks at the request


def add_timeout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", metavar="SECONDS", type=seconds_argument("--timeout", 1, 600),
                        default=WAIT, help=f"how long to wait for the answer (default {WAIT:g})")


def running_box(box: str) -> dict[str, ModemStatusRecord]:
    """Gives the running daemon's modems by name; CommandFailed when no daemon runs."""
    alive, line = daemon_line(box, DaemonRecord.get_or_none(DaemonRecord.box == box), time.time())
    if not alive:
        raise CommandFailed(f"{line}; start it first (callbox run)")
    return {row.name: row for row in ModemStatusRecord.select().where(
        ModemStatusRecord.box == box).order_by(ModemStatusRecord.name)}


def up_modem(modems: dict[str, ModemStatusRecord], name: str) -> ModemStatusRecord:
    """Gives the named modem's record; CommandFailed when it is unknown or not up."""
    modem = modems.get(name)
    if modem is None:
        known = ", ".join(modems) or "none"
        raise CommandFailed(f"the box has no modem named {name!r} (its modems: {known})")
    if modem.state != "up":
        raise CommandFailed(f"{name} is {modem.state}"
                            + (f" ({modem.reason})" if modem.reason else "")
                            + ": the box cannot ask it now")
    return modem


def wait_for(request_ids: list[int], timeout: float) -> dict[int, ModemRequest]:
    """Waits until every request is finished or `timeout` passes; gives each request as it
    ended. A request still queued at the end is withdrawn (state "expired")."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        rows = {row.id: row for row in ModemRequest.select().where(
            ModemRequest.id.in_(request_ids))}
        if all(row.state in requests.FINISHED for row in rows.values()):
            return rows
        if time.monotonic() >= deadline:
            break
        pause.wait(POLL)
    for request_id, row in rows.items():
        if row.state == "queued" and requests.give_up(request_id, time.time()):
            row.state, row.error = "expired", (
                f"no answer within {timeout:g} s: the box did not take the request (is "
                "the daemon stuck?); it is withdrawn")
        elif row.state == "running":
            row.error = (f"no answer within {timeout:g} s: the box is still asking "
                         f"{row.modem}; its log will say what the network answered")
    return rows
