"""More pages of account holders: caller IDs, phone PIN, SMS help, call history, API token."""
from __future__ import annotations

import bottle

from gateway import users
from gateway.actions import accounts as account_actions, users as user_actions
from gateway.actions.audit import Actor
from gateway.config.sms import COMMANDS
from gateway.inputs import page_number, row_id
from gateway.money import accounts
from gateway.money.languages import language_for
from gateway.money.ledger import Account
from webui import gateway_texts, i18n
from webui.i18n import N_
from webui.holder import callerids, calls

PAGE_LENGTH = 20              # calls per history page
PAGE_MOST = 99999             # a history page beyond is page 1 (its offset fits SQLite)

# What each SMS command does and what follows its word; the words come from [sms.aliases].
# The page shows each meaning in its language (`_(meaning)` in sms_help.tpl).
SMS_COMMAND_HELP = {
    "cb": (("", N_("call me back")),
           ("<number>", N_("call me back, then connect me to that number"))),
    "connect": (("<a> <b>", N_("call a, then b, and connect them; billed to the account "
                       "of the phone that sent it")),),
    "reg": (("<account> <pin>", N_("authorize the sending phone for an account (account "
                               "number or name)")),),
    "unreg": (("", N_("remove the sending phone from its account")),),
    "bal": (("", N_("the balance of the phone's account, by SMS")),),
    "help": (("", N_("the list of commands, by SMS")),),
    "lang": (("<code>", N_("the language of the account's calls and SMS replies (LANG DE; "
                       "LANG - for the box's)")),),
}


def sms_commands(sms_config, lang: str = "en") -> list[dict]:
    """Gives the SMS commands as the box understands them now: words (those of `lang`, the
    account's language, first; every language's are understood), usage, meaning."""
    rows = []
    for command in COMMANDS:
        own = sms_config.words.get(lang, {}).get(command, ())
        words = tuple(dict.fromkeys((*own, *sms_config.aliases[command])))
        for arguments, meaning in SMS_COMMAND_HELP[command]:
            rows.append({"usage": f"{words[0]} {arguments}".strip(), "meaning": meaning,
                         "words": words})
    return rows


def install(app: bottle.Bottle, web) -> None:
    def holder(session) -> Actor:
        return web.actor(session, "web")

    def callerid_page(session, status=200, errors=None, number="", notice=""):
        bottle.response.status = status
        account_id = session.user.account_id
        errors = gateway_texts.translate_fields(errors or {})
        return web.render("callerids", session, caller_ids=callerids.listed(account_id),
                          codes=callerids.pending(account_id, web.now()),
                          errors=errors, number=number, notice=notice)

    @app.get("/callerids")
    def callerids_page():
        return callerid_page(web.holder_required())

    @app.post("/callerids")
    def callerid_add():
        session = web.holder_required()
        web.check_csrf(session)
        text = bottle.request.forms.getunicode("number") or ""
        try:
            sent = callerids.request_code(session.user.account_id, text, web.country,
                                          web.config.gateway.box, web.now())
        except callerids.CallerIdError as refusal:
            return callerid_page(session, 400, {refusal.field: str(refusal)}, text[:40])
        return callerid_page(session, notice=i18n.gettext(
            "The box is texting a 6-digit code to {number}. Type it below within 10 "
            "minutes.").format(number=sent.number))

    @app.post("/callerids/verify")
    def callerid_verify():
        session = web.holder_required()
        web.check_csrf(session)
        forms = bottle.request.forms
        code_id = forms.getunicode("code_id") or ""
        try:
            number = callerids.confirm(session.user.account_id, row_id(code_id) or 0,
                                       forms.getunicode("code") or "", web.now(),
                                       holder(session))
        except callerids.CallerIdError as refusal:
            # next to its form while the code can still be typed, else above the forms
            open_ids = [str(row.id) for row in callerids.pending(session.user.account_id,
                                                                 web.now())]
            field = f"code{code_id}" if code_id in open_ids else "code"
            return callerid_page(session, 400, {field: str(refusal)})
        return callerid_page(session, notice=i18n.gettext(
            "{number} is now authorized: calls from it need no PIN.").format(number=number))

    @app.post("/callerids/remove")
    def callerid_remove():
        session = web.holder_required()
        web.check_csrf(session)
        number = (bottle.request.forms.getunicode("number") or "")[:40]
        if not callerids.remove(session.user.account_id, number, web.now(), holder(session)):
            return callerid_page(session, 404, {"remove": i18n.gettext(
                "{number} is not one of yours").format(number=number)})
        return callerid_page(session, notice=i18n.gettext(
            "{number} removed: calls from it ask for the PIN again.").format(number=number))

    @app.get("/pin")
    def pin_page():
        return web.render("pin", web.holder_required(), errors={}, done=False)

    @app.post("/pin")
    def change_pin():
        session = web.holder_required()
        web.check_csrf(session)
        forms = bottle.request.forms
        pin = (forms.getunicode("pin") or "").strip()
        errors = {}
        if not users.password_matches(forms.getunicode("current") or "",
                                     session.user.password_hash):
            errors["current"] = i18n.gettext("this is not your current web password")
        try:
            accounts.check_pin_format(pin)
        except accounts.AccountError as problem:
            errors["pin"] = str(problem)
        else:
            if pin != (forms.getunicode("repeat") or "").strip():
                errors["repeat"] = i18n.gettext("the two PINs differ")
        if errors:
            bottle.response.status = 400
            errors = gateway_texts.translate_fields(errors)
            return web.render("pin", session, errors=errors, done=False)
        account_actions.set_pin(holder(session), session.user.account_id, pin, web.now())
        return web.render("pin", session, errors={}, done=True)

    @app.get("/sms-help")
    def sms_help():
        session = web.holder_required()
        sms = web.config.sms
        account = Account.get_by_id(session.user.account_id)
        lang = language_for(None, account, web.config)      # its SMS replies' language
        return web.render("sms_help", session, commands=sms_commands(sms, lang),
                          help_text=sms.reply("help", lang),
                          empty_is_callback=sms.empty_sms_is_callback, account=account)

    @app.get("/calls")
    def history_page():
        session = web.holder_required()
        account_id = session.user.account_id
        total = calls.history_count(account_id)
        pages = max(1, (total + PAGE_LENGTH - 1) // PAGE_LENGTH)
        page = page_number(bottle.request.query.get("page"), pages, most=PAGE_MOST)
        return web.render("history", session, page=page, total=total, pages=pages,
                          history=calls.history(account_id, PAGE_LENGTH,
                                                (page - 1) * PAGE_LENGTH))

    @app.get("/api-token")
    def token_page():
        session = web.holder_required()
        return web.render("token", session, token=None, has_token=bool(session.user.api_token_hash))

    @app.post("/api-token")
    def token_create():
        session = web.holder_required()
        web.check_csrf(session)
        token = user_actions.issue_api_token(holder(session), session.user.id, web.now())
        return web.render("token", session, token=token, has_token=True)

    @app.post("/api-token/revoke")
    def token_revoke():
        session = web.holder_required()
        web.check_csrf(session)
        user_actions.revoke_api_token(holder(session), session.user.id, web.now())
        return web.render("token", session, token=None, has_token=False)
