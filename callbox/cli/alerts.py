"""`callbox alerts test|list`: try the owner's alert URLs, and read this box's alerts.

`test` sends one test alert to every `[alerts] urls` URL at once (not through
the daemon's queue, and without the database) and prints per URL whether it
was delivered; it exits 1 when any failed, so it fits a script. `list`
prints the rows of the `alert` table of this box, open ones first.
"""
from __future__ import annotations

import argparse
import socket
import time
from types import SimpleNamespace

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path
from gateway.actions import alerts as alert_actions
from gateway.care.alert_kinds import about, compose, delivery_state, kind_of
from gateway.care.send import AppriseSender
from gateway.config import load

LIMIT = 100          # alerts `list` shows


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("alerts", help="send a test alert, list alerts",
                                   description="Alerts to the owner ([alerts] urls).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser("test", help="send a test alert to every URL",
                              description="Send a test alert to every [alerts] URL and say "
                              "for each whether it was delivered (exit 1 if any failed).")
    add_config_argument(test)
    test.set_defaults(func=send_test)
    listing = actions.add_parser("list", help="show this box's alerts",
                                 description=f"Show the newest {LIMIT} alerts of this box, "
                                 "open ones first.")
    listing.add_argument("--open", dest="open_only", action="store_true",
                         help="open alerts only")
    add_config_argument(listing)
    listing.set_defaults(func=list_alerts)


def send_test(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    urls = config.alerts.urls
    if not urls:
        raise CommandFailed(f"no [alerts] urls in {config.path}: alerts are only logged")
    box = config.gateway.box
    test = SimpleNamespace(kind="test", subject=box, modem=None, advice="", repeats=0,
                           at=time.time(), message=f"a test alert from callbox alerts test "
                           f"on {socket.gethostname()}: if you read this, alerts reach you")
    title, body = compose(test, box)
    sender = AppriseSender(config.alerts.send_timeout)
    try:
        outcomes = sender.send(urls, title, body)
    finally:
        sender.close()
    for outcome in outcomes:
        print(f"{outcome.url}: " + ("delivered" if outcome.ok else f"FAILED: {outcome.error}"))
    failed = sum(1 for outcome in outcomes if not outcome.ok)
    print(f"{len(outcomes) - failed} of {len(outcomes)} URL(s) delivered")
    return 1 if failed else 0


def list_alerts(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    urls = bool(config.alerts.urls)
    with box_database(config):
        alerts = list(alert_actions.listing(config.gateway.box, args.open_only).limit(LIMIT))
        if not alerts:
            print("no open alerts" if args.open_only else "no alerts")
            return 0
        for alert in alerts:
            seen = ", acknowledged" if alert.acknowledged else ""
            repeats = f", {alert.repeats} repeat(s)" if alert.repeats else ""
            print(f"{alert.id}  {_when(alert.at)}  {alert.state}{seen}{repeats}  "
                  f"{kind_of(alert.kind).title}: {about(alert) or '-'}")
            print(f"    {alert.message}")
            if alert.recovered_at:
                print(f"    recovered {_when(alert.recovered_at)}: {alert.recovery}")
            state = delivery_state(alert, urls)
            if state:
                print(f"    delivery: {state}")
    return 0


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "-"
