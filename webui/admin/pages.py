"""Admin pages: the landing page, modems (refreshed live, with a reset), accounts with create
and top-up.

The other admin pages have modules of their own in webui/admin/: start.py (the
first-run page), accounts.py (one account), rates.py, calls.py, sms.py, system.py,
audit.py and console.py (the AT console). Creating an account and a top-up are actions of
gateway/actions/accounts.py (one transaction each, with the audit record).
"""
from __future__ import annotations

from decimal import Decimal
import math
import re
import time

import bottle
from peewee import JOIN, fn

from gateway import users
from gateway.actions import accounts as account_actions, users as user_actions
from gateway.actions.audit import ActionError, Actor
from gateway.care.usage import usages_of
from gateway.money import accounts
from gateway.money.billing import MINOR_DIGITS
from gateway.money.ledger import Account, CallerId, Cdr
from gateway.sms import health as sms_health
from gateway.store.db import db
from webui import gateway_texts, i18n
from webui.admin import credit as admin_credit, start as first_run, voicetests as admin_voicetests
from webui.admin.common import Refused, local_midnight, when

LARGEST_AMOUNT = 10 ** 9          # minor units; beyond this an amount is a typing mistake
_AMOUNT = re.compile(r"-?[0-9]{1,10}([.,][0-9]{1,2})?")


def parse_amount(text: str) -> int:
    """Gives minor units for an amount typed in major units; ValueError says what is wrong."""
    text = (text or "").strip()
    if not _AMOUNT.fullmatch(text):
        raise ValueError("enter an amount like 10 or 12.50")
    minor = int(Decimal(text.replace(",", ".")).scaleb(MINOR_DIGITS))
    if abs(minor) > LARGEST_AMOUNT:
        raise ValueError("that amount is too large")
    return minor


def talk_seconds_today(now: float, box: str | None = None) -> dict[str, float]:
    """Gives each modem's talk time since local midnight (legs answered today; a leg
    still talking counts up to now), of one box or of every box."""
    talk = fn.SUM(fn.COALESCE(Cdr.ended_at, now) - Cdr.answered_at)
    query = (Cdr.select(Cdr.modem, talk.alias("seconds"))
             .where(Cdr.answered_at >= local_midnight(now)).group_by(Cdr.modem))
    if box is not None:
        query = query.where(Cdr.box == box)
    return {row.modem: row.seconds or 0 for row in query.objects()}


def modem_rows(pool, now: float | None = None, box: str | None = None,
               sms_drain_interval: float | None = None, sim=None, when=when) -> list[dict]:
    """Gives what the modems page shows of each modem, plain values only. `sms` is the
    modem's SMS health (gateway/sms/health.py) when `box` is given and its SIM was read;
    `sim_usage` its SIM's use against its limits (`sim`: Config.sim) once its ICCID is
    known (gateway/care/usage.py). `when` writes times: the JSON API's house form unless
    a page gives its language's."""
    talk = talk_seconds_today(now or time.time(), box) if pool is not None else {}
    sms = sms_health.describe_all(box, now or time.time(), sms_drain_interval) \
        if pool is not None and box is not None else {}
    statuses = pool.status() if pool is not None else []
    usages = _sim_usages(statuses, sim, now)
    rows = []
    for status in statuses:
        identity, health = status.identity, status.health
        rows.append({
            "name": status.name, "state": status.state, "reason": status.reason,
            "vendor": " ".join(part for part in (getattr(identity, "manufacturer", None),
                                                 getattr(identity, "model", None)) if part),
            "operator": getattr(health, "operator", None) or "",
            "bars": getattr(health, "bars", 0) if health else 0,
            "dbm": getattr(health, "dbm", None) if health else None,
            "registration": getattr(health, "registration", "") if health else "",
            "sim_state": getattr(health, "sim_state", "") if health else "",
            "iccid": getattr(health, "iccid", None) or "",
            "roles": sorted(status.roles), "group": status.group or "",
            "in_call": bool(status.in_call),
            "minutes_today": math.ceil(talk.get(status.name, 0) / 60),
            "sms": vars(sms[status.name]) if status.name in sms else None,
            "recovery": recovery_cell(status, when),
            "sim_usage": usages.get(getattr(health, "iccid", None))})
    return rows


