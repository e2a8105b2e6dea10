"""The web UI as a Bottle app: `make_app(config, services)`.

`services` gives `pool` (the modem pool), `calls` (the CallService, or None
where no call is made) and optionally `now` (the clock), `watch` (the
database outage watch), `phones` (the virtual network's phones by name,
for the demo's Virtual phones page) and `chart_js` (where the dashboard's
Chart.js is, when not where Debian puts it); the daemon itself will do. Routes live
in webui/holder/pages.py (account holders), webui/admin*.py and webui/api/holder.py (JSON
and live events); this module holds what they share: who is logged in, CSRF
checks, templates, and each request's database connection (closed by the
thread that opened it; a lost one gives 503 and the outage banner).
"""
from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from urllib.parse import quote

import bottle
from peewee import OperationalError

from gateway.actions import alerts as alert_actions
from gateway.actions.audit import Actor
from gateway.money.billing import format_money
from gateway.store.db import close_database
from gateway.store.outage import CONNECTION_ERRORS, forget_connection
from webui import auth, gateway_texts, i18n, metrics, phones
from webui.admin import alerts as admin_alerts
from webui.admin import (accounts as admin_accounts, boxes as admin_boxes, calls as admin_calls,
                         console, pages as admin, rates as admin_rates, sms as admin_sms,
                         system as admin_system)
from webui.admin import audit as admin_audit
from webui.admin import dashboard as admin_dashboard
from webui.admin import webhooks as admin_webhooks
from webui.api import admin as admin_api, box as admin_api_box, holder as api
from webui.api import webhooks as api_webhooks
from webui.api import alerts as admin_api_alerts
from webui.holder import pages
from webui.http import COOKIE, https
from webui.i18n import gettext as _
from webui.inputs import id_filter, json_error, unstorable_field
from webui.live import LiveTracker, StreamSlots

log = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))
VIEWS = os.path.join(HERE, "views")
STATIC = os.path.join(HERE, "static")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


