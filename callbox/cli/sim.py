"""`callbox sim balance [MODEM]`: each SIM's credit, asked now through the running daemon
(callbox/cli/modem_ask.py), for every up modem whose SIM has `balance_ussd` in a [[sim]]
table, or for one modem."""
from __future__ import annotations

import argparse
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path
from callbox.cli.modem_ask import add_timeout_argument, running_box, up_modem, wait_for
from gateway.care import requests
from gateway.config import load
from gateway.money.billing import format_money


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sim", help="look after the SIMs: ask their credit",
                                   description="The SIMs in the running box's modems.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    balance = actions.add_parser(
        "balance", help="ask each SIM's credit now",
        description="Ask the credit of every SIM with balance_ussd in its [[sim]] table "
        "(or of one modem's SIM) now, through the running box, and print it; the answer "
        "is kept in the SIM's credit history.")
    balance.add_argument("modem", metavar="MODEM", nargs="?", help="only this modem")
    add_timeout_argument(balance)
    add_config_argument(balance)
    balance.set_defaults(func=sim_balance)


def sim_balance(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    box = config.gateway.box
    with box_database(config):
        modems = running_box(box)
        chosen = [up_modem(modems, args.modem)] if args.modem else [
            modem for modem in modems.values() if modem.state == "up"]
        asked = {}
        for modem in chosen:
            sim = config.sim(modem.iccid) if modem.iccid else None
            if sim is not None and sim.balance_ussd:
                asked[modem.name] = requests.queue_request(box, "balance", modem.name, "",
                                                           time.time())
            elif args.modem:
                what = f"SIM {modem.iccid}" if modem.iccid else "its SIM (ICCID not read yet)"
                raise CommandFailed(f"{modem.name}: {what} has no balance_ussd in a [[sim]] "
                                    f"table of {config.path}")
        if not asked:
            raise CommandFailed(f"no up modem holds a SIM with balance_ussd in a [[sim]] table "
                                f"of {config.path}")
        rows = wait_for(list(asked.values()), args.timeout)
    failed = 0
    for name, request_id in asked.items():
        row = rows[request_id]
        iccid = modems[name].iccid
        if row.amount_minor is not None:
            print(f"{name}  SIM {iccid}  {format_money(row.amount_minor, config.gateway.currency)}"
                  f"  ({row.answer})")
        else:
            failed += 1
            print(f"{name}  SIM {iccid}  no amount: {row.error}"
                  + (f"  (answer: {row.answer})" if row.answer else ""))
    for modem in modems.values():
        sim = config.sim(modem.iccid) if modem.iccid else None
        if not args.modem and modem.state != "up" and sim is not None and sim.balance_ussd:
            print(f"{modem.name}  SIM {modem.iccid}  not asked: the modem is {modem.state}")
    return 1 if failed else 0
