"""The admin dashboard in headless Chromium: Chart.js draws both charts from a seeded
database, the figures are live, and the page fits 1280 and 390 px; screenshots of it go to
docs/screenshots/ (the call detail's come from tests/test_web_browser.py)."""
from __future__ import annotations

import os

import pytest

from gateway.care.models import SimBalance
from gateway.money.ledger import RateRecord
from gateway.store.alerts import raise_alert
from gateway.store.db import ModemStatusRecord, close_database
from webui.admin import dashboard
from webui.server import WebServer

from tests.screenshots import shot
from tests.test_dashboard_figures import SIM, call
from tests.test_web_browser import browser, log_in, sync_api     # noqa: F401 (fixture)
from tests.webclient import make_test_app

WIDTHS = (1280, 390)

# Paints of the canvas: how many of its pixels are not transparent.
PAINTED = """id => { const canvas = document.getElementById(id);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0; for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) painted++; }
  return painted; }"""
PLOTTED = "key => Chart.getChart('canvas-' + key).data.datasets[0].data.reduce((a, b) => a + b, 0)"


@pytest.fixture
def seeded(tmp_path):
    """The web UI on a database with a day's and a month's calls, two modems, a SIM."""
    app = make_test_app(tmp_path, web={"dashboard_refresh": 1.0})
    now = app.clock.now
    for hours_ago, talked, cost in ((0.2, 95, 24), (1, 60, 12), (1.5, None, 12), (3, 300, 60),
                                    (5, 120, 24), (9, 45, 12), (20, 600, 120)):
        call(now - hours_ago * 3600, talked, cost, box=app.web.config.gateway.box)
    for days_ago in (2, 3, 3, 6, 11, 17, 25):
        call(now - days_ago * 86400, 180, 36, box=app.web.config.gateway.box)
    box = app.web.config.gateway.box
    RateRecord.create(prefix="49", description="Germany", price_per_minute=6000)
    ModemStatusRecord.create(box=box, name="m1", state="up", iccid=SIM, updated_at=now)
    ModemStatusRecord.create(box=box, name="m2", state="down", reason="no answer to AT",
                             updated_at=now)
    SimBalance.create(box=box, iccid=SIM, modem="m1", at=now - 3600, amount_minor=1850)
    raise_alert(box, "modem-down", "m2", now, "m2 is down")
    server = WebServer(app, "127.0.0.1", 0)
    server.start()
    app.url = f"http://127.0.0.1:{server.port}"
    yield app
    server.stop()
    close_database()


@pytest.mark.skipif(not os.path.isfile(dashboard.CHART_JS),
                    reason="no Chart.js (Debian: apt-get install libjs-chart.js)")
def test_the_dashboard_draws_its_charts_from_the_books(seeded, browser):
    page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, seeded.url, "root", "admin-secret")
    page.wait_for_url("**/admin")
    page.wait_for_selector('#dashboard[data-drawn="2"]')
    assert page.evaluate(PLOTTED, "hours") == 7 and page.evaluate(PLOTTED, "days") == 14
    for key in ("hours", "days"):
        assert page.evaluate(PAINTED, f"canvas-{key}") > 2000, f"the {key} chart is blank"
    assert page.inner_text("#calls-24h") == "7" and page.inner_text("#alerts-open") == "1"
    assert page.inner_text("#modems-up") == "1 / 2"
    assert "18.50 EUR" in page.inner_text("#sims")
    assert errors == []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)        # Chart.js redraws on a resize, in a frame
        assert page.evaluate(PAINTED, "canvas-hours") > 2000
        assert page.evaluate("document.getElementById('dashboard').scrollWidth "
                             "<= document.getElementById('dashboard').clientWidth"), width
        shot(page, f"dashboard_{width}.png")


def test_the_dashboard_keeps_its_figures_live(seeded, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, seeded.url, "root", "admin-secret")
    page.wait_for_url("**/admin")
    assert page.inner_text("#calls-24h") == "7"
    call(seeded.clock.now - 60, 30, 12, box=seeded.web.config.gateway.box)
    sync_api.expect(page.locator("#calls-24h")).to_have_text("8", timeout=5000)
    page.wait_for_selector('#dashboard[data-drawn="2"]')
    assert page.evaluate(PLOTTED, "hours") == 8           # the chart took the new call too


