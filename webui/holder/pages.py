"""Pages of account holders: log in and out, dashboard, connect two numbers, password.

A new password goes through gateway/actions/users.py like the JSON API's and the
command's: it ends every session of the login (this browser gets a fresh one) and
revokes the API token.

The holder's other pages (caller IDs, PIN, SMS help, history, API token) are
in webui/holder/settings.py, installed from here."""
from __future__ import annotations

import bottle

from gateway import users
from gateway.actions import users as user_actions
from gateway.actions.audit import ActionError
from gateway.money.ledger import Account, Session
from webui import auth, gateway_texts, i18n
from webui.http import https
from webui.holder import calls, detail, settings as holder_pages


def install(app: bottle.Bottle, web) -> None:
    holder_pages.install(app, web)
    detail.install(app, web)

    def login_form(errors: dict, name: str, status: int = 200) -> str:
        """The login page; its form carries the token of the browser's login cookie."""
        token = auth.login_form_token(bottle.request.get_cookie(auth.LOGIN_COOKIE))
        bottle.response.set_cookie(auth.LOGIN_COOKIE, token, path="/login", httponly=True,
                                   samesite="strict", max_age=auth.LOGIN_FORM_LIFETIME,
                                   secure=https())
        bottle.response.status = status
        return web.render("login", None, errors=errors, name=name, login_token=token,
                          demo_logins=web.demo_logins)

    @app.get("/login")
    def login_page():
        if web.session() is not None:
            bottle.redirect("/", 303)
        return login_form({}, "")

    @app.post("/login")
    def login():
        name = (bottle.request.forms.getunicode("name") or "").strip()[:users.NAME_MAX]
        password = bottle.request.forms.getunicode("password") or ""
        if not auth.login_form_matches(bottle.request.get_cookie(auth.LOGIN_COOKIE),
                                       bottle.request.forms.getunicode("login_token")):
            # a form another site posted (login CSRF), or one older than its cookie
            return login_form({"password": i18n.gettext("this login form was stale or not "
                                                           "ours: log in again")}, name, status=403)
        errors = {}
        if not name:
            errors["name"] = i18n.gettext("enter your account name")
        if not password:
            errors["password"] = i18n.gettext("enter your web password")
        if not errors:
            result = auth.check_login(name, password, web.address(), web.now())
            if result.user is not None:
                token, _ = auth.open_session(result.user, web.address(), web.now())
                web.logged_in(result.user.name)
                web.set_cookie(token)
                bottle.redirect("/admin" if result.user.is_admin else "/", 303)
            if result.locked_for:
                minutes = (result.locked_for + 59) // 60
                errors["password"] = i18n.ngettext(
                    "too many wrong passwords: logging in as {name} from here is locked "
                    "for {minutes} more minute",
                    "too many wrong passwords: logging in as {name} from here is locked "
                    "for {minutes} more minutes", minutes).format(name=name, minutes=minutes)
            else:
                errors["password"] = i18n.gettext("wrong name or password")
        return login_form(errors, name, status=400)

    @app.post("/logout")
    def logout():
        session = web.login_required()
        web.check_csrf(session)
        auth.close_session(bottle.request.get_cookie("callbox_session"))
        web.clear_cookie()
        bottle.redirect("/login", 303)

    @app.get("/")
    def dashboard():
        session = web.login_required()
        if session.user.account_id is None:
            bottle.redirect("/admin", 303)       # the admin's landing page
        account = Account.get_by_id(session.user.account_id)
        return web.render("dashboard", session, account=account,
                          caller_ids=calls.caller_ids(account.id),
                          history=calls.history(account.id))

    @app.get("/connect")
    def connect_page():
        session = web.holder_required()
        numbers = calls.caller_ids(session.user.account_id)
        return web.render("connect", session, errors={},
                          a=numbers[0] if numbers else "", b="")

    @app.post("/connect")
    def connect():
        session = web.holder_required()
        web.check_csrf(session)
        a_text = bottle.request.forms.getunicode("a") or ""
        b_text = bottle.request.forms.getunicode("b") or ""
        numbers, errors = calls.check_numbers(a_text, b_text, web.country)
        if not errors:
            try:
                session_id = calls.start(web.calls, web.tracker, session.user.account_id,
                                         numbers["a"], numbers["b"])
            except calls.CallRefused as refusal:
                errors["form"] = str(refusal)
            else:
                bottle.redirect(f"/calls/{session_id}", 303)
        bottle.response.status = 400
        errors = gateway_texts.translate_fields(errors)
        return web.render("connect", session, errors=errors, a=a_text[:40], b=b_text[:40])

    @app.get("/calls/<session_id:int>")
    def call_page(session_id):
        session = web.holder_required()
        row = Session.get_or_none(Session.id == session_id)
        if row is None or web.tracker.owner(session_id) != session.user.account_id:
            bottle.abort(404, "no such call")
        return web.render("call", session, call=calls.call_state(session_id, web.tracker))

    @app.get("/password")
    def password_page():
        session = web.login_required()
        return web.render("password", session, errors={}, done=False)

    @app.post("/password")
    def change_password():
        session = web.login_required()
        web.check_csrf(session)
        forms = bottle.request.forms
        current = forms.getunicode("current") or ""
        new = forms.getunicode("new") or ""
        errors = {}
        problem = users.password_problem(new)
        if problem:
            errors["new"] = problem
        elif new != (forms.getunicode("repeat") or ""):
            errors["repeat"] = i18n.gettext("the two new passwords differ")
        if errors and not users.password_matches(current, session.user.password_hash):
            # all faults at once
            errors["current"] = i18n.gettext("this is not your current password")
        if not errors:
            try:
                revoked = user_actions.change_password(
                    web.actor(session, "web"), session.user.id, new,
                    web.now(), current=current)
            except ActionError as error:
                # the action's "password" is this form's "new"; "current" is the same
                errors["current" if error.field == "current" else "new"] = str(error)
        if errors:
            bottle.response.status = 400
            errors = gateway_texts.translate_fields(errors)
            return web.render("password", session, errors=errors, done=False)
        token, fresh = auth.open_session(session.user, web.address(), web.now())
        web.set_cookie(token)
        return web.render("password", fresh, errors={}, done=True, token_revoked=revoked)