def _sim_usages(statuses, sim, now: float | None) -> dict[str, dict]:
    """Gives each known SIM's use against its limits, by ICCID, read at once."""
    iccids = {getattr(status.health, "iccid", None) for status in statuses} - {None, ""}
    if sim is None or not iccids:
        return {}
    found = usages_of({iccid: sim(iccid) for iccid in iccids}, now or time.time())
    return {iccid: usage.as_dict() for iccid, usage in found.items()}


def recovery_cell(status, when=when) -> dict | None:
    """Gives the modem's last recovery step (modems/recovery.py) as the page shows it:
    when, what and why, and how many steps the box took; None when it never needed one."""
    if getattr(status, "last_recovery_at", None) is None:
        return None
    counts = ", ".join(f"{step} {count}" for step, count in sorted(status.recoveries.items()))
    return {"at": when(status.last_recovery_at), "text": status.last_recovery,
            "counts": counts, "gave_up": status.last_recovery.startswith("gave up")}


def account_rows() -> list:
    return list(Account.select(Account, fn.COUNT(CallerId.id).alias("caller_id_count"))
                .join(CallerId, JOIN.LEFT_OUTER).group_by(Account.id).order_by(Account.id))


def create_account(values: dict[str, str], password: str, now: float,
                   actor: Actor, sessions: int = 1) -> tuple[Account | None, dict[str, str]]:
    """Gives (the new account, {}) or (None, what is wrong by field); the account's holder
    gets a web login with `password`. `values` holds name, pin and balance as typed;
    `sessions` is the calls it may have running at once ([callback] max_concurrent_sessions)."""
    errors = {}
    if not values["name"] or len(values["name"]) > users.NAME_MAX:
        errors["name"] = f"a name has 1 to {users.NAME_MAX} characters"
    elif Account.get_or_none(Account.name == values["name"]) is not None:
        errors["name"] = "an account of that name exists already"
    try:
        accounts.check_pin_format(values["pin"])
    except ValueError as error:
        errors["pin"] = gateway_texts.translate(str(error))
    try:
        balance = parse_amount(values["balance"] or "0")
        if balance < 0:
            errors["balance"] = gateway_texts.translate("an opening balance is not negative")
    except ValueError as error:
        errors["balance"] = str(error)
    problem = users.password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        return None, errors
    try:
        with db.atomic():        # the account and its holder's login, or neither
            account = account_actions.create_account(actor, values["name"], values["pin"],
                                                     balance, now, sessions=sessions)
            user_actions.add_user(actor, account.name, password, now)
    except ActionError as error:
        return None, {error.field or "name": gateway_texts.translate(str(error))}
    return account, {}


def topup_amount(text: str) -> int:
    """Gives a top-up's minor units; ValueError says what is wrong with the amount."""
    amount = parse_amount(text)
    if amount <= 0:
        raise ValueError("a top-up adds money: enter an amount above 0 (to take money, use "
                         "Debit on the account's page, with a reason)")
    return amount


def reset_modem(pool, name: str, confirmed: bool) -> None:
    """Closes a modem so the box opens it again; Refused (409) when it is not up, or is in
    a call and the admin has not confirmed (`confirm` set)."""
    driver = pool.driver(name) if pool is not None else None
    if driver is None:
        raise Refused(409, f"{name} is not up: the box opens it again by itself when it can")
    if driver.in_call and not confirmed:
        raise Refused(409, f"{name} is in a call: a reset ends it.", confirm=True)
    if not pool.reset(name):
        raise Refused(409, f"{name} went down meanwhile")


