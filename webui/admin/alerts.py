"""Admin page /admin/alerts: this box's alerts, open ones first, and acknowledging one.

The rows are gateway/store/alerts.py's (raised anywhere in the box, delivered
by the `alerts` worker); reading and acknowledging go through
gateway/actions/alerts.py, like the JSON API and `callbox alerts list`. The page says an
alert's title, subject, advice and delivery in the reader's language
(webui/alert_texts.py); the JSON API keeps gateway's English.
"""
from __future__ import annotations

import bottle

from gateway.actions import alerts as alert_actions
from gateway.actions.audit import ActionError
from gateway.care.alert_kinds import about, advice_of, delivery_state, kind_of
from webui import alert_texts
from webui.admin.common import page_of
from webui.gateway_texts import translate
from webui.i18n import gettext


def alert_json(alert, urls: bool) -> dict:
    """Gives one alert as the JSON API answers it."""
    return {"id": alert.id, "kind": alert.kind, "title": kind_of(alert.kind).title,
            "subject": alert.subject, "about": about(alert), "modem": alert.modem,
            "message": alert.message, "advice": advice_of(alert), "state": alert.state,
            "repeats": alert.repeats, "raised_at": alert.at, "last_at": alert.last_at,
            "recovered_at": alert.recovered_at, "recovery": alert.recovery,
            "acknowledged": bool(alert.acknowledged),
            "delivery": {"sent_at": alert.sent_at, "recovery_sent_at": alert.recovery_sent_at,
                         "attempts": alert.attempts, "next_attempt_at": alert.next_attempt_at,
                         "last_error": alert.last_error,
                         "state": delivery_state(alert, urls)}}


def install(app: bottle.Bottle, web) -> None:
    box = web.config.gateway.box

    def page(session, notice: str = "", error: str = "", status: int = 200):
        bottle.response.status = status
        urls = bool(web.config.alerts.urls)
        return web.render("alerts", session, rows=page_of(alert_actions.listing(box)),
                          title_of=alert_texts.title, about_of=alert_texts.about,
                          advice_of=alert_texts.advice, recovered_of=alert_texts.recovered,
                          message_of=alert_texts.message, recovery_of=alert_texts.recovery,
                          delivery=lambda alert: alert_texts.delivery(alert, urls), urls=urls,
                          link=lambda number: f"/admin/alerts?page={number}",
                          notice=notice, error=error)

    @app.get("/admin/alerts")
    def alerts_page():
        return page(web.admin_required())

    @app.post("/admin/alerts/<alert_id:int>/ack")
    def acknowledge(alert_id):
        session = web.admin_required()
        web.check_csrf(session)
        try:
            alert = alert_actions.acknowledge(web.actor(session), box, alert_id, web.now())
        except ActionError as refusal:
            return page(session, error=translate(str(refusal)), status=404)
        return page(session, notice=gettext("Alert {id} ({title}) acknowledged.").format(
            id=alert.id, title=alert_texts.title(alert)))
