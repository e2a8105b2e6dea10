"""The Alerts page's JSON API: GET /api/admin/alerts, POST /api/admin/alerts/<id>/ack.

Like the rest of /api/admin/ (webui/api/admin.py): for a logged-in admin only
(401 without a session, 403 for an account holder and for any API token), a
POST carries the session's CSRF token in X-CSRF-Token, and an
acknowledgement is audited as "api".
"""
from __future__ import annotations

import bottle

from gateway.actions import alerts as alert_actions
from webui.admin.alerts import alert_json
from webui.admin.common import page_of, query_text
from webui.api.common import page_json, posted
from webui.inputs import json_error


def install(app: bottle.Bottle, web) -> None:
    box = web.config.gateway.box

    @app.get("/api/admin/alerts")
    def api_alerts():
        web.admin_required(api=True)
        open_only = query_text("open", 5) in ("1", "true", "yes")
        alerts = page_of(alert_actions.listing(box, open_only))
        urls = bool(web.config.alerts.urls)
        return {**page_json(alerts, "alerts", [alert_json(alert, urls)
                                               for alert in alerts.rows]),
                "open": alert_actions.open_count(box)}

    @app.post("/api/admin/alerts/<alert_id:int>/ack")
    def api_alert_ack(alert_id):
        session = posted(web)
        try:
            alert = alert_actions.acknowledge(web.actor(session, "api"), box, alert_id,
                                              web.now())
        except alert_actions.NoSuchAlert as refusal:
            raise json_error(404, str(refusal)) from None
        return alert_json(alert, bool(web.config.alerts.urls))
