"""`callbox user add NAME [--admin] [--password -]`: logins for the web UI.

An admin login needs no account; any other login is an account holder's and
carries the account's name. There is no default password: it is typed at a
prompt, or read from the first line of stdin with `--password -`.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path
from gateway.config import load


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("user", help="add web UI logins",
                                   description="Work with logins of the web UI.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="create a web login",
        description="Create a web login: an admin (--admin) or the login of the account "
        "of the same name.")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--admin", action="store_true",
                     help="an admin login (sees modems and every account)")
    add.add_argument("--password", metavar="-", choices=["-"], default=None,
                     help="'-' reads the password from the first line of stdin; "
                     "without it the password is asked at a prompt")
    add.set_defaults(func=add_user)
    add_config_argument(add)


def read_password(given: str | None) -> str:
    """Gives the new password from stdin ('-') or a prompt asked twice; never echoed."""
    if given == "-":
        password = sys.stdin.readline().rstrip("\r\n")
        if not password.isprintable():
            raise CommandFailed("a password is printable text: no control characters")
        return password
    if not sys.stdin.isatty():
        raise CommandFailed("no terminal to ask the password on: use --password - and "
                            "write it to stdin")
    password = getpass.getpass("web password: ")
    if password != getpass.getpass("again: "):
        raise CommandFailed("the two passwords differ")
    return password


def add_user(args: argparse.Namespace) -> int:
    from webui.auth import UserError, add_user as create_user

    config = load(config_path(args))
    if not args.name.isprintable():
        raise CommandFailed("a login name is printable text: no control characters")
    password = read_password(args.password)
    with box_database(config):
        try:
            user = create_user(args.name, password, time.time(), is_admin=args.admin)
        except UserError as error:
            raise CommandFailed(str(error)) from None
    kind = "admin" if user.is_admin else f"login of account {user.name}"
    print(f"created web user {user.name} ({kind})")
    return 0
