"""`callbox callerid add|list|remove`: phone numbers authorized for an account.

A call from an authorized number is not asked for the PIN. Numbers may be
typed nationally (read in the configured country) or internationally; they are
kept in E.164.
"""
from __future__ import annotations

import argparse
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, cli_actor, config_path
from callbox.cli.account import find_account
from callbox.cli.status import print_table
from gateway.actions import callerids
from gateway.config import load
from gateway.money.ledger import Account, CallerId
from modems.numbers import InvalidNumber, to_e164

COLUMNS = ("ACCOUNT", "NUMBER", "AUTHORIZED")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "callerid", help="authorize caller numbers for accounts",
        description="Phone numbers whose calls are not asked for the PIN.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="authorize a number for an account",
                             description="Authorize a number (national or +international) "
                             "for an account.")
    add.add_argument("account", metavar="ACCOUNT", help="account name")
    add.add_argument("number", metavar="NUMBER")
    add.set_defaults(func=add_caller_id)

    listing = actions.add_parser("list", help="list authorized numbers",
                                 description="List authorized numbers, of one account or all.")
    listing.add_argument("account", nargs="?", metavar="ACCOUNT", help="account name")
    listing.set_defaults(func=list_caller_ids)

    remove = actions.add_parser("remove", help="stop authorizing a number",
                                description="Remove a number from an account: its calls are "
                                "asked for the PIN again.")
    remove.add_argument("account", metavar="ACCOUNT", help="account name")
    remove.add_argument("number", metavar="NUMBER")
    remove.set_defaults(func=remove_number)

    for action_parser in actions.choices.values():
        add_config_argument(action_parser)


def e164(number: str, country: str) -> str:
    """Gives the E.164 form of a typed number, or raises CommandFailed saying why not."""
    try:
        return to_e164(number, country)
    except InvalidNumber as error:
        raise CommandFailed(str(error)) from None


def add_caller_id(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        account = find_account(args.account)
        try:
            added = callerids.authorize(cli_actor(), account.id, number, time.time(),
                                        how="by an admin")
        except callerids.CallerIdTaken as taken:
            # Moving a number silently would hand one person's calls to another account.
            raise CommandFailed(f"{number} is authorized for account {taken.owner.name}; "
                                f"remove it there first (callbox callerid remove "
                                f"{taken.owner.name} {number})") from None
    print(f"{number} authorized for account {account.name}" if added
          else f"{number} is authorized for account {account.name} already")
    return 0


def list_caller_ids(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        query = (CallerId.select(CallerId, Account).join(Account)
                 .order_by(Account.name, CallerId.number))
        if args.account is not None:
            query = query.where(CallerId.account == find_account(args.account).id)
        entries = list(query)
    if not entries:
        whose = f"account {args.account}" if args.account else "any account"
        print(f"no caller IDs authorized for {whose}")
        return 0
    print_table([COLUMNS] + [
        (entry.account.name, entry.number,
         time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.created_at)))
        for entry in entries])
    return 0


def remove_number(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        account = find_account(args.account)
        try:
            callerids.remove(cli_actor(), account.id, number, time.time())
        except callerids.NotAuthorized:
            raise CommandFailed(f"{number} is not authorized for account {account.name}") \
                from None
    print(f"{number} removed from account {account.name}")
    return 0
