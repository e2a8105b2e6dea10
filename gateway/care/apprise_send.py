"""Sends messages to apprise URLs: run as a process of its own by gateway/care/send.py.

One request per line on stdin, one answer per line on stdout:

    {"title": ..., "body": ..., "urls": [...]}
    -> [{"url": "mailto://...(secrets masked)", "ok": true, "error": ""}, ...]

apprise loads every one of its ~190 notification plugins on first use (about
35 MB and a second of CPU on a Pi); in this process the daemon never carries
them, and the process stays for IDLE seconds after its last request, so a
burst of alerts pays the start once. It ends at EOF too. Each URL is sent on
its own, so the answer says which one failed and why (apprise's own log lines
of that send), never repeating a password or a token. It imports nothing of
callbox (run by path: the package's start would cost more than the send).
"""
from __future__ import annotations

import json
import logging
import select
import sys

import apprise

IDLE = 60.0                # seconds without a request before the process ends
ERROR_LINES = 3            # of apprise's log, per failed URL


def scheme_only(url: str, number: int) -> str:
    """Gives a URL apprise could not read, without anything after its scheme."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://... (URL {number})"


def send_one(url: str, number: int, title: str, body: str) -> dict:
    """Gives the outcome of sending the message to one URL."""
    notifier = apprise.Apprise(asset=apprise.AppriseAsset(storage_mode="memory"))
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        if not notifier.add(url):
            return {"url": scheme_only(url, number), "ok": False,
                    "error": "not a URL apprise knows (check its scheme and form)"}
        shown = next(iter(notifier)).url(privacy=True).split("?", 1)[0]
        # plain text as written: a mail keeps its lines (HTML-only services get <br>)
        ok = bool(notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))
        lines = [line for line in captured.getvalue().splitlines() if line.strip()]
    error = "" if ok else "; ".join(lines[-ERROR_LINES:]) or "apprise gave no reason"
    return {"url": shown, "ok": ok, "error": error}


def main() -> int:
    # apprise's own lines go to each send's capture only: nothing else may fill the stderr
    # pipe, which the sender reads only once this process has ended
    logging.getLogger("apprise").addHandler(logging.NullHandler())
    while select.select([sys.stdin], [], [], IDLE)[0]:
        line = sys.stdin.readline()
        if not line:
            break                                  # EOF: the sender is done with us
        request = json.loads(line)
        outcomes = [send_one(url, number, request["title"], request["body"])
                    for number, url in enumerate(request["urls"], start=1)]
        sys.stdout.write(json.dumps(outcomes) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
