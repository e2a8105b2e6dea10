"""`callbox demo`: the box on the virtual GSM network, no hardware needed."""
from __future__ import annotations

import argparse
import re

_LISTEN = re.compile(r"(\d{1,3}(\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):\d{1,5}")


def listen_address(text: str) -> str:
    """Gives `text` if it is HOST:PORT with a port 1..65535 (argparse type)."""
    if not _LISTEN.fullmatch(text) or not 0 < int(text.rsplit(":", 1)[1]) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not HOST:PORT, e.g. 127.0.0.1:8080 (a port 1..65535)")
    return text


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the box on the built-in virtual GSM network",
        description="Run the daemon on a virtual GSM network with virtual modems and phones; "
        "Ctrl-C stops it.")
    parser.add_argument("--listen", type=listen_address, metavar="HOST:PORT",
                        help="where the web UI listens (default 127.0.0.1:8080)")
    parser.add_argument("--no-scene", dest="scene", action="store_false",
                        help="do not play the short scripted scene: the phones are all yours")
    parser.add_argument("--keep", action="store_true",
                        help="keep the working folder (config, database) after stopping")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here, not at the top (slow): the demo pulls in the daemon, the web UI and
    # the virtual network, about 0.4 s that every other command would pay at start-up.
    from callbox.demo import DEFAULT_LISTEN, run_demo
    return run_demo(keep=args.keep, listen=args.listen or DEFAULT_LISTEN, scene=args.scene)
