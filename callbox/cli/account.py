"""`callbox account add|list|topup|debit|pin|lock|unlock|sessions|language`: accounts,
balances, PINs.

Amounts are typed in major units (12.50) and kept as integer minor units.
The account number printed by `add` is the number a caller whose phone is not
authorized types on the keys before the PIN (random, with a check digit:
gateway/money/accounts.py); accounts made before such numbers keep their id.
`sessions` sets how many calls an account may have running at once; a new account
gets `[callback] max_concurrent_sessions` unless `add --sessions N` says otherwise.
`language` sets the language the account's callers hear (`-` or `default`: decided by
the calling number again, gateway/money/languages.py).
"""
from __future__ import annotations

import argparse
from decimal import Decimal
import re
import sys
import time

from peewee import JOIN, fn

from callbox.cli import CommandFailed, add_config_argument, box_database, cli_actor, config_path
from callbox.cli.status import print_table
from gateway.actions import accounts as account_actions
from gateway.actions.audit import ActionError
from gateway.config import load
from gateway.inputs import whole_number
from gateway.money.accounts import AccountError, by_name, check_pin_format
from gateway.money.billing import MINOR_DIGITS, format_money
from gateway.money.ledger import Account, CallerId

LARGEST_AMOUNT = 10 ** 12        # minor units; beyond this an amount is a typing mistake
# Bounded: Decimal('9' * 10**6) overflows when scaled.
_AMOUNT = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,18})?")
COLUMNS = ("NUMBER", "NAME", "BALANCE", "RESERVED", "CALLER IDS", "AT ONCE", "LOCKED")


def calls_at_once_argument(text: str) -> int:
    """An argparse type: ASCII digits only (int() takes '২௪', Bengali 2 and Tamil 4, as
    24); the range is the action's to refuse (exit 1, as any refused change)."""
    number = whole_number(text)
    if number is None:
        raise argparse.ArgumentTypeError(
            f"calls at once is a whole number from 1 to {account_actions.MOST_SESSIONS} in "
            f"digits 0-9, not {text[:40]!r}")
    return number


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("account", help="add accounts, list them, top them up",
                                   description="Work with accounts: balances, PINs, locks.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add", help="create an account and print its number",
        description="Create an account; prints its number, which callers type before "
        "the PIN.")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--pin", required=True, metavar="PIN",
                     help="4 to 8 digits; '-' reads it from the first line of stdin "
                     "(a PIN on the command line is visible to other users of the box)")
    add.add_argument("--balance", required=True, metavar="AMOUNT",
                     help="opening balance in major units, e.g. 12.50")
    add.add_argument("--sessions", type=calls_at_once_argument, metavar="N",
                     help="calls it may have running at once (default: [callback] "
                     "max_concurrent_sessions of the configuration)")
    add.set_defaults(func=add_account)

    listing = actions.add_parser("list", help="list accounts with their balances",
                                 description="List every account.")
    listing.set_defaults(func=list_accounts)

    top = actions.add_parser(
        "topup", help="add money to a balance",
        description="Add AMOUNT major units (above 0) to a balance; recorded with the user "
        "running the command. Prints the new balance. To take money, use `debit`.")
    top.add_argument("name", metavar="NAME")
    top.add_argument("amount", metavar="AMOUNT", help="e.g. 10 or 12.50")
    top.add_argument("--note", default="", metavar="TEXT", help="why, for the record")
    top.set_defaults(func=topup_account)

    take = actions.add_parser(
        "debit", help="take money from a balance, saying why",
        description="Take AMOUNT major units (above 0) from a balance, never more than it "
        "has free (the balance less what running calls hold); recorded with the reason and "
        "the user running the command. Prints the new balance.")
    take.add_argument("name", metavar="NAME")
    take.add_argument("amount", metavar="AMOUNT", help="e.g. 2 or 2.50")
    take.add_argument("--reason", required=True, metavar="TEXT",
                      help="why the money is taken, for the record (required)")
    take.set_defaults(func=debit_account)

    pin = actions.add_parser("pin", help="set a new PIN", description="Set a new PIN.")
    pin.add_argument("name", metavar="NAME")
    pin.add_argument("--pin", required=True, metavar="PIN",
                     help="4 to 8 digits; '-' reads it from the first line of stdin")
    pin.set_defaults(func=change_pin)

    for action, verb in (("lock", "refuse every call of"), ("unlock", "allow calls again for")):
        locking = actions.add_parser(action, help=f"{verb} an account",
                                     description=f"{verb.capitalize()} an account.")
        locking.add_argument("name", metavar="NAME")
        locking.set_defaults(func=lock_account, locked=action == "lock")

    sessions = actions.add_parser(
        "sessions", help="set how many calls an account may have running at once",
        description="Set how many calls (callbacks and connect-twos) the account may have "
        "running at once, 1 to 100. Calls running now go on; the number counts for the next.")
    sessions.add_argument("name", metavar="NAME")
    sessions.add_argument("sessions", type=calls_at_once_argument, metavar="N")
    sessions.set_defaults(func=set_sessions)

    language = actions.add_parser(
        "language", help="set the language the account's callers hear",
        description="Set the language the account's callers hear and its SMS replies are "
        "written in: a code the box has voice prompts in (en, de, fr, es, it, pl, tr, ru, "
        "ar, or a folder of your own recordings); - or default: the caller's number decides "
        "([languages], else [callback] language).")
    language.add_argument("name", metavar="NAME")
    language.add_argument("code", metavar="CODE")
    language.set_defaults(func=set_language)

    for action_parser in actions.choices.values():
        add_config_argument(action_parser)


