"""The demo's logins: printed last, framed, once the box is up, and shown on the login page
(the start page of a visitor not logged in) until each is first used: the WSGI app with
the logins the demo hands the daemon, and the demo's own functions."""
from __future__ import annotations

import contextlib
import io
import threading
import types

from callbox.demo import Logins, framed_logins, show_logins
from gateway.config import parse

from tests.webclient import Client, make_test_app

LOGINS = Logins("holder-pass-1", "admin-pass-2", "123456782", "4321")


def test_the_logins_are_framed_with_where_to_go():
    config = parse({"web": {"listen": "127.0.0.1:8099"}}, "x")
    lines = framed_logins(LOGINS, config).strip("\n").splitlines()
    assert set(lines[0]) == {"="} and lines[0] == lines[-1]
    assert len(lines[0]) == max(len(line) for line in lines) <= 80    # a terminal's width
    assert "http://127.0.0.1:8099/" in lines[1]
    assert "  account holder:  demo / holder-pass-1" in lines
    assert "  admin:           admin / admin-pass-2" in lines
    assert any("phone PIN 4321" in line for line in lines)


def shown(text: str, all_up: threading.Event, stop: threading.Event, wait: float) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        show_logins(text, all_up, stop, wait)
    return out.getvalue()


def test_the_logins_wait_for_the_box_and_not_forever():
    up, stop = threading.Event(), threading.Event()
    up.set()
    assert shown("LOGINS", up, stop, 5) == "LOGINS\n"
    assert shown("LOGINS", threading.Event(), stop, 0.01) == "LOGINS\n"   # a SIM never up
    stop.set()
    assert shown("LOGINS", up, stop, 5) == ""                           # Ctrl-C meanwhile


def test_the_start_page_shows_each_login_until_it_is_first_used(tmp_path):
    services = types.SimpleNamespace(pool=None, calls=None, demo_logins=[
        ("account holder", "alice", "alice-secret"), ("admin", "root", "admin-secret")])
    app = make_test_app(tmp_path, services)
    visitor = Client(app)
    start = visitor.get("/")
    assert start.status == 303 and start.headers["Location"].endswith("/login")
    page = visitor.get("/login").text
    assert 'id="demo-logins"' in page
    assert "<strong>alice</strong> / <code>alice-secret</code>" in page
    assert "<strong>root</strong> / <code>admin-secret</code>" in page
    german = visitor.get("/login", headers={"Accept-Language": "de"}).text
    assert "<li>Kontoinhaber: <strong>alice</strong>" in german     # was "account holder"

    failed = Client(app).form_login({"name": "alice", "password": "wrong-one"})
    assert failed.status == 400 and "alice-secret" in Client(app).get("/login").text
    assert visitor.form_login({"name": "alice", "password": "alice-secret"}).status == 303
    page = Client(app).get("/login").text
    assert "alice-secret" not in page and "admin-secret" in page
    api = Client(app)
    assert api.post("/api/login", json_body={"name": "root",
                                             "password": "admin-secret"}).status == 200
    page = Client(app).get("/login").text
    assert 'id="demo-logins"' not in page and "admin-secret" not in page


def test_a_box_that_is_no_demo_shows_no_logins(app):
    page = Client(app).get("/login").text
    assert 'id="demo-logins"' not in page and "Log in" in page
