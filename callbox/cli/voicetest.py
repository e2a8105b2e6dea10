"""`callbox voicetest MODEM NUMBER`: a call that measures the line, through the running daemon.

The daemon holds the modems, so the command queues a request
(gateway/care/requests.py, kind "voicetest") that the daemon runs as a call
of its own (gateway/calls/voicetest.py), prints the test's progress as it
goes, then the figures and what they suggest (gateway/care/voicetests.py).
"""
from __future__ import annotations

import argparse
import threading
import time

from callbox.cli import CommandFailed, add_config_argument, box_database, config_path, \
    seconds_argument
from callbox.cli.modem_ask import POLL, running_box, up_modem
from gateway.care import requests, voicetests
from gateway.config import load
from modems.numbers import InvalidNumber, destination_e164

WAIT = 120.0        # seconds: the far end may let it ring 40 s; the test takes about 20


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "voicetest", help="call a number and measure the line's voice",
        description="Call NUMBER from MODEM through the running box, play a measured test "
        "signal, ask whoever answers to say a sentence and press 1 2 3, and print the "
        "round-trip delay, the echo return loss without and with the echo canceller, the "
        "noise floor, the speech level, clipping, and which keys arrived in-band and as "
        "the modem's key reports.")
    parser.add_argument("modem", metavar="MODEM", help="the modem's name ([[modem]] name)")
    parser.add_argument("number", metavar="NUMBER", help="the number to call")
    parser.add_argument("--timeout", metavar="SECONDS", type=seconds_argument("--timeout", 30, 600),
                        default=WAIT, help=f"how long to wait for the test (default {WAIT:g})")
    add_config_argument(parser)
    parser.set_defaults(func=voicetest)


def voicetest(args: argparse.Namespace) -> int:
    config = load(config_path(args))
    try:
        number = destination_e164(args.number, config.gateway.country)
    except InvalidNumber as error:
        raise CommandFailed(f"{error.reason}: {args.number[:40]!r}") from None
    box = config.gateway.box
    with box_database(config):
        modem = up_modem(running_box(box), args.modem)
        if modem.in_call:
            raise CommandFailed(f"{args.modem} is in a call; test it when the call ends")
        request_id = requests.queue_request(box, "voicetest", args.modem, number, time.time())
        row = _follow(request_id, args.timeout)
    answer = voicetests.parse_answer(row.answer)
    if row.state != "done" or answer["figures"] is None:
        raise CommandFailed(f"{args.modem}: the voice test failed: {row.error or row.state}")
    print(f"\nvoice test of {args.modem} calling {number}:")
    for what, value in voicetests.describe(answer["figures"]):
        print(f"  {what:<26}{value}")
    said = voicetests.advice(answer["figures"])
    if said:
        print("\nwhat the figures suggest:")
        for line in said:
            print(f"  - {line}")
    else:
        print("\nall figures are within good values")
    return 0


def _follow(request_id: int, timeout: float):
    """Prints the test's progress lines as they come; gives its request once it ended."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    shown = 0
    while True:
        row = requests.get(request_id)
        progress = voicetests.parse_answer(row.answer)["progress"]
        for line in progress[shown:]:
            print(line, flush=True)
        shown = max(shown, len(progress))
        if row.state in requests.FINISHED:
            return row
        if time.monotonic() >= deadline:
            break
        pause.wait(POLL)
    if row.state == "queued" and requests.give_up(request_id, time.time()):
        raise CommandFailed(f"no answer within {timeout:g} s: the box did not take the "
                            "request (is the daemon stuck?); it is withdrawn")
    raise CommandFailed(f"the test still runs after {timeout:g} s; the Modems page shows "
                        "its figures when it ends")
