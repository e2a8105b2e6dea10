"""The admin dashboard as WSGI: the landing page of an admin, its figures as JSON, Chart.js
served by the box itself, and every figure as a table."""
from __future__ import annotations

import json
import os
import types

from webui.admin import dashboard

from tests.test_call_detail import a_call, login
from gateway.money.ledger import RateRecord
from gateway.store.db import close_database
from tests.webclient import Client, make_test_app


def test_an_admin_lands_on_the_dashboard_with_every_figure(app):
    a_call(app)
    admin = Client(app)
    assert admin.form_login({"name": "root", "password": "admin-secret"}).headers[
        "Location"].endswith("/admin")
    page = admin.get("/admin")
    assert page.status == 200
    text = page.text
    assert 'id="calls-24h">1<' in text and 'id="revenue-24h">0.24 EUR<' in text
    assert 'id="answer-rate-24h">100.0 %<' in text and 'id="alerts-open"' in text
    assert text.count("<tr><th scope=\"row\">") == 24 + 30          # both tables, every row
    found = json.loads(page.text.split('id="figures-data">')[1].split("</script>")[0])
    assert found["last_24_hours"]["calls"] == 1
    assert admin.get("/").headers["Location"].endswith("/admin")   # no account of its own


def test_the_figures_as_json_for_admins_only(app):
    a_call(app)
    admin = Client(app)
    admin.login("root", "admin-secret")
    reply = admin.get("/api/admin/dashboard")
    assert reply.status == 200
    found = json.loads(reply.text)
    assert found["last_24_hours"]["revenue"] == 24 and len(found["days"]) == 30
    assert found["last_30_days"]["answer_rate"] == 100.0
    assert login(app, "alice", "alice-secret").get("/api/admin/dashboard").status == 403
    assert login(app, "alice", "alice-secret").get("/admin").status == 403
    assert Client(app).get("/api/admin/dashboard").status == 401


def a_rate() -> None:
    """One rate: a box with accounts and rates is past its first-run page."""
    RateRecord.create(prefix="49", description="Germany", price_per_minute=6000)


def test_a_fresh_box_sends_the_admin_to_the_first_run_page_instead(app):
    admin = login(app, "root", "admin-secret")
    assert admin.get("/admin").headers["Location"].endswith("/admin/start")     # no rates
    a_rate()
    assert admin.get("/admin").status == 200


def test_chart_js_comes_from_the_box_or_the_page_says_charts_are_off(app):
    a_rate()
    admin = login(app, "root", "admin-secret")
    library = admin.get("/static/chart.js")
    if os.path.isfile(dashboard.CHART_JS):
        assert library.status == 200 and "Chart.js v" in library.text[:200]
        assert "max-age" in library.headers["Cache-Control"]
        page = admin.get("/admin").text
        assert '<script src="/static/chart.js">' in page and 'id="charts-off"' not in page
    else:
        assert library.status == 404
    assert "cdn" not in admin.get("/admin").text.lower()


def test_without_chart_js_every_figure_is_still_a_table(tmp_path):
    # a box installed without the Debian package: no Chart.js where the app looks
    services = types.SimpleNamespace(pool=None, calls=None,
                                     chart_js=str(tmp_path / "no-chart.min.js"))
    app = make_test_app(tmp_path, services=services)
    try:
        a_rate()
        admin = login(app, "root", "admin-secret")
        page = admin.get("/admin").text
        assert admin.get("/static/chart.js").status == 404
    finally:
        close_database()
    assert 'id="charts-off"' in page and "<canvas" not in page
    assert "/static/chart.js" not in page
    assert page.count("<details open>") == 2 and 'id="table-hours"' in page