class Web:
    """What the routes share: configuration, services, the clock, live state."""

    def __init__(self, config, services):
        self.config = config
        self.pool = getattr(services, "pool", None)
        self.calls = getattr(services, "calls", None)
        self.now = getattr(services, "now", None) or time.time
        self.started_at = self.now()
        self.currency = config.gateway.currency
        self.country = config.gateway.country
        live = self.calls.context.live if self.calls is not None else None
        self.tracker = LiveTracker(live)
        self.streams = StreamSlots(config.web.max_streams, config.web.streams_per_login)
        self.stopping = threading.Event()
        self.watch = getattr(services, "watch", None)     # gateway.store.outage.DatabaseWatch
        self.alerts = getattr(services, "alerts", None)   # gateway.care.alerts.Alerts
        self.phones = None         # the Virtual phones panel (webui/phones.py): demo only
        # The demo's fresh logins (what for, name, password), on the login page until used.
        self.demo_logins = list(getattr(services, "demo_logins", None) or ())

    def logged_in(self, name: str) -> None:
        """Notes a login by name: a demo login is no longer shown once it has been used."""
        self.demo_logins = [login for login in self.demo_logins if login[1] != name]

    def outage(self, translate: bool = False) -> str:
        """Gives the banner text while the database is unreachable, else "" (in English
        for the API, translated for a page)."""
        if self.watch is None or not self.watch.down:
            return ""
        language = self.language() if translate else i18n.language_of(i18n.DEFAULT, "")
        gettext = language.gettext
        return gettext("The box's database has been unreachable since {since}: calls in "
                       "progress go on and are billed when it returns; new calls and changes "
                       "wait.").format(since=language.clock(self.watch.down_since))

    def open_alerts(self, session) -> int:
        """Gives, for an admin, how many alerts are open and not acknowledged (those the
        alerts worker holds through a database outage too); 0 for anyone else."""
        if session is None or not session.user.is_admin:
            return 0
        held = self.alerts.held_open() if self.alerts is not None else 0
        if self.outage():
            return held
        return held + alert_actions.open_count(self.config.gateway.box)

    def language(self) -> i18n.Language:
        """Gives the language of this request (webui/i18n.py: cookie, Accept-Language)."""
        return i18n.current()

    def money(self, minor: int) -> str:
        """Gives an amount in the house form ('12.50 EUR'), as the JSON API writes it; a
        page writes it in its language (`language().money`)."""
        return format_money(minor, self.currency)

    # -- who asks ----------------------------------------------------------------------------
    def session(self) -> auth.WebSession | None:
        """Gives the logged-in session of this request, or None."""
        environ = bottle.request.environ
        if "callbox.session" not in environ:
            token = auth.bearer_token(bottle.request.get_header("Authorization"))
            if token is not None and bottle.request.path.startswith("/api/"):
                # a token request is judged by its token alone, whatever cookie comes along
                environ["callbox.session"] = auth.find_token_session(token)
            else:
                environ["callbox.session"] = auth.find_session(
                    bottle.request.get_cookie(COOKIE), self.now())
        return environ["callbox.session"]

    def login_required(self, api: bool = False) -> auth.WebSession:
        session = self.session()
        if session is None:
            if api:
                raise json_error(401, "log in first: POST /api/login")
            raise bottle.HTTPResponse(status=303, headers={"Location": "/login"})
        return session

    def admin_required(self, api: bool = False) -> auth.WebSession:
        session = self.login_required(api)
        if not session.user.is_admin or getattr(session, "by_token", False):
            if api:
                raise json_error(403, "for admins only")
            raise bottle.HTTPResponse(self.render("error", session,
                                                  status_text=_("403 Forbidden"),
                                                  message=_("This page is for admins only.")),
                                      status=403)
        return session

    def holder_required(self, api: bool = False) -> auth.WebSession:
        """Gives the session of an account holder (an admin without account gets 403)."""
        session = self.login_required(api)
        if session.user.account_id is None:
            if api:
                raise json_error(403, "this login has no account")
            raise bottle.HTTPResponse(status=303, headers={"Location": "/admin"})
        return session

    def check_csrf(self, session: auth.WebSession, api: bool = False) -> None:
        """Refuses a state-changing request without the session's CSRF token."""
        if getattr(session, "by_token", False):
            return        # no cookie came with it: a forged cross-site request cannot send it
        given = (bottle.request.get_header("X-CSRF-Token") if api
                 else bottle.request.forms.getunicode("csrf_token"))
        if not auth.csrf_matches(session, given):
            if api:
                raise json_error(403, "missing or wrong X-CSRF-Token header")
            raise bottle.HTTPResponse(self.render("error", session,
                                                  status_text=_("403 Forbidden"),
                                                  message=_("The form was stale or not ours: "
                                                            "go back, reload the page and try "
                                                            "again.")),
                                      status=403)

    def actor(self, session, via: str = "web") -> Actor:
        """Gives who acts in this request, for the audit record: the login, how ("web" a
        page, "api" the JSON API), and the peer's address."""
        return Actor(session.user.name, via, self.address())

    def address(self) -> str:
        # The peer's address, never X-Forwarded-For: a client could forge that to dodge locks.
        return bottle.request.environ.get("REMOTE_ADDR", "") or ""

    def render(self, template: str, session: auth.WebSession | None, **values) -> str:
        page = dict(self.language().template_values(), session=session,
                    user=session.user if session else None,
                    csrf=session.csrf_token if session else "",
                    outage=self.outage(translate=True), open_alerts=self.open_alerts(session),
                    virtual_phones=self.phones is not None, here=here())
        page.update(values)
        return bottle.template(template, template_lookup=[VIEWS], **page)

    def set_cookie(self, token: str) -> None:
        # Secure under HTTPS: the browser then never sends the session over plain HTTP
        bottle.response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict",
                                   max_age=auth.SESSION_LIFETIME, secure=https())

    def clear_cookie(self) -> None:
        bottle.response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                                      secure=https())


def here() -> str:
    """Gives this page's path and query, quoted for the language switch's `next`."""
    query = bottle.request.query_string
    return quote(bottle.request.path + ("?" + query if query else ""), safe="")


def database_guard(web):
    """Plugin: closes each request's database connection on the thread that opened it, and
    while the database is unreachable answers 503 saying so (a POST changes nothing then)."""
    def apply(callback):
        @functools.wraps(callback)
        def wrapper(*args, **kwargs):
            try:
                if bottle.request.method == "POST" and web.outage():
                    raise OperationalError("the database is unreachable")
                return callback(*args, **kwargs)
            except CONNECTION_ERRORS as error:
                forget_connection()
                if web.watch is not None:
                    web.watch.lost(error)
                return outage_response(web)
            finally:
                close_database()
        return wrapper
    return apply


def outage_response(web) -> bottle.HTTPResponse:
    if bottle.request.path.startswith("/api/"):
        text = web.outage() or "The box's database is unreachable right now."
        return json_error(503, text + " Try again later.")
    text = web.outage(translate=True) or _("The box's database is unreachable right now.")
    return bottle.HTTPResponse(web.render("error", None, outage=text,
                                          status_text=_("503 Service Unavailable"),
                                          message=_("Nothing was changed. Try again in "
                                                    "a minute.")), status=503)


