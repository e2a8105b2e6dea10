"""Logins that another site cannot forge, API tokens that a new password ends, and a
failed-login table that stays bounded: on the real WSGI app and database."""
from __future__ import annotations

import io
import json
import re

import pytest

from gateway import users
from gateway.store.db import close_database
from gateway.users import LoginFailure
from webui import auth

from tests.webclient import Client, make_test_app


@pytest.fixture
def app(tmp_path):
    web_app = make_test_app(tmp_path)
    yield web_app
    close_database()


def login_token(client) -> str:
    return re.search(r'name="login_token" value="([^"]+)"', client.get("/login").text).group(1)


def test_a_login_form_posted_by_another_site_is_refused(app):
    victim = Client(app)
    # another site's form: no token, and the box's SameSite=Strict cookie is not sent along
    reply = victim.post("/login", {"name": "alice", "password": "alice-secret"})
    assert reply.status == 403 and "stale or not ours" in reply.text
    assert "callbox_session" not in victim.cookies
    # the attacker's own token from their own visit does not match the victim's cookie
    attacker_token = login_token(Client(app))
    login_token(victim)
    reply = victim.post("/login", {"name": "alice", "password": "alice-secret",
                                   "login_token": attacker_token})
    assert reply.status == 403 and "callbox_session" not in victim.cookies
    assert LoginFailure.select().count() == 0       # refused before the password is checked
    reply = victim.form_login({"name": "alice", "password": "alice-secret"})
    assert reply.status == 303 and "callbox_session" in victim.cookies


def test_the_login_cookie_is_strict_and_two_tabs_share_it(app):
    browser = Client(app)
    page = browser.get("/login")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(auth.LOGIN_COOKIE + "=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/login" in cookie
    first = login_token(browser)
    assert login_token(browser) == first            # a second tab's form still works
    reply = browser.post("/login", {"name": "alice", "password": "alice-secret",
                                    "login_token": first})
    assert reply.status == 303


def post_raw(app, path: str, body: bytes, content_type: str, method: str = "POST",
             scheme: str = "http"):
    """Gives (status, headers) of a request whose body and type are sent as they are, as a
    cross-site form with enctype text/plain sends them."""
    started = {}
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "box", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "192.0.2.10", "wsgi.url_scheme": scheme,
               "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0), "wsgi.multithread": True,
               "wsgi.multiprocess": False, "wsgi.run_once": False,
               "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}
    b"".join(app(environ, lambda status, headers, exc_info=None:
                 started.update(status=int(status.split()[0]), headers=dict(headers))))
    return started["status"], started["headers"]


def test_the_login_cookie_is_secure_over_https(app):
    _, headers = post_raw(app, "/login", b"", "text/plain", method="GET", scheme="https")
    assert headers["Set-Cookie"].startswith(auth.LOGIN_COOKIE + "=")
    assert "Secure" in headers["Set-Cookie"]


def test_the_json_login_takes_json_only_so_no_form_can_forge_it(app):
    """A guard of the design (it held before the form's token was added): what a cross-site
    form can send to POST /api/login opens no session."""
    body = json.dumps({"name": "alice", "password": "alice-secret"}).encode()
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "multipart/form-data; boundary=x"):
        status, headers = post_raw(app, "/api/login", body, content_type)
        assert status == 400 and "Set-Cookie" not in headers, content_type
    status, headers = post_raw(app, "/api/login", body, "application/json")
    assert status == 200 and "callbox_session=" in headers["Set-Cookie"]


def test_a_new_password_revokes_the_api_token(app):
    browser = Client(app)
    browser.login("alice", "alice-secret")
    token = users.set_api_token(users.WebUser.get(users.WebUser.name == "alice").id)
    bearer = {"Authorization": f"Bearer {token}"}
    assert browser.get("/api/account", headers=bearer).status == 200
    reply = browser.post("/password", {"csrf_token": browser.csrf(), "current": "alice-secret",
                                       "new": "new-secret-1", "repeat": "new-secret-1"})
    assert reply.status == 200
    assert Client(app).get("/api/account", headers=bearer).status == 401
    assert users.WebUser.get(users.WebUser.name == "alice").api_token_hash is None
    assert 'id="token-revoked"' in reply.text          # and the holder is told


def test_failed_logins_too_old_to_lock_are_pruned(app):
    now = app.clock.now
    stale = now - auth.LOGIN_WINDOW - auth.LOGIN_LOCK - 1
    LoginFailure.insert_many([{"name": f"guess{n}", "address": "203.0.113.9", "at": stale}
                              for n in range(300)]).execute()
    result = auth.check_login("alice", "wrong-guess", "192.0.2.10", now)
    assert result.user is None
    assert [(row.name, row.at) for row in LoginFailure.select()] == [("alice", now)]


def test_failed_logins_are_capped_and_still_lock(app):
    now = app.clock.now
    kept = auth.LOGIN_FAILURES_KEPT
    rows = [{"name": f"spray{n}", "address": f"203.0.113.{n % 250}", "at": now - 60 + n / kept}
            for n in range(kept + 500)]
    for start in range(0, len(rows), 200):
        LoginFailure.insert_many(rows[start:start + 200]).execute()
    for _ in range(auth.LOGIN_FAILURES_ALLOWED):
        result = auth.check_login("alice", "wrong-guess", "192.0.2.10", now)
    assert result.locked_for > 0                     # the newest rows, this pair's, stay
    assert LoginFailure.select().count() == kept
    oldest_left = LoginFailure.select().order_by(LoginFailure.at).first()
    assert oldest_left.name == "spray505"            # the oldest 500 + 5 went first