# -- the actions ----------------------------------------------------------------------------

def add_account(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    balance = parse_amount(args.balance)
    if balance < 0:
        raise CommandFailed(f"an opening balance is not negative, got {args.balance!r}")
    pin = read_pin(args.pin)
    sessions = (config.callback.max_concurrent_sessions if args.sessions is None
                else args.sessions)
    with box_database(config):
        try:
            account = account_actions.create_account(cli_actor(), args.name, pin, balance,
                                                     time.time(), sessions=sessions)
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    print(f"created account {account.name}: number {account.number}, balance "
          f"{format_money(balance, config.gateway.currency, MINOR_DIGITS)}, "
          f"{account_actions.calls_at_once(sessions)}")
    return 0


def list_accounts(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    currency = config.gateway.currency
    now = time.time()
    with box_database(config):
        accounts = list(Account.select(Account, fn.COUNT(CallerId.id).alias("caller_id_count"))
                        .join(CallerId, JOIN.LEFT_OUTER).group_by(Account.id)
                        .order_by(Account.id))
    if not accounts:
        print("no accounts yet: add one with `callbox account add NAME --pin P --balance AMOUNT`")
        return 0
    rows = [COLUMNS] + [(account.number or "-", account.name,
                         format_money(account.balance, currency, MINOR_DIGITS),
                         format_money(account.reserved, currency, MINOR_DIGITS),
                         str(account.caller_id_count), str(account.max_concurrent_sessions),
                         lock_state(account, now))
                        for account in accounts]
    print_table(rows)
    return 0


def lock_state(account: Account, now: float) -> str:
    """Gives 'yes', 'no', or when PIN entry is locked after wrong PINs, until when."""
    if account.locked:
        return "yes"
    if account.pin_locked_until > now:
        until = time.strftime("%H:%M", time.localtime(account.pin_locked_until))
        return f"PIN entry until {until}"
    return "no"


def topup_account(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    amount = parse_amount(args.amount)
    if amount <= 0:
        raise CommandFailed(f"a top-up adds money: {args.amount!r} is not above 0 (to take "
                            "money: callbox account debit NAME AMOUNT --reason TEXT)")
    with box_database(config):
        account = find_account(args.name)
        balance = account_actions.top_up(cli_actor(), account.id, amount, time.time(),
                                         note=args.note)
    currency = config.gateway.currency
    print(f"account {account.name}: {format_money(amount, currency, MINOR_DIGITS)} "
          f"added; balance now {format_money(balance, currency, MINOR_DIGITS)}")
    return 0


def debit_account(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    amount = parse_amount(args.amount)
    if amount <= 0:
        raise CommandFailed(f"a debit takes money: {args.amount!r} is not above 0")
    if not args.reason.strip():
        raise CommandFailed("a debit says why: give --reason TEXT")
    currency = config.gateway.currency
    with box_database(config):
        account = find_account(args.name)
        try:
            balance = account_actions.debit(cli_actor(), account.id, amount, args.reason,
                                            time.time())
        except account_actions.NotEnoughFree as refusal:
            free = format_money(refusal.free, currency, MINOR_DIGITS)
            raise CommandFailed(f"account {account.name} has {free} free: {refusal}") from None
    print(f"account {account.name}: {format_money(amount, currency, MINOR_DIGITS)} "
          f"taken ({args.reason.strip()[:200]}); balance now "
          f"{format_money(balance, currency, MINOR_DIGITS)}")
    return 0


def change_pin(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    pin = read_pin(args.pin)
    with box_database(config):
        account = find_account(args.name)
        unlocked = account_actions.set_pin(cli_actor(), account.id, pin, time.time())
    print(f"account {account.name}: PIN changed" + (" (and PIN entry unlocked)" if unlocked
                                                     else ""))
    return 0


def lock_account(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    word = "locked" if args.locked else "unlocked"
    with box_database(config):
        account = find_account(args.name)
        changed = account_actions.set_locked(cli_actor(), account.id, args.locked, time.time())
    print(f"account {account.name} {word}" if changed
          else f"account {account.name} was {word} already")
    return 0


def set_sessions(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        account = find_account(args.name)
        try:
            changed = account_actions.set_max_sessions(cli_actor(), account.id, args.sessions,
                                                       time.time())
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    said = account_actions.calls_at_once(args.sessions)
    print(f"account {account.name}: {said}" if changed
          else f"account {account.name} had {said} already")
    return 0


def set_language(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        account = find_account(args.name)
        try:
            language = account_actions.set_language(cli_actor(), account.id, args.code,
                                                    time.time())
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    print(f"account {account.name}: language {language}" if language else
          f"account {account.name}: no language of its own (the caller's number decides, "
          f"else {config.callback.language})")
    return 0


# -- helpers the other admin commands share ---------------------------------------------------

def find_account(name: str) -> Account:
    """Gives the account of that name, or raises CommandFailed saying there is none."""
    try:
        return by_name(name)
    except AccountError as error:
        hint = ""
        if name.isascii() and name.isdigit():
            numbered = Account.get_or_none(Account.number == name)
            if numbered is not None:
                hint = f" (account number {name} is named {numbered.name!r}: use the name)"
        raise CommandFailed(f"{error}{hint}") from None


def parse_amount(text: str) -> int:
    """Gives the minor units of an amount typed in major units ('12.50' -> 1250)."""
    if not _AMOUNT.fullmatch(text.strip()):
        raise CommandFailed(f"amount {text[:40]!r} is not a number like 12.50")
    scaled = Decimal(text.strip()).scaleb(MINOR_DIGITS)
    if scaled != scaled.to_integral_value():
        raise CommandFailed(f"amount {text[:40]!r} has more than {MINOR_DIGITS} decimals")
    if abs(scaled) > LARGEST_AMOUNT:
        raise CommandFailed(f"amount {text[:40]!r} is too large")
    return int(scaled)


def read_pin(given: str) -> str:
    """Gives the PIN from the option, or from stdin for '-'; checks its form, never shows it."""
    pin = sys.stdin.readline().strip() if given == "-" else given
    try:
        return check_pin_format(pin)
    except AccountError as error:
        raise CommandFailed(str(error)) from None

