"""Admin SMS page: messages received (with what became of them), texts sent with
their state, the quarantine of PDUs that could not be read, and retrying a failed text.

Like `callbox sms`, it shows this box's rows; a retry queues the text again
through gateway.sms.store.retry, and the daemon's `sms-out` thread sends it.
"""
from __future__ import annotations

import bottle

from gateway.sms import store as sms_store
from gateway.sms.models import SmsCommand, SmsIn, SmsOut
from webui import gateway_texts, i18n
from webui.admin.common import page_of, query_text

VIEWS = {"in": i18n.N_("Received"), "out": i18n.N_("Sent"), "quarantine": i18n.N_("Quarantine")}


def rows_of(view: str, box: str):
    """Gives the query of one view, newest first."""
    if view == "out":
        return SmsOut.select().where(SmsOut.box == box).order_by(SmsOut.id.desc())
    if view == "quarantine":
        return (SmsIn.select().where((SmsIn.box == box) & (SmsIn.state == "quarantined"))
                .order_by(SmsIn.id.desc()))
    return SmsCommand.select().where(SmsCommand.box == box).order_by(SmsCommand.id.desc())


def install(app: bottle.Bottle, web) -> None:
    box = web.config.gateway.box

    def page(session, view: str, notice: str = "", error: str = "", status: int = 200):
        bottle.response.status = status
        return web.render("sms", session, view=view, views=VIEWS,
                          rows=page_of(rows_of(view, box)),
                          link=lambda number: f"/admin/sms?show={view}&page={number}",
                          notice=notice, error=error, said=gateway_texts.translate)

    @app.get("/admin/sms")
    def sms_page():
        session = web.admin_required()
        view = query_text("show", 20) or "in"
        if view not in VIEWS:
            bottle.abort(404, "no such SMS view")
        return page(session, view)

    @app.post("/admin/sms/out/<out_id:int>/retry")
    def retry(out_id):
        session = web.admin_required()
        web.check_csrf(session)
        try:
            row = sms_store.retry(out_id, web.now())
        except LookupError as error:
            return page(session, "out", error=str(error), status=404)
        except ValueError as error:
            return page(session, "out", error=str(error), status=409)
        return page(session, "out", notice=f"SMS {row.id} to {row.number} queued again; "
                    "the box sends it within seconds")
