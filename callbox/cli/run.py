"""`callbox run --config FILE`: the daemon, until SIGTERM or SIGINT."""
from __future__ import annotations

import argparse

from callbox.cli import add_config_argument, config_path
from gateway.config import load
from gateway.config.paths import check_folders


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help="run the box (the daemon)",
                                   description="Run the box until SIGTERM or Ctrl-C.")
    add_config_argument(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top (slow): the daemon pulls in the web UI, the audio
    # stack and numpy, about 0.4 s that every other command would pay at start-up.
    from callbox.service import run as run_daemon

    # Checked before the daemon starts: its first file in state_dir (the outage
    # journal) would otherwise fail with a traceback naming no key.
    check_folders(load(config_path(args)))
    return run_daemon(config_path(args))
