"""`callbox blocklist add|list|remove`: numbers the box never calls back.

Blocking and unblocking are gateway/actions/blocklist.py's, each with its audit
record; this command reads the number (national or +international) and words
the answer.
"""
from __future__ import annotations

import argparse
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, cli_actor, config_path
from callbox.cli.callerid import e164
from callbox.cli.status import print_table
from gateway.actions import blocklist
from gateway.actions.audit import ActionError
from gateway.config import load

COLUMNS = ("NUMBER", "NOTE")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("blocklist", help="numbers the box never calls back",
                                   description="Numbers the box never calls back.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="block a number",
                             description="Block a number (national or +international).")
    add.add_argument("number", metavar="NUMBER")
    add.add_argument("--note", default=None, metavar="TEXT", help="why, for the record")
    add.set_defaults(func=block_number)

    listing = actions.add_parser("list", help="list blocked numbers",
                                 description="List blocked numbers.")
    listing.set_defaults(func=list_blocked)

    remove = actions.add_parser("remove", help="unblock a number",
                                description="Unblock a number.")
    remove.add_argument("number", metavar="NUMBER")
    remove.set_defaults(func=unblock_number)

    for action_parser in actions.choices.values():
        add_config_argument(action_parser)


def block_number(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        try:
            added = blocklist.block(cli_actor(), number, time.time(), args.note)
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    if added:
        print(f"{number} blocked")
    else:
        print(f"{number} was blocked already"
              + ("; note updated" if args.note is not None else ""))
    return 0


def list_blocked(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        entries = blocklist.blocked()
    if not entries:
        print("no numbers blocked")
        return 0
    print_table([COLUMNS] + [(entry.number, entry.note) for entry in entries])
    return 0


def unblock_number(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        try:
            blocklist.unblock(cli_actor(), number, time.time())
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    print(f"{number} unblocked")
    return 0
