"""The JSON API of the holder's caller IDs and call history (installed by webui/api/holder.py)."""
from __future__ import annotations

import json

import bottle

from gateway.inputs import page_number
from webui.holder import callerids, calls
from webui.holder.settings import PAGE_LENGTH, PAGE_MOST
from webui.inputs import json_error, json_id


def _refused(refusal: callerids.CallerIdError) -> bottle.HTTPResponse:
    return bottle.HTTPResponse(json.dumps({"error": str(refusal),
                                           "fields": {refusal.field: str(refusal)}}),
                               status=refusal.status, headers={"Content-Type": "application/json"})


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise json_error(400, f"give {key} as a string")
    return value


def install(app: bottle.Bottle, web, body) -> None:
    """Adds the routes; `body()` gives the request's JSON object (or answers 400)."""

    def codes(account_id: int) -> list[dict]:
        return [{"code_id": row.id, "number": row.number, "expires_at": row.expires_at,
                 "tries": row.tries} for row in callerids.pending(account_id, web.now())]

    @app.get("/api/callerids")
    def api_callerids():
        session = web.holder_required(api=True)
        account_id = session.user.account_id
        return {"caller_ids": callerids.listed(account_id), "pending": codes(account_id)}

    @app.post("/api/callerids")
    def api_callerid_add():
        session = web.holder_required(api=True)
        web.check_csrf(session, api=True)
        number = _text(body(), "number")
        try:
            sent = callerids.request_code(session.user.account_id, number, web.country,
                                          web.config.gateway.box, web.now())
        except callerids.CallerIdError as refusal:
            raise _refused(refusal) from None
        bottle.response.status = 202
        return {"code_id": sent.code_id, "number": sent.number, "expires_at": sent.expires_at}

    @app.post("/api/callerids/verify")
    def api_callerid_verify():
        session = web.holder_required(api=True)
        web.check_csrf(session, api=True)
        data = body()
        code_id = json_id(data, "code_id")     # a number from POST /api/callerids
        try:
            number = callerids.confirm(session.user.account_id, code_id, _text(data, "code"),
                                       web.now(), web.actor(session, "api"))
        except callerids.CallerIdError as refusal:
            raise _refused(refusal) from None
        return {"number": number, "authorized": True}

    @app.delete("/api/callerids")
    def api_callerid_remove():
        session = web.holder_required(api=True)
        web.check_csrf(session, api=True)
        number = _text(body(), "number").strip()[:40]
        if not callerids.remove(session.user.account_id, number, web.now(),
                                web.actor(session, "api")):
            raise json_error(404, f"{number} is not one of your caller IDs (give it in E.164)")
        return {"number": number, "removed": True}

    @app.get("/api/calls")
    def api_calls():
        session = web.holder_required(api=True)
        account_id = session.user.account_id
        page = page_number(bottle.request.query.get("page"), most=PAGE_MOST)
        total = calls.history_count(account_id)
        rows = calls.history(account_id, PAGE_LENGTH, (page - 1) * PAGE_LENGTH)
        return {"page": page, "pages": max(1, (total + PAGE_LENGTH - 1) // PAGE_LENGTH),
                "total": total, "calls": [
                    {"id": item["session"].id, "kind": item["session"].kind,
                     "state": item["session"].state, "started_at": item["session"].started_at,
                     "ended_at": item["session"].ended_at, "cost": item["cost"],
                     "cost_text": web.money(item["cost"]),
                     "legs": [calls.leg_row(cdr) for cdr in item["legs"]]}
                    for item in rows]}
