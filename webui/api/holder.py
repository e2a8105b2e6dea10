"""The JSON API and the live events stream; authenticated by the session cookie or an
account's API token (`Authorization: Bearer ...`, see webui/auth.py).

Every state-changing request of a cookie session carries the session's CSRF
token in the X-CSRF-Token header (POST /api/login gives it). The password and
the API token are changed only by a cookie session (POST /api/password, POST
and DELETE /api/token), through gateway/actions/users.py like the pages: an API
token never makes itself a new password or a new token. The events
stream sends a follower only the events of sessions of their own account; with
`?session=<id>` (a call's detail page) every event of that one session, which an
admin may follow for any call and a holder for their own.
Caller IDs and call history are in webui/api/callerids.py.
"""
from __future__ import annotations

import json

import bottle

from gateway import users
from gateway.actions import users as user_actions
from gateway.actions.audit import ActionError, Actor
from gateway.money.ledger import Account, Session
from webui import auth
from webui.admin import credit as admin_credit, pages as admin
from webui.api import callerids as holder_api
from webui.holder import calls, detail
from webui.http import COOKIE
from webui.inputs import json_body, json_error, query_number
from webui.live import RETRY_AFTER, LiveStream, StreamRefused


def body() -> dict:
    """Gives the request's JSON object, or answers a JSON 400/413 (webui/inputs.py)."""
    return json_body()


def install(app: bottle.Bottle, web) -> None:
    holder_api.install(app, web, body)
    install_login(app, web)

    @app.post("/api/login")
    def api_login():
        data = body()
        name, password = data.get("name"), data.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name or not password:
            raise json_error(400, "give name and password as strings")
        result = auth.check_login(name[:users.NAME_MAX * 2], password, web.address(), web.now())
        if result.user is None:
            if result.locked_for:
                raise json_error(429, f"too many wrong passwords: locked for "
                                 f"{result.locked_for} s")
            raise json_error(401, "wrong name or password")
        token, session = auth.open_session(result.user, web.address(), web.now())
        web.logged_in(result.user.name)
        web.set_cookie(token)
        return {"csrf_token": session.csrf_token, "admin": result.user.is_admin,
                "expires_at": session.expires_at}

    @app.post("/api/logout")
    def api_logout():
        session = web.login_required(api=True)
        web.check_csrf(session, api=True)
        auth.close_session(bottle.request.get_cookie(COOKIE))
        web.clear_cookie()
        return {"ok": True}

    install_calls(app, web)


