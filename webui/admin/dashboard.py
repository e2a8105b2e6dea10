"""The admin's landing page: the box at a glance, with charts; its figures as JSON too.

`GET /admin` is the page (`dashboard_page`, kept small: it renders what
gateway/care/dashboard.py computes; a fresh box without accounts or rates
goes to the first-run page, webui/admin/start.py, instead), `GET /api/admin/dashboard` the same figures
as JSON for scripts. The page's script (/static/dashboard.js) reads the page
again every `[web] dashboard_refresh` seconds and puts its new figures, tables
and chart data in place, so every text stays in the reader's language. The
charts are drawn by Chart.js from the box itself (the Debian package
libjs-chart.js, served at /static/chart.js: boxes are often offline, so never a
CDN). Without that file every figure is still on the page, as tables (the
charts' data tables are there anyway, for screen readers), and the page says
the charts are off.
"""
from __future__ import annotations

import json
import os

import bottle

from gateway.care import dashboard
from webui import gateway_texts
from webui.admin import start as first_run

CHART_JS = "/usr/share/javascript/chart.js/chart.min.js"     # Debian: libjs-chart.js


def figures(web) -> dict:
    """Gives the dashboard's figures for this box, now."""
    return dashboard.figures(web.config.gateway.box, web.now(), web.config.sim)


def page_data(found: dict) -> str:
    """Gives the figures as JSON to embed in the page (no `</` can end its script)."""
    return json.dumps(found).replace("</", "<\\/")


def install(app: bottle.Bottle, web, chart_js: str | None = None) -> None:
    """Adds the routes; `chart_js`: where Chart.js is (CHART_JS when None)."""
    library = chart_js or CHART_JS

    def charts_on() -> bool:
        return os.path.isfile(library)

    @app.get("/admin")
    def dashboard_page():
        session = web.admin_required()
        if first_run.needed():          # a fresh box: no accounts or no rates yet
            bottle.redirect("/admin/start", 303)
        found = figures(web)
        return web.render("admin_dashboard", session, figures=found, data=page_data(found),
                          charts=charts_on(), refresh=web.config.web.dashboard_refresh,
                          said=gateway_texts.translate)

    @app.get("/api/admin/dashboard")
    def dashboard_json():
        web.admin_required(api=True)
        return figures(web)

    @app.get("/static/chart.js")       # an exact route: it comes before /static/<name>
    def chart_library():
        if not charts_on():
            bottle.abort(404, "Chart.js is not installed (Debian: libjs-chart.js)")
        response = bottle.static_file(os.path.basename(library), root=os.path.dirname(library),
                                      mimetype="text/javascript")
        response.set_header("Cache-Control", "max-age=86400")
        return response
