"""The first-run page through the WSGI app: the admin lands there while the box has no rates
or no accounts, each step is read from the database, the sample rates are for admins.
(tests/test_web_first_run.py walks it in Chromium with the modems up.)"""
from __future__ import annotations

from pathlib import Path

import pytest

from gateway.care import requests
from gateway.money.billing import parse_rates_csv
from gateway.money.ledger import store_rates

from tests.webclient import Client, make_test_app

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "rates-sample.csv"


@pytest.fixture
def app(tmp_path):
    return make_test_app(tmp_path)         # accounts alice and bob, alice's phone, no rates


@pytest.fixture
def admin(app):
    client = Client(app)
    assert client.form_login({"name": "root", "password": "admin-secret"}).headers[
        "Location"].endswith("/admin")
    return client


def done(page: str, key: str) -> bool:
    for state in ("1", "0"):
        if f'id="step-{key}" class="step card" data-done="{state}"' in page:
            return state == "1"
    raise AssertionError(f"no step {key} on the page:\n{page}")


def test_without_rates_the_admin_lands_on_the_first_run_page(app, admin):
    assert admin.get("/admin").headers["Location"].endswith("/admin/start")
    page = admin.get("/admin/start").text
    assert "No modem is configured" in page and "callbox probe PORT" in page
    assert [done(page, key) for key in ("modems", "rates", "account", "callerid", "callback")] \
        == [False, False, True, True, False]
    assert "2 accounts, the first alice." in page and "1 caller ID authorized." in page
    assert 'href="/admin/accounts/%d"' % app.alice.id in page

    store_rates(parse_rates_csv(SAMPLE.read_text()))
    assert admin.get("/admin").status == 200           # the dashboard, once rates are in
    steps = admin.get("/admin/start/steps").text          # what start.js fetches: the list
    assert steps.lstrip().startswith('<ol id="steps"') and "<html" not in steps
    count = len(SAMPLE.read_text().splitlines()) - 1
    assert done(steps, "rates") and f"{count} rates stored." in steps


def test_a_finished_voice_test_is_a_test_call(app, admin):
    now = app.clock.now
    failed = requests.queue_request("box", "voicetest", "m1", "+4917011111111", now)
    requests.finish(failed, now + 5, error="no answer")
    assert not done(admin.get("/admin/start").text, "callback")
    passed = requests.queue_request("box", "voicetest", "m1", "+4917022222222", now)
    requests.finish(passed, now + 9, answer="{}")
    page = admin.get("/admin/start").text
    assert done(page, "callback") and "+4917022222222" in page


def test_the_sample_rates_are_for_admins(app, admin):
    reply = admin.get("/admin/start/rates-sample.csv")
    assert reply.status == 200 and reply.text == SAMPLE.read_text()
    assert reply.headers["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="rates-sample.csv"' in reply.headers["Content-Disposition"]
    holder = Client(app)
    holder.login("alice", "alice-secret")
    assert holder.get("/admin/start/rates-sample.csv").status == 403
    assert holder.get("/admin/start").status == 403
    assert Client(app).get("/admin/start").headers["Location"].endswith("/login")