def install_calls(app: bottle.Bottle, web) -> None:
    @app.get("/api/account")
    def api_account():
        session = web.holder_required(api=True)
        account = Account.get_by_id(session.user.account_id)
        return {"name": account.name, "balance": account.balance,
                "reserved": account.reserved, "available": account.balance - account.reserved,
                "currency": web.currency, "caller_ids": calls.caller_ids(account.id)}

    @app.post("/api/callbacks")
    def api_start():
        session = web.holder_required(api=True)
        web.check_csrf(session, api=True)
        data = body()
        a, b = data.get("a"), data.get("b")
        if not isinstance(a, str) or not isinstance(b, str):
            raise json_error(400, "give a and b as strings")
        numbers, problems = calls.check_numbers(a, b, web.country)
        if problems:
            return bottle.HTTPResponse(json.dumps({"error": "invalid numbers",
                                                   "fields": problems}), status=400,
                                       headers={"Content-Type": "application/json"})
        try:
            session_id = calls.start(web.calls, web.tracker, session.user.account_id,
                                     numbers["a"], numbers["b"])
        except calls.CallRefused as refusal:
            raise json_error(409, str(refusal)) from None
        bottle.response.status = 201
        return {"id": session_id}

    def own_call(session, session_id: int) -> None:
        if (Session.get_or_none(Session.id == session_id) is None
                or web.tracker.owner(session_id) != session.user.account_id):
            raise json_error(404, "no such call")

    @app.get("/api/callbacks/<session_id:int>")
    def api_call(session_id):
        session = web.holder_required(api=True)
        own_call(session, session_id)
        state = calls.call_state(session_id, web.tracker)
        state["cost_text"] = web.money(state["cost"])
        for leg in state["legs"].values():
            leg["cost_text"] = web.money(leg["cost"]) if leg["cost"] is not None else ""
        return state

    @app.post("/api/callbacks/<session_id:int>/hangup")
    def api_hangup(session_id):
        session = web.holder_required(api=True)
        web.check_csrf(session, api=True)
        own_call(session, session_id)
        hangup = getattr(web.calls, "hangup_session", None)
        if hangup is None:
            raise json_error(501, "this box cannot hang up from the web yet")
        return {"id": session_id, "ended": bool(hangup(session_id))}

    @app.get("/api/modems")
    def api_modems():
        web.admin_required(api=True)
        rows = admin.modem_rows(web.pool, web.now(), web.config.gateway.box,
                                web.config.sms.drain_interval, web.config.sim)
        admin_credit.credit_cell(rows, web.config)
        return {"modems": rows}

    def followed(session) -> int | None:
        """Gives the session id of `?session=` when this login may see that call."""
        if "session" not in bottle.request.query:
            return None
        session_id = query_number("session", low=1)
        if session_id is None:
            raise json_error(400, "session must be a call's id (digits)")
        if detail.visible(web, session, session_id) is None:
            raise json_error(404, "no such call")
        return session_id

    @app.get("/api/events")
    def api_events():
        if "session" in bottle.request.query:
            session = web.login_required(api=True)       # an admin follows any call
        else:
            session = web.holder_required(api=True)
        session_id = followed(session)
        if web.calls is None:
            raise json_error(503, "this box has no call service running")
        try:
            events = LiveStream(web, session.user.id, session.user.account_id,
                                bottle.request.environ.get("callbox.client_gone"),
                                session_id=session_id)
        except StreamRefused as refusal:
            raise bottle.HTTPResponse(json.dumps({"error": refusal.reason}),
                                      status=refusal.status,
                                      headers={"Content-Type": "application/json",
                                               "Retry-After": str(RETRY_AFTER)}) from None
        bottle.response.content_type = "text/event-stream"
        bottle.response.set_header("Cache-Control", "no-store")
        bottle.response.set_header("X-Accel-Buffering", "no")
        return events


def install_login(app: bottle.Bottle, web) -> None:
    """The login's own changes: a new password, an API token issued or revoked."""

    def cookie_session():
        session = web.login_required(api=True)
        if getattr(session, "by_token", False):
            raise json_error(403, "an API token cannot change the password or the token: "
                             "log in with POST /api/login")
        web.check_csrf(session, api=True)
        return session

    def actor(session) -> Actor:
        return web.actor(session, "api")

    @app.post("/api/password")
    def api_password():
        session = cookie_session()
        data = body()
        current, new = data.get("current"), data.get("new")
        if not isinstance(current, str) or not isinstance(new, str):
            raise json_error(400, "give current and new as strings")
        try:
            revoked = user_actions.change_password(actor(session), session.user.id, new,
                                                   web.now(), current=current)
        except ActionError as error:
            # the action's "password" is this body's "new"; "current" is the same
            field = "current" if error.field == "current" else "new"
            raise json_error(400, str(error), {field: str(error)}) from None
        # Every session of the login ended, this one too: the client gets a fresh one.
        token, fresh = auth.open_session(session.user, web.address(), web.now())
        web.set_cookie(token)
        return {"token_revoked": revoked, "csrf_token": fresh.csrf_token,
                "expires_at": fresh.expires_at}

    @app.post("/api/token")
    def api_token_issue():
        session = cookie_session()
        web.holder_required(api=True)
        try:
            token = user_actions.issue_api_token(actor(session), session.user.id, web.now())
        except ActionError as error:
            raise json_error(403, str(error)) from None
        bottle.response.status = 201
        return {"token": token}

    @app.delete("/api/token")
    def api_token_revoke():
        session = cookie_session()
        return {"revoked": user_actions.revoke_api_token(actor(session), session.user.id,
                                                         web.now())}
