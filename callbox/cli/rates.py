"""`callbox rates import|list|lookup`: what calls cost, by destination prefix.

An import is all or nothing: a file with any bad line changes nothing and
every bad line is reported with its number; a good file is written in one
transaction, so a running box never sees half a table. The import is
gateway/actions/rates.py's, the same as the admin page's and the API's.
"""
from __future__ import annotations

import argparse
import sys
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, cli_actor, config_path
from callbox.cli.callerid import e164
from callbox.cli.status import print_table
from gateway.actions import rates as rate_actions
from gateway.config import load
from gateway.inputs import whole_number
from gateway.money.billing import MINOR_DIGITS, format_money, format_price
from gateway.money.ledger import rate_for

COLUMNS = ("PREFIX", "DESCRIPTION", "PER MINUTE", "CONNECT FEE", "BILLING (s)")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("rates", help="import and look up call rates",
                                   description="Call rates by destination prefix.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    importing = actions.add_parser(
        "import", help="import rates from a CSV file",
        description="Import rates from a CSV file with the columns prefix,description,"
        "price_per_minute,connect_fee,initial_increment,increment (prices in major units, "
        "increments in seconds). A file with any bad line imports nothing.")
    importing.add_argument("file", metavar="FILE.csv")
    importing.add_argument("--replace", action="store_true",
                           help="delete every rate not in the file (default: add and update)")
    importing.set_defaults(func=import_rates)

    listing = actions.add_parser("list", help="list rates",
                                 description="List the rates, all or those under a prefix.")
    listing.add_argument("prefix", nargs="?", metavar="PREFIX", help="e.g. 49 or +4917")
    listing.set_defaults(func=list_rates)

    lookup = actions.add_parser("lookup", help="show the rate a number is billed at",
                                description="Show which rate applies to a number (the "
                                "longest matching prefix).")
    lookup.add_argument("number", metavar="NUMBER")
    lookup.set_defaults(func=lookup_rate)

    for action_parser in actions.choices.values():
        add_config_argument(action_parser)


def import_rates(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    try:
        with open(args.file, encoding="utf-8-sig") as file:     # -sig: spreadsheets write a BOM
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandFailed(f"cannot read {args.file}: {error}") from None
    with box_database(config):
        try:
            stored, removed = rate_actions.import_rates(cli_actor(), text,
                                                        args.replace, time.time())
        except rate_actions.BadRateLines as error:
            print(f"callbox rates import: {args.file}: {len(error.problems)} bad line(s), "
                  "nothing imported:", file=sys.stderr)
            for problem in error.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        except rate_actions.NoRates:
            raise CommandFailed(f"{args.file} has no rates; nothing imported") from None
    replaced = f" (replacing the previous {removed})" if args.replace else ""
    print(f"imported {stored} rates{replaced}")
    return 0


def list_rates(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    prefix = (args.prefix or "").lstrip("+")
    if args.prefix is not None and whole_number(prefix) is None:
        raise CommandFailed(f"prefix {args.prefix!r} is not digits")
    with box_database(config):
        records = list(rate_actions.under_prefix(prefix))
    if not records:
        print(f"no rates under prefix {prefix}" if prefix else
              "no rates yet: import them with `callbox rates import FILE.csv`")
        return 0
    currency = config.gateway.currency
    print_table([COLUMNS] + [
        (record.prefix, record.description, format_price(record.price_per_minute, currency),
         format_money(record.connect_fee, currency, MINOR_DIGITS),
         f"{record.initial_increment}/{record.increment}")
        for record in records])
    return 0


def lookup_rate(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    number = e164(args.number, config.gateway.country)
    with box_database(config):
        rate = rate_for(number)
    if rate is None:
        raise CommandFailed(f"no rate for {number}: the box refuses calls there")
    currency = config.gateway.currency
    description = f" {rate.description}" if rate.description else ""
    print(f"{number}: prefix {rate.prefix}{description}, "
          f"{format_price(rate.price_per_minute, currency)}/min, connect fee "
          f"{format_money(rate.connect_fee, currency, MINOR_DIGITS)}, billed "
          f"{rate.initial_increment}/{rate.increment} s; one minute costs "
          f"{format_money(rate.cost(60), currency, MINOR_DIGITS)}")
    return 0
