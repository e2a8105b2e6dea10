"""Admin Webhooks page: the configured webhooks (never their secrets) and the delivery
log, newest first, with a Retry button for a delivery that failed for good.

The rows are the persistent queue itself (gateway/care/webhook_queue.py): a retry
queues the delivery again and wakes the daemon's `webhooks` thread, which sends it
at once. The same log is JSON at GET /api/admin/webhooks/deliveries (webui/api/webhooks.py).
"""
from __future__ import annotations

from collections.abc import Callable

import bottle

from gateway.care import webhook_queue
from gateway.config.webhooks import shown_url
from webui.admin.common import Page, page_link, page_of, query_text


def configured(web) -> list[dict]:
    """Gives each configured webhook as pages and the API show it: no secret, no query."""
    counts = webhook_queue.counts(web.config.gateway.box)
    return [{"name": hook.name, "url": shown_url(hook.url), "events": list(hook.events),
             "timeout": hook.timeout, "retry_backoff": list(hook.retry_backoff),
             **{state: counts.get((hook.name, state), 0)
                for state in (webhook_queue.PENDING, webhook_queue.DELIVERED,
                              webhook_queue.FAILED)}}
            for hook in web.config.webhooks]


def deliveries(web) -> Page:
    """Gives the page of deliveries the query asks for (`webhook`: one webhook's only)."""
    return page_of(webhook_queue.recent(web.config.gateway.box, query_text("webhook", 32) or None))


def retry(web, delivery_id: int, wake: Callable[[], None] | None):
    """Queues a failed delivery again and wakes the sender; raises LookupError, ValueError."""
    row = webhook_queue.retry(web.config.gateway.box, delivery_id, web.now())
    if wake is not None:
        wake()
    return row


def install(app: bottle.Bottle, web, wake: Callable[[], None] | None = None) -> None:
    """`wake()`: makes the daemon's webhooks thread send now (None without a daemon)."""

    def page(session, notice: str = "", error: str = "", status: int = 200):
        bottle.response.status = status
        return web.render("webhooks", session, hooks=configured(web), rows=deliveries(web),
                          link=page_link, notice=notice, error=error)

    @app.get("/admin/webhooks")
    def webhooks_page():
        return page(web.admin_required())

    @app.post("/admin/webhooks/deliveries/<delivery_id:int>/retry")
    def retry_delivery(delivery_id):
        session = web.admin_required()
        web.check_csrf(session)
        try:
            row = retry(web, delivery_id, wake)
        except LookupError as refusal:
            return page(session, error=str(refusal), status=404)
        except ValueError as refusal:
            return page(session, error=str(refusal), status=409)
        return page(session, notice=f"{row.event} {row.event_id} queued again for webhook "
                    f"{row.webhook}; the box sends it within seconds")
