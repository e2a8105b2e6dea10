"""`callbox sms send|list|retry`: the SMS outbox and log, through the database.

The outbox table is the interface: `send` and `retry` queue a text there and
the running daemon's `sms-out` thread sends it (within a few seconds).
"""
from __future__ import annotations

import argparse
import sys
import time

from peewee import DatabaseError

from callbox.cli import add_config_argument, config_path, number_argument
from gateway.config import load, mask_url_password
from gateway.sms import store
from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from gateway.store.db import close_database, open_database
from gateway.store.migrations import SchemaTooNew
from modems.numbers import InvalidNumber, sms_destination

LIMIT = 50          # rows `list` shows of each kind, newest first


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("sms", help="send SMS, list the SMS log, retry a failed SMS",
                                   description="The SMS log and outbox. The running daemon "
                                   "sends what is queued here.")
    commands = parser.add_subparsers(dest="sms_command", metavar="ACTION", required=True)
    send = commands.add_parser("send", help="queue an SMS", description="Queue an SMS; the "
                               "daemon sends it from any modem that is up.")
    send.add_argument("number", metavar="NUMBER", help="national or international (+...)")
    send.add_argument("text", metavar="TEXT", help="the message (long texts go in parts)")
    add_config_argument(send)
    send.set_defaults(func=send_sms)
    listing = commands.add_parser("list", help="show SMS received and sent",
                                  description=f"Show the newest {LIMIT} SMS of each direction.")
    direction = listing.add_mutually_exclusive_group()
    direction.add_argument("--in", dest="incoming", action="store_true", help="received only")
    direction.add_argument("--out", dest="outgoing", action="store_true", help="sent only")
    listing.add_argument("--failed", action="store_true", help="only outgoing SMS that failed "
                         "(to send, or to be delivered), and received SMS that were "
                         "quarantined, incomplete or failed")
    add_config_argument(listing)
    listing.set_defaults(func=list_sms)
    retry = commands.add_parser("retry", help="send a failed SMS again",
                                description="Queue a failed outgoing SMS again, at once.")
    retry.add_argument("id", metavar="ID", type=number_argument("an SMS id"),
                       help="the outgoing SMS id (sms list --out)")
    add_config_argument(retry)
    retry.set_defaults(func=retry_sms)


def _with_database(args: argparse.Namespace, work) -> int:
    config = load(config_path(args))
    try:
        open_database(config.gateway.database)
        return work(config)
    except (OSError, DatabaseError, SchemaTooNew) as error:
        print(f"sms: cannot use the database {mask_url_password(config.gateway.database)}: "
              f"{error}", file=sys.stderr)
        return 1
    finally:
        close_database()


def send_sms(args: argparse.Namespace) -> int:
    def work(config) -> int:
        try:
            number = sms_destination(args.number, config.gateway.country)
        except InvalidNumber as error:
            print(f"sms send: {error.reason}: {args.number!r}", file=sys.stderr)
            return 2
        if not args.text.strip():
            print("sms send: the text is empty", file=sys.stderr)
            return 2
        out_id = store.enqueue(config.gateway.box, number, args.text, time.time(),
                               kind="manual")
        print(f"SMS {out_id} to {number} queued; the daemon sends it")
        return 0
    return _with_database(args, work)


def retry_sms(args: argparse.Namespace) -> int:
    def work(config) -> int:
        try:
            row = store.retry(args.id, time.time())
        except (LookupError, ValueError) as error:
            print(f"sms retry: {error}", file=sys.stderr)
            return 1
        print(f"SMS {row.id} to {row.number} queued again")
        return 0
    return _with_database(args, work)


def list_sms(args: argparse.Namespace) -> int:
    def work(config) -> int:
        if not args.outgoing:
            _print_incoming(config.gateway.box, args.failed)
        if not args.incoming:
            if not args.outgoing:
                print()
            _print_outgoing(config.gateway.box, args.failed)
        return 0
    return _with_database(args, work)


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp)) if stamp else "-"


def _print_incoming(box: str, failed: bool) -> None:
    query = SmsCommand.select().where(SmsCommand.box == box)
    if failed:
        query = query.where(SmsCommand.incomplete | (SmsCommand.state == "failed"))
    rows = [("ID", "RECEIVED", "MODEM", "FROM", "STATE", "TEXT", "RESULT")]
    for command in query.order_by(SmsCommand.id.desc()).limit(LIMIT):
        state = command.state + (" (incomplete)" if command.incomplete else "")
        rows.append((str(command.id), _when(command.received_at), command.modem, command.sender,
                     state, _short(command.text), _short(command.result)))
    quarantine = SmsIn.select().where((SmsIn.box == box) & (SmsIn.state == "quarantined"))
    for row in quarantine.order_by(SmsIn.id.desc()).limit(LIMIT):
        rows.append((f"pdu {row.id}", _when(row.received_at), row.modem,
                     _short(row.sender_raw or "?"), "quarantined", _short(row.pdu),
                     _short(row.error or "")))
    print("received:")
    _print_table(rows)


def _print_outgoing(box: str, failed: bool) -> None:
    query = SmsOut.select().where(SmsOut.box == box)
    if failed:
        query = query.where((SmsOut.state == "failed") | (SmsOut.delivery == "failed"))
    rows = [("ID", "QUEUED", "TO", "STATE", "TRIES", "MODEM", "DELIVERY", "TEXT", "REASON")]
    for out in query.order_by(SmsOut.id.desc()).limit(LIMIT):
        # DELIVERY: what the network's status report said ("-": none asked for)
        rows.append((str(out.id), _when(out.created_at), out.number, out.state,
                     str(out.attempts), out.modem or "-", out.delivery or "-", _short(out.text),
                     _short(out.reason or out.delivery_status)))
    print("sent:")
    _print_table(rows)


def _short(text: str, width: int = 40) -> str:
    plain = "".join(char if char.isprintable() else " " for char in text or "")
    return plain if len(plain) <= width else plain[: width - 3] + "..."


def _print_table(rows: list[tuple[str, ...]]) -> None:
    if len(rows) == 1:
        print("  (none)")
        return
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
