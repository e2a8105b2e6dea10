"""The admins' JSON API under /api/admin/: accounts, the audit records and rates here, the
box's calls, SMS, system facts and modems in webui/api/box.py.

It does what the admin pages do, through the same functions (webui/admin/ and the
actions of gateway/actions/), so a request is checked exactly as the form would be,
and its audit record says "api".
Every route is for a logged-in admin (401 without a session, 403 for an
account holder and for any API token); every POST and DELETE carries the
session's CSRF token in X-CSRF-Token. Money is integer minor units in
answers; amounts are sent as text in major units ("12.50"), as typed on the
pages. A refused value gives 400 {"error": ..., "fields": {field: why}}.
"""
from __future__ import annotations

import bottle

from gateway.actions import accounts as account_actions, callerids, rates as rate_actions
from gateway.actions.audit import ActionError, Actor
from gateway.money.ledger import Account, CallerId
from webui.admin import (accounts as admin_accounts, audit as admin_audit, pages as admin,
                         rates as admin_rates)
from webui.admin.common import page_of, query_text
from webui.api.common import answer, flag, invalid, page_json, posted, texts
from webui.holder.calls import caller_ids
from webui.inputs import json_body, json_error


def refused(refusal: ActionError) -> bottle.HTTPResponse:
    """Gives the 400 answer of a refused action, naming its field."""
    return invalid({refusal.field or "error": str(refusal)})


def account_json(account: Account, caller_ids: list[str]) -> dict:
    return {"id": account.id, "number": account.number, "name": account.name,
            "balance": account.balance, "reserved": account.reserved,
            "locked": bool(account.locked),
            "max_concurrent_sessions": account.max_concurrent_sessions,
            "language": account.language, "caller_ids": caller_ids}


def install(app: bottle.Bottle, web) -> None:
    def account_or_404(account_id: int) -> Account:
        account = Account.get_or_none(Account.id == account_id)
        if account is None:
            raise json_error(404, "no such account")
        return account

    def one_account(account_id: int) -> dict:
        return account_json(Account.get_by_id(account_id),
                            caller_ids(account_id))

    @app.get("/api/admin/accounts")
    def api_accounts():
        web.admin_required(api=True)
        numbers: dict[int, list[str]] = {}
        for row in CallerId.select().order_by(CallerId.id):
            numbers.setdefault(row.account_id, []).append(row.number)
        return {"accounts": [account_json(account, numbers.get(account.id, []))
                             for account in admin.account_rows()]}

    def actor(session) -> Actor:
        return web.actor(session, "api")

    @app.post("/api/admin/accounts")
    def api_account_create():
        session = posted(web)
        data = json_body()
        values = texts(data, ("name", "pin", "balance", "password"))
        password = values.pop("password")
        values = {key: value.strip()[:200] for key, value in values.items()}
        account, errors = admin.create_account(values, password, web.now(), actor(session),
                                               web.config.callback.max_concurrent_sessions)
        if errors:
            raise invalid(errors)
        bottle.response.status = 201
        return one_account(account.id)

    @app.post("/api/admin/accounts/<account_id:int>/topup")
    def api_account_topup(account_id):
        session = posted(web)
        account_or_404(account_id)
        values = texts(json_body(), ("amount", "note"))
        try:
            amount = admin.topup_amount(values["amount"])
        except ValueError as error:
            raise invalid({"amount": str(error)}) from None
        account_actions.top_up(actor(session), account_id, amount, web.now(),
                               note=values["note"])
        return {**one_account(account_id), "amount": amount}

    @app.post("/api/admin/accounts/<account_id:int>/debit")
    def api_account_debit(account_id):
        session = posted(web)
        account_or_404(account_id)
        values = texts(json_body(), ("amount", "reason"))
        reason = values["reason"].strip()[:200]
        try:
            amount = admin_accounts.debit_account(actor(session), account_id, values["amount"],
                                                  reason, web.now())
        except ActionError as refusal:
            raise refused(refusal) from None
        return {**one_account(account_id), "amount": -amount, "reason": reason}

    @app.post("/api/admin/accounts/<account_id:int>/pin")
    def api_account_pin(account_id):
        session = posted(web)
        account_or_404(account_id)
        try:
            account_actions.set_pin(actor(session), account_id,
                                    texts(json_body(), ("pin",))["pin"], web.now())
        except ActionError as refusal:
            raise refused(refusal) from None
        return {**one_account(account_id), "pin_changed": True}

    @app.post("/api/admin/accounts/<account_id:int>/sessions")
    def api_account_sessions(account_id):
        session = posted(web)
        account_or_404(account_id)
        data = json_body()
        value = data.get("max_concurrent_sessions")
        text = (str(value) if isinstance(value, int) and not isinstance(value, bool)
                else texts(data, ("max_concurrent_sessions",))["max_concurrent_sessions"])
        try:
            account_actions.set_max_sessions(actor(session), account_id,
                                             admin_accounts.parse_sessions(text), web.now())
        except ActionError as refusal:
            raise refused(refusal) from None
        return one_account(account_id)

    @app.post("/api/admin/accounts/<account_id:int>/language")
    def api_account_language(account_id):
        session = posted(web)
        account_or_404(account_id)
        value = json_body().get("language")
        if value is not None and not isinstance(value, str):
            raise invalid({"language": "a language code like \"de\", or null for the "
                                       "caller's number to decide"})
        try:
            account_actions.set_language(actor(session), account_id, value, web.now())
        except ActionError as refusal:
            raise refused(refusal) from None
        return one_account(account_id)

    def lock_route(account_id: int, locked: bool) -> dict:
        session = posted(web)
        account_or_404(account_id)
        account_actions.set_locked(actor(session), account_id, locked, web.now())
        return one_account(account_id)

    @app.post("/api/admin/accounts/<account_id:int>/lock")
    def api_account_lock(account_id):
        return lock_route(account_id, True)

    @app.post("/api/admin/accounts/<account_id:int>/unlock")
    def api_account_unlock(account_id):
        return lock_route(account_id, False)

    @app.post("/api/admin/accounts/<account_id:int>/callerids")
    def api_account_callerid_add(account_id):
        session = posted(web)
        account_or_404(account_id)
        text = texts(json_body(), ("number",))["number"].strip()[:40]
        try:
            number = admin_accounts.authorize_number(actor(session), account_id, text,
                                                     web.country, web.now())
        except ActionError as refusal:
            raise refused(refusal) from None
        bottle.response.status = 201
        return {"number": number, "authorized": True}

    @app.delete("/api/admin/accounts/<account_id:int>/callerids")
    def api_account_callerid_remove(account_id):
        session = posted(web)
        account_or_404(account_id)
        number = texts(json_body(), ("number",))["number"].strip()[:40]
        try:
            callerids.remove(actor(session), account_id, number, web.now())
        except callerids.NotAuthorized:
            raise json_error(404, f"{number} is not a caller ID of this account (give it "
                             "in E.164)") from None
        return {"number": number, "removed": True}

    @app.get("/api/admin/audit")
    def api_audit():
        web.admin_required(api=True)
        try:
            records, _, _ = admin_audit.filtered()
        except admin_audit.UnknownAccount as error:
            raise invalid({"account": str(error)}) from None
        return page_json(records, "records", [admin_audit.record_json(row)
                                              for row in records.rows])

    install_rates(app, web)


