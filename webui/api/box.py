"""The admins' JSON API of the box itself: call history and running calls, SMS, system
facts, and the modems' AT console, reset and SIM credit (installed by webui/api/admin.py, whose
rules hold here too)."""
from __future__ import annotations

import bottle
from playhouse.shortcuts import model_to_dict

from gateway.sms import store as sms_store
from gateway.care import requests as modem_requests
from webui.admin import (calls as admin_calls, credit as admin_credit, pages as admin,
                         sms as admin_sms, system as admin_system,
                         voicetests as admin_voicetests)
from webui.admin.common import Refused, page_of, query_text
from webui.admin.console import ExpertNeeded, send_command
from webui.api.common import answer, flag, invalid, optional_body, page_json, posted, texts
from webui.inputs import json_body, json_error, query_number


def leg_json(leg) -> dict:
    return {"id": leg.id, "session": leg.session_id, "account": leg.account_id,
            "account_name": leg.account_name or "", "role": leg.role,
            "direction": leg.direction, "number": leg.number, "modem": leg.modem,
            "started_at": leg.started_at, "answered_at": leg.answered_at,
            "ended_at": leg.ended_at, "seconds": admin_calls.duration(leg),
            "billed_seconds": leg.billed_seconds, "cost": leg.cost,
            "rate_prefix": leg.rate_prefix, "cause": leg.cause}


def refused(refusal: Refused, field: str) -> bottle.HTTPResponse:
    """Gives the answer to a refused modem action: 400 names the field; a 409 that the
    admin may override says so with "confirm": true, or for an AT command that is not a
    read-only query with "expert": true (and "undoes_setup")."""
    if refusal.status == 400:
        return invalid({field: str(refusal)})
    payload = {"error": str(refusal)}
    if refusal.confirm:
        payload["confirm"] = True
    if isinstance(refusal, ExpertNeeded):
        payload.update(expert=True, undoes_setup=refusal.setup)
    return answer(refusal.status, payload)


def install(app: bottle.Bottle, web) -> None:
    box = web.config.gateway.box

    @app.get("/api/admin/calls")
    def api_calls():
        web.admin_required(api=True)
        filters, problems = admin_calls.read_filters()
        if problems:
            raise invalid(problems, "invalid filters")
        legs = page_of(admin_calls.legs_query(filters))
        return page_json(legs, "legs", [leg_json(leg) for leg in legs.rows])

    @app.get("/api/admin/calls/running")
    def api_calls_running():
        web.admin_required(api=True)
        return {"sessions": admin_calls.running_sessions(web.tracker), "now": web.now()}

    @app.get("/api/admin/sms")
    def api_sms():
        web.admin_required(api=True)
        direction = query_text("direction", 20) or "in"
        if direction not in admin_sms.VIEWS:
            raise invalid({"direction": "give in, out or quarantine"})
        rows = page_of(admin_sms.rows_of(direction, box))
        return {"direction": direction, **page_json(rows, "messages", [
            model_to_dict(row, recurse=False) for row in rows.rows])}

    @app.post("/api/admin/sms/<out_id:int>/retry")
    def api_sms_retry(out_id):
        posted(web)
        try:
            row = sms_store.retry(out_id, web.now())
        except LookupError as error:
            raise json_error(404, str(error)) from None
        except ValueError as error:
            raise json_error(409, str(error)) from None
        return model_to_dict(row, recurse=False)

    @app.get("/api/admin/system")
    def api_system():
        web.admin_required(api=True)
        return {"facts": dict(admin_system.facts(web)),
                "log": [{"at": line.at, "modem": line.modem, "kind": line.kind,
                         "message": line.message} for line in admin_system.log_tail(box)]}

    def known_modem(name: str) -> str:
        if web.pool is None or name not in [status.name for status in web.pool.status()]:
            raise json_error(404, "no such modem")
        return name

    @app.post("/api/admin/modems/<name>/at")
    def api_modem_at(name):
        posted(web)
        modem = known_modem(name)
        data = json_body()
        values = texts(data, ("command", "expert"))
        line = values["command"].strip(" ")
        confirmed = flag(data, "confirm")
        try:
            # "expert" confirms a command that is not a read-only query: it repeats the command
            lines = send_command(web.pool, app.console_feed, modem, line, confirmed, web.now(),
                                 expert=values["expert"].strip(" "))
        except Refused as refusal:
            raise refused(refusal, "command") from None
        return {"modem": modem, "command": line, "answer": lines}

    @app.post("/api/admin/modems/<name>/reset")
    def api_modem_reset(name):
        posted(web)
        modem = known_modem(name)
        try:
            admin.reset_modem(web.pool, modem, flag(optional_body(), "confirm"))
        except Refused as refusal:
            raise refused(refusal, "confirm") from None
        return {"modem": modem, "reset": True}

    def asked_request() -> int | None:
        """Gives the ?request= id a follow-up asks about, or None; a bad one is a 400."""
        asked = query_number("request", 1)
        if asked is None and query_text("request", 20):
            raise invalid({"request": "a request id is a whole number in digits 0-9"})
        return asked

    @app.post("/api/admin/modems/<name>/balance")
    def api_modem_balance_ask(name):
        posted(web)
        modem = known_modem(name)
        try:
            request_id = admin_credit.ask_credit(web.pool, web.config, modem, web.now())
        except Refused as refusal:
            raise refused(refusal, "modem") from None
        bottle.response.status = 202
        return {"modem": modem, "request": request_id, "state": "queued",
                "follow": f"/api/admin/modems/{modem}/balance?request={request_id}"}

    @app.get("/api/admin/modems/<name>/balance")
    def api_modem_balance(name):
        web.admin_required(api=True)
        modem = known_modem(name)
        asked = asked_request()
        iccid, _ = admin_credit.sim_of(web.pool, web.config, modem)
        return admin_credit.balance_json(web.config, modem, iccid, asked)

    @app.post("/api/admin/modems/<name>/voicetest")
    def api_modem_voicetest_ask(name):
        posted(web)
        modem = known_modem(name)
        number = texts(json_body(), ("number",))["number"][:40]
        try:
            request_id, e164 = admin_voicetests.ask_voicetest(web.pool, web.config, modem,
                                                              number, web.now())
        except Refused as refusal:
            raise refused(refusal, "number") from None
        bottle.response.status = 202
        return {"modem": modem, "number": e164, "request": request_id, "state": "queued",
                "follow": f"/api/admin/modems/{modem}/voicetest?request={request_id}"}

    @app.get("/api/admin/modems/<name>/voicetest")
    def api_modem_voicetest(name):
        web.admin_required(api=True)
        modem = known_modem(name)
        asked = asked_request()
        rows = modem_requests.recent(box, modem, limit=10, kind="voicetest")
        payload = {"modem": modem,
                   "recent": [admin_voicetests.request_json(row) for row in rows]}
        if asked is not None:
            row = modem_requests.get(asked)
            payload["request"] = admin_voicetests.request_json(row) if (
                row is not None and row.modem == modem and row.kind == "voicetest"
                and row.box == box) else None
        return payload
