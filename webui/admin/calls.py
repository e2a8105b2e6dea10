"""Admin calls page: sessions running now (refreshed live) and the call history,
one row per leg, with filters, pages and a CSV export of what the filters select."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import bottle
from peewee import JOIN

from gateway.inputs import row_id, whole_number
from gateway.money.billing import format_money
from gateway.money.ledger import Account, Cdr, Session
from webui import gateway_texts
from webui.admin.common import page_link, page_of, parse_day, query_text, when
from webui.holder import calls

DAY = 24 * 3600
STATUSES = ("answered", "not answered", "running")
CSV_COLUMNS = ("session", "account", "leg", "number", "modem", "start", "answer", "end",
               "duration", "rate_prefix", "cost", "cause")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_filters() -> tuple[dict, dict]:
    """Gives (the filters as typed, problems by field) from the query string."""
    values = {name: query_text(name, 40) for name in ("account", "number", "from", "to",
                                                       "status")}
    problems = {}
    if values["account"] and row_id(values["account"]) is None:
        problems["account"] = "pick an account from the list"
    for name in ("from", "to"):
        if values[name]:
            try:
                parse_day(values[name])
            except ValueError as error:
                problems[name] = f"enter {error}"
    if values["status"] and values["status"] not in STATUSES:
        problems["status"] = "pick a status from the list"
    return values, problems


def legs_query(filters: dict):
    """Gives the legs the filters select, newest first, with session and account joined."""
    query = (Cdr.select(Cdr, Account.name.alias("account_name"))
             .join(Account, JOIN.LEFT_OUTER, on=(Cdr.account == Account.id))
             .order_by(Cdr.started_at.desc(), Cdr.id.desc()))
    if filters["account"]:
        query = query.where(Cdr.account == row_id(filters["account"]))
    if filters["number"]:
        query = query.where(Cdr.number.contains(filters["number"]))
    if filters["from"]:
        query = query.where(Cdr.started_at >= parse_day(filters["from"]))
    if filters["to"]:
        query = query.where(Cdr.started_at < parse_day(filters["to"]) + DAY)
    status = filters["status"]
    if status == "answered":
        query = query.where(Cdr.answered_at.is_null(False) & Cdr.ended_at.is_null(False))
    elif status == "not answered":
        query = query.where(Cdr.answered_at.is_null())
    elif status == "running":
        query = query.where(Cdr.ended_at.is_null())
    return query.objects()


def duration(leg: Cdr) -> int:
    """Gives a leg's talk time in whole seconds (0 when not answered or not ended)."""
    if leg.answered_at is None or leg.ended_at is None:
        return 0
    return max(0, round(leg.ended_at - leg.answered_at))


def leg_cells(leg: Cdr) -> tuple:
    """Gives one CSV row: the columns of CSV_COLUMNS."""
    return (leg.session_id or "", leg.account_name or "", leg.role, leg.number, leg.modem,
            when(leg.started_at), when(leg.answered_at), when(leg.ended_at), duration(leg),
            leg.rate_prefix or "", format_money(leg.cost, "").strip(), leg.cause)


def spreadsheet_safe(cell) -> str:
    """Gives a cell a spreadsheet will not run as a formula; E.164 numbers stay as they are."""
    text = str(cell)
    if text.startswith(_FORMULA_START) and whole_number(text[1:].replace(".", "")) is None:
        return "'" + text
    return text


def running_sessions(tracker) -> list[dict]:
    """Gives every running session with its account and the live state of its legs."""
    rows = []
    query = (Session.select(Session, Account.name.alias("account_name"))
             .join(Account, JOIN.LEFT_OUTER, on=(Session.account == Account.id))
             .where(Session.state == "running").order_by(Session.started_at).objects())
    for session in query:
        state = calls.call_state(session.id, tracker)
        rows.append({"id": session.id, "box": session.box, "kind": session.kind,
                     "number": session.number, "account": session.account_name or "",
                     "started_at": session.started_at, "started": when(session.started_at),
                     "legs": {leg: {key: value[key] for key in ("number", "state", "seconds")}
                              for leg, value in state["legs"].items()}})
    return rows


def install(app: bottle.Bottle, web) -> None:
    @app.get("/admin/calls")
    def calls_page():
        session = web.admin_required()
        filters, problems = read_filters()
        query = legs_query({key: "" for key in filters} if problems else filters)
        bottle.response.status = 400 if problems else 200
        export = "/admin/calls.csv?" + urlencode({key: value for key, value in filters.items()
                                                  if value})
        return web.render("admin_calls", session, live=running_sessions(web.tracker),
                          legs=page_of(query), filters=filters,
                          problems=gateway_texts.translate_fields(problems),
                          accounts=list(Account.select(Account.id, Account.name)
                                        .order_by(Account.name)),
                          statuses=STATUSES, link=page_link, duration=duration,
                          export=export)

    @app.get("/admin/calls.csv")
    def calls_csv():
        web.admin_required()
        filters, problems = read_filters()
        if problems:
            bottle.abort(400, "; ".join(f"{key}: {text}" for key, text in problems.items()))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for leg in legs_query(filters).iterator():
            writer.writerow([spreadsheet_safe(cell) for cell in leg_cells(leg)])
        bottle.response.content_type = "text/csv; charset=utf-8"
        bottle.response.set_header("Content-Disposition", 'attachment; filename="calls.csv"')
        return buffer.getvalue()

    @app.get("/admin/calls/live")
    def calls_live():
        web.admin_required(api=True)
        return {"sessions": running_sessions(web.tracker), "now": web.now()}
