"""Requests for one modem of the running daemon, through the database (`modem_request`).

The daemon holds the serial ports, so `callbox sim balance`, `callbox ussd` and
the web's "Check credit" do not talk to a modem: they queue a request here and
the daemon's `sim-care` worker (gateway/care/simcare.py) serves it, within
about a second, and writes the answer back. A request nobody served within
EXPIRE_AFTER seconds (the box was stopped, the asker gave up) is never run
later: the asker has gone, and a USSD code sent minutes late may do harm.
"""
from __future__ import annotations

from gateway.care.models import ModemRequest
from gateway.store.prepared import Param, Prepared

KINDS = ("balance", "ussd", "ussd-reply", "voicetest")
EXPIRE_AFTER = 60.0         # seconds a queued request waits for the daemon at most
FINISHED = ("done", "failed", "expired")
ANSWER_LIMIT = 8000         # characters of an answer kept (a voice test's progress and figures)


def queue_request(box: str, kind: str, modem: str, text: str, now: float) -> int:
    """Queues a request; gives its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    return ModemRequest.create(box=box, kind=kind, modem=modem, text=text,
                               created_at=now).id


def get(request_id: int) -> ModemRequest | None:
    return ModemRequest.get_or_none(ModemRequest.id == request_id)


def give_up(request_id: int, now: float) -> bool:
    """Withdraws a request still queued (its asker stops waiting); False when it runs or
    ran already."""
    return ModemRequest.update(state="expired", done_at=now,
                               error="the asker stopped waiting").where(
        (ModemRequest.id == request_id) & (ModemRequest.state == "queued")).execute() == 1


def any_queued(box: str) -> bool:
    """The worker's cheap look, every second: one indexed query."""
    return _ANY_QUEUED.first(box=box) is not None


_ANY_QUEUED = Prepared(lambda: ModemRequest.select(ModemRequest.id).where(
    (ModemRequest.box == Param("box")) & (ModemRequest.state == "queued")).limit(1).tuples())


def take_next(box: str, now: float) -> ModemRequest | None:
    """Claims the oldest queued request (expiring those too old to run); None when none."""
    ModemRequest.update(state="expired", done_at=now,
                        error="the box did not serve it in time").where(
        (ModemRequest.box == box) & (ModemRequest.state == "queued")
        & (ModemRequest.created_at < now - EXPIRE_AFTER)).execute()
    while True:
        row = (ModemRequest.select().where((ModemRequest.box == box)
                                           & (ModemRequest.state == "queued"))
               .order_by(ModemRequest.id).first())
        if row is None:
            return None
        claimed = ModemRequest.update(state="running").where(
            (ModemRequest.id == row.id) & (ModemRequest.state == "queued")).execute()
        if claimed:
            return row


def finish(request_id: int, now: float, *, answer: str = "", error: str = "",
           ussd_status: int | None = None, amount_minor: int | None = None) -> None:
    """Writes a request's outcome: done with its answer, or failed with the error."""
    ModemRequest.update(state="failed" if error else "done", answer=answer[:ANSWER_LIMIT],
                        error=error[:500], ussd_status=ussd_status,
                        amount_minor=amount_minor, done_at=now).where(
        ModemRequest.id == request_id).execute()


def tell_progress(request_id: int, answer: str) -> None:
    """Writes what a running request has to say so far (a voice test's progress)."""
    ModemRequest.update(answer=answer[:ANSWER_LIMIT]).where(
        (ModemRequest.id == request_id) & (ModemRequest.state == "running")).execute()


def recent(box: str, modem: str, limit: int = 10, kind: str | None = None
           ) -> list[ModemRequest]:
    """Gives a modem's newest requests (of `kind`, if given) first (the web shows what it
    asked)."""
    where = (ModemRequest.box == box) & (ModemRequest.modem == modem)
    if kind is not None:
        where &= ModemRequest.kind == kind
    return list(ModemRequest.select().where(where).order_by(ModemRequest.id.desc())
                .limit(limit))


def interrupted(box: str, now: float) -> int:
    """Fails what a stopped daemon was serving (at start: nobody serves it any more)."""
    return ModemRequest.update(state="failed", done_at=now,
                               error="the box stopped while serving it").where(
        (ModemRequest.box == box) & (ModemRequest.state == "running")).execute()
