"""Hostile input against every route of the web UI: never a 5xx, JSON errors from the
JSON API, nothing stored.

The routes come from the Bottle app itself (mounted apps included), so a route
added later is walked without anyone listing it. Each route is called as an
anonymous visitor, an account holder and an admin, with valid CSRF tokens so
the values reach the handlers; path parameters get the hostile value and,
where a valid one is known, a valid value so the body is read too; every
query and form field (and every key of a JSON object) the web modules read
gets the hostile value. The virtual phones' routes are there: the app is
built with two phones of a virtual network. The walk runs on SQLite with
values drawn by hypothesis, and on PostgreSQL (which refuses NUL in text)
with the values that once gave 500s.
"""
from __future__ import annotations

import json
from pathlib import Path
import re
import types
from urllib.parse import urlencode
import warnings

import bottle
from hypothesis import Phase, example, given, settings, strategies as st

from gateway.money.ledger import Session, start_session
from gateway.store.db import close_database, db
from gateway.users import WebUser
from webui import auth
from webui.http import COOKIE
from webui.incoming import HEAD_MAX

from tests.hostile import DEEP, RAW, Hostile, hostile_values, of_json, of_text
from tests.webclient import Client, make_test_app

WEBUI = Path(__file__).resolve().parent.parent / "webui"
# Logging in and failing to are recorded; so is every change of an action (an audit
# record), and lock, unlock or issuing a token changes state whatever values come along.
UNCOUNTED = {"web_session", "login_failure", "audit_record"}
# The test app has no call service: these answer that clearly, whatever is sent.
NO_SERVICE = {("GET", "/api/events"): 503, ("POST", "/api/callbacks/<session_id:int>/hangup"): 501}
BIG = 10_000       # characters; a longer value goes into one field only, not into every one
QUERY_MAX = HEAD_MAX // 8     # characters of a value in a query (8 bytes: '%ED%A0%80' is 9)
_PARAM = re.compile(r"<(\w+)(?::(\w*)(?::((?:\\.|[^\\>])+))?)?>")


def field_names() -> list[str]:
    """Gives every query, form and JSON field name the web modules read."""
    source = "\n".join(path.read_text() for path in sorted(WEBUI.rglob("*.py")))
    names = set(re.findall(r'(?:getunicode|query_text|query_number|form_number|_text|flag|'
                           r'json_id|\.get|number)\((?:\w+, )?"([a-z_]\w*)"', source))
    for group in re.findall(r'(?:texts\(\w+(?:\(\))?, |for \w+ in )\(([^)]*)\)', source):
        names |= set(re.findall(r'"([a-z_]\w*)"', group))
    names.discard("csrf_token")            # sent valid, so the values get past the check
    assert {"page", "code_id", "account", "after", "name", "password", "text"} <= names
    return sorted(names)


def walk_routes(app, prefix: str = "") -> list[tuple[str, str]]:
    """Gives (method, rule) of every route of `app`, going into mounted apps."""
    found = []
    for route in app.routes:
        target = route.config.get("mountpoint.target")
        if target is not None and hasattr(target, "routes"):
            mounted = prefix + route.config.get("mountpoint.prefix", "").rstrip("/")
            found += walk_routes(target, mounted)
        else:
            found.append((route.method, prefix + route.rule))
    return list(dict.fromkeys(found))       # a WSGI mount has two routes: /w and /w/...


def path_info(text: str) -> str:
    """Gives WSGI's PATH_INFO for a decoded path: its UTF-8 bytes read as Latin-1."""
    return text.replace("?", "%3F").encode("utf-8", "surrogatepass").decode("latin-1")


def fill(rule: str, value: Hostile, valid: dict[str, list[str]]) -> list[str]:
    """Gives the paths of a rule: every parameter hostile, and every one valid."""
    paths = [_PARAM.sub(lambda match: value.text, rule)]
    names = _PARAM.findall(rule)
    if names:
        choices = [[]]
        for name, _, _ in names:
            choices = [done + [pick] for done in choices for pick in valid.get(name, ["1"])]
        for picks in choices:
            picked = iter(picks)
            paths.append(_PARAM.sub(lambda match: next(picked), rule))
    return paths


class Visitor:
    """One role's browser: anonymous (no login), holder or admin, logged in again after
    a route logs it out."""

    def __init__(self, app, login_name: str | None):
        self.app = app
        self.login_name = login_name
        self.client = Client(app)
        self.csrf = ""
        self.log_in()

    def log_in(self) -> None:
        """Opens a session as /api/login does, without its deliberately slow password hash."""
        self.client = Client(self.app)
        if self.login_name is not None:
            user = WebUser.get(WebUser.name == self.login_name)
            token, session = auth.open_session(user, self.client.address, self.app.clock.now)
            self.client.cookies[COOKIE] = token
            self.csrf = session.csrf_token

    def call(self, method: str, path: str, value: Hostile, fields: list[str],
             whole_body: bool):
        # The server refuses a request line over HEAD_MAX (webui/incoming.py), and decoding a
        # query of megabytes costs seconds (urllib's unquote): a big value's query copy is cut.
        query = urlencode({name: value.text[:QUERY_MAX] for name in fields},
                          errors="surrogatepass")
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        raw = None
        if method != "GET" and path.startswith("/api/"):
            if whole_body:
                raw = (value.json, "application/json")
            else:
                raw = (b"{" + b", ".join(json.dumps(name).encode() + b": " + value.json
                                         for name in fields) + b"}", "application/json")
        elif method != "GET":
            form = {name: value.text for name in fields}
            form["csrf_token"] = self.csrf
            raw = (urlencode(form, errors="surrogatepass").encode(),
                   "application/x-www-form-urlencoded")
        reply = self.client.request(method, path_info(path) + "?" + query, headers=headers,
                                    raw=raw)
        if self.login_name is not None and path.rstrip("/").endswith("logout"):
            self.log_in()
        return reply


