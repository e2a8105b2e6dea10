"""A web login lasts 12 hours (webui/auth.py SESSION_LIFETIME), on the app's own clock."""
from __future__ import annotations

from tests.webclient import Client

HOURS_12 = 12 * 3600


def test_a_web_session_ends_12_hours_after_login(app):
    browser = Client(app)
    logged_in_at = app.clock.now
    browser.login("alice", "alice-secret")
    assert browser.get("/api/account").status == 200
    app.clock.now = logged_in_at + HOURS_12 - 1
    assert browser.get("/api/account").status == 200, "the session ended early"
    app.clock.now = logged_in_at + HOURS_12
    reply = browser.get("/api/account")
    assert reply.status == 401, "the session outlived 12 hours"
    # the pages send the browser to the login again
    page = browser.get("/")
    assert page.status in (302, 303) and "/login" in page.headers["Location"]


def test_using_a_session_does_not_stretch_it_past_12_hours(app):
    browser = Client(app)
    logged_in_at = app.clock.now
    browser.login("alice", "alice-secret")
    for hour in range(1, 12):
        app.clock.now = logged_in_at + hour * 3600
        assert browser.get("/api/account").status == 200
    app.clock.now = logged_in_at + HOURS_12 + 1
    assert browser.get("/api/account").status == 401