def make_app(config, services) -> bottle.Bottle:
    """Gives the web UI's WSGI app (a Bottle app with `.web` = its shared state)."""
    app = bottle.Bottle()
    app.router.add_filter("int", id_filter)     # before any route: see webui/inputs.py
    web = Web(config, services)
    app.web = web
    app.config[i18n.CURRENCY_KEY] = config.gateway.currency      # money in the page's language
    app.install(database_guard(web))

    @app.hook("after_request")
    def headers():
        for name, value in SECURITY_HEADERS.items():
            bottle.response.set_header(name, value)
        if not bottle.request.path.startswith("/static/"):
            bottle.response.set_header("Cache-Control", "no-store")

    @app.hook("before_request")
    def refuse_unstorable_text():
        # One check for every query and form value: PostgreSQL refuses NUL in text, and a
        # value no handler should store is best refused before any handler reads it.
        api = bottle.request.path.startswith("/api/")
        fault = unstorable_field(forms=not api)       # the API reads JSON bodies only
        if fault is None:
            return
        field, why = fault
        if api:
            raise json_error(400, f"{field}: {why}", {field: why})
        message = _("The field {field} was refused: {why}.").format(field=field, why=why)
        raise bottle.HTTPResponse(web.render("error", None, status_text=_("400 Bad Request"),
                                             message=message), status=400)

    def error_body(api_error: str, status_text: str, message: str) -> str:
        """An HTTP error's body: JSON for the API (English), else the box's error page in
        the request's language."""
        if bottle.request.path.startswith("/api/"):
            bottle.response.content_type = "application/json"
            return json.dumps({"error": api_error})
        return web.render("error", None, status_text=status_text, message=message)

    @app.error(404)
    def not_found(error):
        return error_body("not found", _("404 Not Found"), _("There is no such page."))

    @app.error(400)
    def bad_request(error):
        return error_body(str(error.body), _("400 Bad Request"),
                          gateway_texts.translate(str(error.body)))

    @app.error(405)
    def wrong_method(error):
        method = bottle.request.method
        return error_body(f"{method} is not allowed here", _("405 Method Not Allowed"),
                          _("This address takes no {method} request: use the page's buttons "
                            "and links.").format(method=method))

    @app.error(500)
    def failed(error):
        log.error("web request %s %s failed: %s", bottle.request.method, bottle.request.path,
                  error.exception, exc_info=error.exception)
        return "500 Internal Server Error: the box logged what went wrong."

    @app.get("/favicon.ico")
    def favicon():
        return bottle.HTTPResponse(status=204)     # no icon; spares a 404 in every log

    @app.get("/language/<code>")
    def switch_language(code):
        """The language switch: remembers the choice in a cookie, then back to the page."""
        if code not in i18n.LANGUAGES:
            raise bottle.HTTPResponse(web.render("error", None, status_text=_("404 Not Found"),
                                                 message=_("There is no such language here.")),
                                      status=404)
        target = bottle.request.query.getunicode("next") or "/"
        if (not target.startswith("/") or target.startswith("//") or "\\" in target
                or not all("!" <= char <= "~" for char in target)):
            target = "/"      # back to a page of ours only (a path as here() quotes it)
        bottle.response.set_cookie(i18n.COOKIE, code, path="/", samesite="lax", httponly=True,
                                   max_age=i18n.COOKIE_LIFETIME, secure=https())
        bottle.redirect(target, 303)

    @app.get("/static/<name:re:[a-z_]+\\.(css|js)>")
    def static(name):
        return bottle.static_file(name, root=STATIC)

    pages.install(app, web)
    admin.install(app, web)
    admin_dashboard.install(app, web, getattr(services, "chart_js", None))
    admin_boxes.install(app, web)
    for module in (admin_accounts, admin_rates, admin_calls, admin_sms, admin_system, console):
        module.install(app, web)
    admin_audit.install(app, web)
    admin_alerts.install(app, web)
    api.install(app, web)
    admin_api.install(app, web)
    admin_api_box.install(app, web)
    webhooks = getattr(services, "webhooks", None)       # the daemon's, when any is configured
    wake = webhooks.wake if webhooks is not None else None
    admin_webhooks.install(app, web, wake)
    api_webhooks.install(app, web, wake)
    admin_api_alerts.install(app, web)
    phones.install(app, web, getattr(services, "phones", None))
    metrics.install(app, web, getattr(services, "metrics", None)
                    if not config.metrics.listen else None)
    return app
