"""`callbox ussd MODEM CODE` and `callbox ussd MODEM --reply TEXT`: any USSD code, through
the running daemon (callbox/cli/modem_ask.py), with the network's answer printed.

An answer that opens a menu (3GPP 27.007 §7.15 <m> 1, "further user action
required") waits for a reply: `--reply 1` sends it in the same session.
"""
from __future__ import annotations

import argparse
import sys
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path
from callbox.cli.modem_ask import add_timeout_argument, running_box, up_modem, wait_for
from gateway.care import requests
from gateway.config import load
from modems.numbers import InvalidNumber, ussd_reply, ussd_string
from modems.ussd import STATUS_WORDS


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "ussd", help="send a USSD code from a modem and print the answer",
        description="Send a USSD code (e.g. *100#) from one modem of the running box and "
        "print the network's answer; in a menu, send the next choice with --reply.")
    parser.add_argument("modem", metavar="MODEM", help="the modem's name ([[modem]] name)")
    parser.add_argument("code", metavar="CODE", nargs="?", help="digits, * and #, e.g. *100#")
    parser.add_argument("--reply", metavar="TEXT",
                        help="answer the menu the last code opened (e.g. 1)")
    add_timeout_argument(parser)
    add_config_argument(parser)
    parser.set_defaults(func=ussd)


def ussd(args: argparse.Namespace) -> int:
    if (args.code is None) == (args.reply is None):
        print("callbox ussd: give either a CODE or --reply TEXT", file=sys.stderr)
        return 2
    given = args.code if args.reply is None else args.reply
    try:
        text = ussd_string(given) if args.reply is None else ussd_reply(given)
    except InvalidNumber as error:
        print(f"callbox ussd: {error.reason}: {given[:40]!r}", file=sys.stderr)
        return 2
    config = load(config_path(args))
    box = config.gateway.box
    with box_database(config):
        up_modem(running_box(box), args.modem)
        kind = "ussd" if args.reply is None else "ussd-reply"
        request_id = requests.queue_request(box, kind, args.modem, text, time.time())
        row = wait_for([request_id], args.timeout)[request_id]
    if row.state != "done":
        raise CommandFailed(f"{args.modem}: {row.error}")
    print(row.answer)
    if row.ussd_status == 1:
        print(f"(the network waits for a reply: callbox ussd {args.modem} --reply TEXT)")
    elif row.ussd_status not in (None, 0):
        print(f"(the session is {STATUS_WORDS.get(row.ussd_status, 'over')})")
    return 0