def install(app: bottle.Bottle, web) -> None:
    first_run.install(app, web)

    def modems(session, notice: str = "", confirm: str = "", status: int = 200):
        bottle.response.status = status
        language = web.language()
        rows = modem_rows(web.pool, web.now(), web.config.gateway.box,
                          web.config.sms.drain_interval, web.config.sim, when=language.when)
        admin_credit.credit_cell(rows, web.config, money=language.money, when=language.when)
        tests = admin_voicetests.last_tests(web.config.gateway.box, [row["name"] for row in rows],
                                            when=language.when)
        return web.render("modems", session, notice=notice, confirm=confirm,
                          status_ok=status == 200, modems=rows, tests=tests,
                          said=gateway_texts.translate, said_table=gateway_texts.js_table())

    @app.get("/admin/modems")
    def modems_page():
        return modems(web.admin_required())

    @app.post("/admin/modems/<name>/reset")
    def reset_button(name):
        session = web.admin_required()
        web.check_csrf(session)
        try:
            reset_modem(web.pool, name, bottle.request.forms.getunicode("confirm") == "1")
        except Refused as refusal:
            return modems(session, str(refusal), confirm=name if refusal.confirm else "",
                          status=refusal.status)
        return modems(session, f"{name} reset: it is closed and opened again within seconds")

    @app.post("/admin/modems/<name>/balance")
    def check_credit_button(name):
        session = web.admin_required()
        web.check_csrf(session)
        try:
            admin_credit.ask_credit(web.pool, web.config, name, web.now())
        except Refused as refusal:
            return modems(session, str(refusal), status=refusal.status)
        return modems(session, f"{name}: the credit is asked now; it shows here within "
                      "seconds")

    @app.post("/admin/modems/<name>/voicetest")
    def voice_test_button(name):
        session = web.admin_required()
        web.check_csrf(session)
        number = (bottle.request.forms.getunicode("number") or "")[:40]
        try:
            _, e164 = admin_voicetests.ask_voicetest(web.pool, web.config, name, number,
                                                     web.now())
        except Refused as refusal:
            return modems(session, f"{name}: {refusal}", status=refusal.status)
        return modems(session, f"{name}: voice test calling {e164}; its progress and figures "
                      "show below")

    @app.get("/admin/accounts")
    def accounts_page():
        session = web.admin_required()
        return web.render("accounts", session, accounts=account_rows(), errors={}, values={},
                          notice="")

    @app.post("/admin/accounts")
    def create_account_form():
        session = web.admin_required()
        web.check_csrf(session)
        forms = bottle.request.forms
        values = {key: (forms.getunicode(key) or "").strip()[:200]
                  for key in ("name", "pin", "balance")}
        password = forms.getunicode("password") or ""
        account, errors = create_account(values, password, web.now(), web.actor(session),
                                         web.config.callback.max_concurrent_sessions)
        if not errors:
            return web.render("accounts", session, accounts=account_rows(), errors={},
                              values={}, notice=i18n.gettext(
                                  "account {name} created: number {number}").format(
                                      name=account.name, number=account.number))
        bottle.response.status = 400
        return web.render("accounts", session, accounts=account_rows(),
                          errors=gateway_texts.translate_fields(errors), values=values, notice="")

    @app.post("/admin/accounts/<account_id:int>/topup")
    def topup_account(account_id):
        session = web.admin_required()
        web.check_csrf(session)
        account = Account.get_or_none(Account.id == account_id)
        if account is None:
            bottle.abort(404, "no such account")
        text = bottle.request.forms.getunicode("amount") or ""
        note = (bottle.request.forms.getunicode("note") or "").strip()[:200]
        try:
            amount = topup_amount(text)
        except ValueError as error:
            bottle.response.status = 400
            return web.render("accounts", session, accounts=account_rows(),
                              errors={f"amount{account_id}": gateway_texts.translate(str(error))},
                              values={}, notice="")
        balance = account_actions.top_up(web.actor(session), account_id, amount, web.now(),
                                         note=note)
        money = i18n.current().money
        notice = i18n.gettext("{name}: {amount} booked, balance now {balance}").format(
            name=account.name, amount=money(amount), balance=money(balance))
        return web.render("accounts", session, accounts=account_rows(), errors={}, values={},
                          notice=notice)
