"""The `callbox` command: one subcommand per module of this package.

To add a command, write gateway/cli/<name>.py with `add_parser(subparsers)`
that registers it and sets `func=` to a function of the parsed arguments
giving the exit code, and list the module in COMMANDS. Exit codes: 0 done,
1 failed (the message says why), 2 bad configuration or bad usage.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from gateway import __version__
from gateway.config import ConfigError, default_path

# Modules of this package, in the order `callbox --help` lists them.
COMMANDS = ("run", "demo", "status", "probe", "at", "config_check")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    """Adds --config FILE, defaulting to $CALLBOX_CONFIG or /etc/callbox/callbox.toml."""
    parser.add_argument("--config", metavar="FILE", default=None,
                        help="configuration file (default: $CALLBOX_CONFIG or "
                        "/etc/callbox/callbox.toml)")


def config_path(args: argparse.Namespace) -> str:
    """Gives the configuration file the user asked for."""
    return getattr(args, "config", None) or default_path()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="callbox", description="Callback GSM gateway: run the box, look at it, talk to modems.")
    parser.add_argument("--version", action="version", version=f"callbox {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"gateway.cli.{name}").add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the `callbox` command line; gives the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
