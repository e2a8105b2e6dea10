"""The `callbox` command: one subcommand per module of this package.

To add a command, write callbox/cli/<name>.py with `add_parser(subparsers)`
that registers it and sets `func=` to a function of the parsed arguments
giving the exit code, and list the module in COMMANDS. Exit codes: 0 done,
1 failed (the message says why), 2 bad configuration or bad usage. A command
that cannot do what it was asked raises CommandFailed: `main` prints its one
line on stderr and exits 1.
"""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
import importlib
import os
import pwd
import sys

from peewee import DatabaseError

from gateway import __version__
from gateway.actions.audit import Actor
from gateway.config import Config, ConfigError, default_path, mask_url_password
from gateway.inputs import ID_MAX, decimal_number, text_problem, whole_number
from gateway.store.db import close_database, open_database
from gateway.store.migrations import SchemaTooNew

ARGUMENT_MAX = 4096      # characters of one argument: a path's limit on Linux, a long SMS

# Modules of this package, in the order `callbox --help` lists them.
COMMANDS = ("run", "demo", "status", "probe", "at", "config_check", "account", "callerid",
            "rates", "blocklist", "dtmf", "sms", "sim", "ussd", "voicetest", "backup", "restore",
            "migrate", "user", "alerts")


class CommandFailed(Exception):
    """A request a command cannot carry out; the message is the line the user sees."""


def os_user() -> str:
    """Gives who runs this command, for the record: the login name, and who used sudo."""
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = f"uid {os.getuid()}"
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user and sudo_user != name:
        return f"{name} (sudo from {sudo_user})"
    return name


def cli_actor() -> Actor:
    """Gives who acts through this command, for the audit record."""
    return Actor(os_user(), "cli")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """Adds --config FILE, defaulting to $CALLBOX_CONFIG or /etc/callbox/callbox.toml."""
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="configuration file (default: $CALLBOX_CONFIG or "
                        "/etc/callbox/callbox.toml)")


def number_argument(what: str, low: int = 1, high: int = ID_MAX):
    """Gives an argparse type: a whole number in ASCII digits from `low` to `high`."""
    def parse(text: str) -> int:
        number = whole_number(text, low, high)
        if number is None:
            upper = "up" if high == ID_MAX else f"to {high}"
            raise argparse.ArgumentTypeError(f"{what} is a whole number from {low} {upper} "
                                             f"in digits 0-9, not {text[:40]!r}")
        return number
    return parse


def seconds_argument(what: str, low: float, high: float):
    """Gives an argparse type: seconds in ASCII digits (with decimals) from `low` to `high`."""
    def parse(text: str) -> float:
        number = decimal_number(text, low, high)
        if number is None:
            raise argparse.ArgumentTypeError(f"{what} is {low:g} to {high:g} seconds, "
                                             f"e.g. 2 or 0.5, not {text[:40]!r}")
        return number
    return parse


def config_path(args: argparse.Namespace) -> str:
    """Gives the configuration file the user asked for."""
    return getattr(args, "config", None) or default_path()


@contextmanager
def box_database(config: Config) -> Iterator[None]:
    """Opens (and migrates) the configured database for one command, then closes it.

    Database errors, inside the block too, become CommandFailed naming the database.
    """
    where = mask_url_password(config.gateway.database)
    try:
        open_database(config.gateway.database)
        yield
    except (OSError, DatabaseError, SchemaTooNew) as error:
        raise CommandFailed(f"database {where}: {error}") from None
    finally:
        close_database()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callbox", description="Callback GSM gateway: run the box, look at it, talk to modems.")
    parser.add_argument("--version", action="version", version=f"callbox {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"callbox.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the `callbox` command line; gives the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    for word in argv:
        # A byte that is not UTF-8 reaches us as a lone surrogate (PEP 383), which no
        # database, file name or modem takes; NUL cannot be stored in PostgreSQL.
        problem = text_problem(word)
        if len(word) > ARGUMENT_MAX:
            problem = f"over {ARGUMENT_MAX} characters"
        if problem:
            print(f"callbox: argument {word[:40]!r}: {problem}", file=sys.stderr)
            return 2
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except CommandFailed as error:
        words = [args.command, getattr(args, "action", None)]
        print(f"callbox {' '.join(word for word in words if word)}: {error}", file=sys.stderr)
        return 1
    except UnicodeDecodeError as error:
        # stdin or a file given that is not UTF-8 text (Python decodes both strictly)
        print(f"callbox {args.command}: the input is not UTF-8 text: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