def install_rates(app: bottle.Bottle, web) -> None:
    @app.get("/api/admin/rates")
    def api_rates():
        web.admin_required(api=True)
        rates = page_of(admin_rates.rates_query(query_text("q")))
        return page_json(rates, "rates", [
            {"prefix": rate.prefix, "description": rate.description,
             "price_per_minute": rate.price_per_minute, "connect_fee": rate.connect_fee,
             "initial_increment": rate.initial_increment, "increment": rate.increment}
            for rate in rates.rows])

    @app.post("/api/admin/rates")
    def api_rates_import():
        session = posted(web)
        data = rates_body()
        text = data.get("csv")
        if not isinstance(text, str):
            raise invalid({"csv": "give csv as the text of a rates file"})
        if len(text.encode()) > admin_rates.MAX_UPLOAD:
            raise invalid({"csv": f"the file is over {admin_rates.MAX_UPLOAD // 1024 // 1024}"
                           " MB"})
        replace = flag(data, "replace")
        try:
            stored, removed = rate_actions.import_rates(web.actor(session, "api"),
                                                        text.lstrip("\ufeff"), replace, web.now())
        except rate_actions.BadRateLines as error:
            raise answer(400, {"error": str(error),
                               "lines": [{"line": number, "error": why}
                                         for number, why in error.lines]}) from None
        except rate_actions.NoRates as error:
            raise invalid({"csv": str(error)}) from None
        return {"stored": stored, "removed": removed}


def rates_body() -> dict:
    """Gives the JSON object of a rates import, which may be larger than other bodies."""
    # A world rate table is larger than other bodies; the limit leaves room for JSON's
    # escaping of a file of MAX_UPLOAD bytes.
    return json_body(2 * admin_rates.MAX_UPLOAD)