def stored() -> dict:
    """Gives what the database holds: rows per table, and each account's money."""
    counts = {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
              for table in db.get_tables() if table not in UNCOUNTED}
    money = db.execute_sql("SELECT id, balance, reserved FROM account ORDER BY id").fetchall()
    return {"rows": counts, "money": money}


def check(method: str, rule: str, path: str, role: str, value: Hostile, reply) -> None:
    where = f"{method} {path[:80]!r} as {role} with {value!r}"
    allowed = NO_SERVICE.get((method, rule))
    assert reply.status < 500 or reply.status == allowed, f"{where}: {reply.status} " \
                                                         f"{reply.text[:200]}"
    if path.startswith("/api/") and reply.status >= 400:
        kind = reply.headers.get("Content-Type", "")
        assert kind.startswith("application/json"), f"{where}: {reply.status} {kind}"
        assert "error" in json.loads(reply.text), f"{where}: {reply.text[:200]}"


def test_the_walk_goes_into_mounted_apps():
    parent, merged, wsgi = bottle.Bottle(), bottle.Bottle(), bottle.Bottle()
    parent.route("/top", callback=lambda: "")
    merged.route("/item/<item_id:int>", callback=lambda item_id: "")
    wsgi.route("/form", method="POST", callback=lambda: "")
    parent.mount("/merged/", merged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)     # mounted as a WSGI app
        parent.mount("/wsgi", wsgi)
    assert walk_routes(parent) == [("GET", "/top"), ("GET", "/merged/item/<item_id:int>"),
                                   ("POST", "/wsgi/form")]


# Values found giving 500s (issue 11), walked first every time.
EXPLICIT = [(of_text("²"), False, "page"), (of_text("\ud800"), False, "name"),
            (of_json(10 ** 23), False, "code_id"), (DEEP, True, "name"),
            (of_text("x" * 2 ** 20), False, "csv"), (RAW[0], True, "name"),
            (of_text("a\x00b"), False, "number"), (of_text("\x1b[2J"), False, "note")]


def walk_every_route(network, tmp_path, database: str | None, generated: int) -> None:
    """Walks every route of an app with phones on `database` with the EXPLICIT values and
    `generated` more drawn by hypothesis."""
    network.add_modem(name="m1", number="+4915110000001")
    phones = {"alice": network.add_phone(number="+4917012345678"),
              "bob": network.add_phone(number="+4917098765432")}
    app = make_test_app(tmp_path, types.SimpleNamespace(pool=None, calls=None, phones=phones),
                        database=database)
    own_call = start_session("box", app.alice.id, "connect-two", "+4917098765432", app.clock.now)
    Session.update(state="ended").where(Session.id == own_call).execute()
    valid = {"account_id": [str(app.alice.id)], "session_id": [str(own_call)],
             "name": ["alice"], "action": ["dial", "press", "sms"]}
    routes = walk_routes(app)
    assert ("POST", "/api/phones/<name:re:[a-z][a-z0-9_-]{0,19}>/<action>") in routes
    fields = field_names()
    visitors = {"anonymous": Visitor(app, None), "holder": Visitor(app, "alice"),
                "admin": Visitor(app, "root")}
    before = stored()

    def walk(value: Hostile, whole_body: bool, big_field: str) -> None:
        sent = fields if len(value.text) < BIG else [big_field]
        for method, rule in routes:
            for path in fill(rule, value, valid):
                for role, visitor in visitors.items():
                    reply = visitor.call(method, path, value, sent, whole_body)
                    check(method, rule, path, role, value, reply)
        after = stored()
        changed = {table: (before["rows"][table], count) for table, count in after["rows"].items()
                   if before["rows"].get(table) != count}
        assert after == before, f"stored something with {value!r}: {changed}, " \
                                f"money {before['money']} -> {after['money']}"

    walk = given(value=hostile_values(), whole_body=st.booleans(),
                 big_field=st.sampled_from(fields))(walk)
    for explicit in EXPLICIT:
        walk = example(*explicit)(walk)
    phases = [Phase.explicit, Phase.generate] if generated else [Phase.explicit]
    walk = settings(max_examples=max(1, generated), deadline=None, database=None,
                    phases=phases)(walk)
    try:
        walk()
    finally:
        app.web.stopping.set()          # ends the phones' listening threads
        close_database()


def test_every_route_survives_hostile_values(network, tmp_path):
    walk_every_route(network, tmp_path, None, generated=8)


def test_every_route_survives_hostile_values_on_postgresql(network, tmp_path, pg_cluster):
    """PostgreSQL refuses what SQLite takes (NUL in text): the values found before."""
    url = pg_cluster.new_database()
    try:
        walk_every_route(network, tmp_path, url, generated=0)
    finally:
        pg_cluster.drop_database(url)
