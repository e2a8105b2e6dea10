"""GET /api/admin/webhooks/deliveries (the Webhooks page's log as JSON) and
POST /api/admin/webhooks/deliveries/<id>/retry (its Retry button); admins only."""
from __future__ import annotations

from collections.abc import Callable
import json

import bottle

from gateway.care.webhook_queue import WebhookDelivery
from webui.admin import webhooks as admin_webhooks
from webui.api.common import page_json, posted
from webui.inputs import json_error


def delivery_json(row: WebhookDelivery) -> dict:
    return {"id": row.id, "webhook": row.webhook, "event": row.event,
            "event_id": row.event_id, "state": row.state, "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at, "last_status": row.last_status,
            "last_error": row.last_error, "created_at": row.created_at,
            "delivered_at": row.delivered_at, "body": json.loads(row.body)}


def install(app: bottle.Bottle, web, wake: Callable[[], None] | None = None) -> None:
    @app.get("/api/admin/webhooks/deliveries")
    def api_deliveries():
        web.admin_required(api=True)
        rows = admin_webhooks.deliveries(web)
        return {"webhooks": admin_webhooks.configured(web),
                **page_json(rows, "deliveries", [delivery_json(row) for row in rows.rows])}

    @app.post("/api/admin/webhooks/deliveries/<delivery_id:int>/retry")
    def api_retry(delivery_id):
        posted(web)
        try:
            row = admin_webhooks.retry(web, delivery_id, wake)
        except LookupError as refusal:
            raise json_error(404, str(refusal)) from None
        except ValueError as refusal:
            raise json_error(409, str(refusal)) from None
        return {"delivery": delivery_json(row)}
