"""`callbox user add|password|revoke-token NAME`: logins for the web UI.

An admin login needs no account; any other login is an account holder's and
carries the account's name. There is no default password: it is typed at a
prompt, or read from the first line of stdin with `--password -`. A new
password ends every web session of the login and revokes its API token, as it
does from the web page and the JSON API (gateway/actions/users.py); the admin
on the box needs no current password.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, cli_actor, config_path
from gateway.actions import users as user_actions
from gateway.actions.audit import ActionError
from gateway.config import load


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("user", help="add web UI logins, set their passwords",
                                   description="Work with logins of the web UI.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add", help="create a web login",
        description="Create a web login: an admin (--admin) or the login of the account "
        "of the same name.")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--admin", action="store_true",
                     help="an admin login (sees modems and every account)")
    add_password_argument(add)
    add.set_defaults(func=add_user)

    password = actions.add_parser(
        "password", help="set a login's password",
        description="Set a web login's password: ends its web sessions and revokes its "
        "API token.")
    password.add_argument("name", metavar="NAME")
    add_password_argument(password)
    password.set_defaults(func=change_password)

    revoke = actions.add_parser("revoke-token", help="revoke a login's API token",
                                description="Revoke the API token of a holder's login.")
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(func=revoke_token)

    for action_parser in actions.choices.values():
        add_config_argument(action_parser)


def add_password_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password", metavar="-", choices=["-"], default=None,
                        help="'-' reads the password from the first line of stdin; "
                        "without it the password is asked at a prompt")


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
    config = load(config_path(args))
    if not args.name.isprintable():
        raise CommandFailed("a login name is printable text: no control characters")
    password = read_password(args.password)
    with box_database(config):
        try:
            user = user_actions.add_user(cli_actor(), args.name, password, time.time(),
                                         is_admin=args.admin)
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    kind = "admin" if user.is_admin else f"login of account {user.name}"
    print(f"created web user {user.name} ({kind})")
    return 0


def change_password(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        try:
            user = user_actions.login_named(args.name)
            password = read_password(args.password)     # asked only for a login that exists
            revoked = user_actions.change_password(cli_actor(), user.id, password, time.time())
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    print(f"password of {user.name} changed; its web sessions ended"
          + ("; its API token revoked" if revoked else ""))
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    with box_database(config):
        try:
            user = user_actions.login_named(args.name)
            revoked = user_actions.revoke_api_token(cli_actor(), user.id, time.time())
        except ActionError as error:
            raise CommandFailed(str(error)) from None
    print(f"API token of {user.name} revoked" if revoked else f"{user.name} had no API token")
    return 0
