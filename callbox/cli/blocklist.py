"""`callbox blocklist add|list|remove`: numbers the box never calls back."""
from __future__ import annotations

import argparse

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path
from callbox.cli.callerid import e164
from callbox.cli.status import print_table
from gateway.config import load
from gateway.money.ledger import Blocklist
from gateway.store.db import db

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
    with box_database(config), db.atomic():
        entry = Blocklist.get_or_none(Blocklist.number == number)
        if entry is None:
            Blocklist.create(number=number, note=args.note or "")
            print(f"{number} blocked")
            return 0
        if args.note is not None:
            Blocklist.update(note=args.note).where(Blocklist.number == number).execute()
    print(f"{number} was blocked already" + ("; note updated" if args.note is not None else ""))
    return 0


def list_blocked(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        entries = list(Blocklist.select().order_by(Blocklist.number))
    if not entries:
        print("no numbers blocked")
        return 0
    print_table([COLUMNS] + [(entry.number, entry.note) for entry in entries])
    return 0


def unblock_number(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        if Blocklist.delete().where(Blocklist.number == number).execute() == 0:
            raise CommandFailed(f"{number} is not on the blocklist")
    print(f"{number} unblocked")
    return 0
