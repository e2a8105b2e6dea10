"""`callbox demo`: the box on the virtual GSM network, no hardware needed."""
from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the box on the built-in virtual GSM network",
        description="Run the daemon on a virtual GSM network with virtual modems and phones; "
        "Ctrl-C stops it.")
    parser.add_argument("--keep", action="store_true",
                        help="keep the working folder (config, database) after stopping")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gateway.demo import run_demo
    return run_demo(keep=args.keep)
