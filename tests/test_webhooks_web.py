"""The admin Webhooks page (/admin/webhooks) and GET /api/admin/webhooks/deliveries: the
configured webhooks without their secrets, the delivery log, Retry for a failed delivery
(CSRF checked), and nobody but an admin let in."""
from __future__ import annotations

import json
import threading
import time
import types

import pytest

from gateway import users
from gateway.care import webhook_queue as queue
from gateway.care.webhook_queue import Fact, WebhookDelivery
from gateway.config import parse
from gateway.money import accounts
from gateway.store.db import close_database, open_database
from webui.app import make_app

from tests.webclient import Client

SECRET = "never-on-a-page-0123456789"


@pytest.fixture
def site(tmp_path):
    """The web app of a box with two webhooks and three deliveries: one delivered, one
    pending, one failed."""
    config = parse({"gateway": {"database": str(tmp_path / "web.db"), "box": "box1",
                                "state_dir": str(tmp_path)},
                    "webhook": [{"name": "crm", "url": "https://crm.example.com/h?token=t0ken",
                                 "secret": SECRET},
                                {"name": "bill", "url": "http://10.0.0.5:9000/cb",
                                 "secret": SECRET, "events": ["call.ended"]}]}, "test.toml")
    open_database(config.gateway.database)
    now = time.time()
    users.add_user("root", "admin-secret", now, is_admin=True)
    accounts.create("alice", "1234", 1000, now)
    users.add_user("alice", "alice-secret", now)       # the holder of account alice
    subscribers = {hook.name: hook.events for hook in config.webhooks}
    queue.enqueue("box1", [Fact("alert", "box1:alert-1", now, {"kind": "modem-down"}),
                           Fact("call.ended", "box1:call-7", now, {"id": 7, "cost": 12})],
                  subscribers, now)
    first, _, second = WebhookDelivery.select().order_by(WebhookDelivery.id)   # crm, crm, bill
    queue.delivered(first.id, 204, now)
    queue.attempt_failed(second, 502, "the receiver answered 502 Bad Gateway", (), now)
    woken = threading.Event()
    services = types.SimpleNamespace(pool=None, calls=None,
                                     webhooks=types.SimpleNamespace(wake=woken.set))
    app = make_app(config, services)
    app.woken, app.failed_id = woken, second.id
    yield app
    close_database()


def test_the_page_shows_webhooks_without_secrets_and_the_log(site):
    client = Client(site)
    client.login("root", "admin-secret")
    page = client.get("/admin/webhooks")
    assert page.status == 200 and '<a href="/admin/webhooks">Webhooks</a>' in page.text
    assert SECRET not in page.text and "t0ken" not in page.text
    assert "https://crm.example.com/h?..." in page.text and "http://10.0.0.5:9000/cb" in page.text
    assert f'data-id="{site.failed_id}" data-state="failed"' in page.text
    assert "502 Bad Gateway" in page.text and page.text.count(">Retry</button>") == 1
    assert page.text.count('data-state="delivered"') == 1
    only_bill = client.get("/admin/webhooks?webhook=bill").text
    assert only_bill.count("<tr data-id=") == 1 and "box1:call-7" in only_bill


def test_retry_needs_the_csrf_token_and_queues_a_failed_delivery_again(site):
    client = Client(site)
    csrf = client.login("root", "admin-secret")
    path = f"/admin/webhooks/deliveries/{site.failed_id}/retry"
    assert client.post(path, {"csrf_token": "wrong"}).status == 403
    assert WebhookDelivery.get_by_id(site.failed_id).state == "failed"
    reply = client.post(path, {"csrf_token": csrf})
    assert reply.status == 200 and "call.ended box1:call-7 queued again" in reply.text
    row = WebhookDelivery.get_by_id(site.failed_id)
    assert (row.state, row.attempts) == ("pending", 0) and site.woken.is_set()
    again = client.post(path, {"csrf_token": csrf})
    assert again.status == 409 and "only a failed one is retried" in again.text
    assert client.post("/admin/webhooks/deliveries/999/retry", {"csrf_token": csrf}).status == 404


def test_the_json_log_and_retry_are_for_admins_only(site):
    anonymous = Client(site)
    assert anonymous.get("/admin/webhooks").status == 303
    assert anonymous.get("/api/admin/webhooks/deliveries").status == 401
    holder = Client(site)
    holder.login("alice", "alice-secret")
    assert holder.get("/admin/webhooks").status == 403
    assert holder.get("/api/admin/webhooks/deliveries").status == 403
    admin = Client(site)
    csrf = admin.login("root", "admin-secret")
    reply = admin.get("/api/admin/webhooks/deliveries")
    assert reply.status == 200 and SECRET not in reply.text and "t0ken" not in reply.text
    data = json.loads(reply.text)
    assert [hook["name"] for hook in data["webhooks"]] == ["crm", "bill"]
    assert (data["webhooks"][1]["failed"], data["webhooks"][0]["delivered"]) == (1, 1)
    newest = data["deliveries"][0]
    assert (newest["event"], newest["state"], newest["last_status"]) == ("call.ended", "failed",
                                                                         502)
    assert newest["body"]["data"] == {"id": 7, "cost": 12} and newest["body"]["box"] == "box1"
    path = f"/api/admin/webhooks/deliveries/{site.failed_id}/retry"
    assert admin.request("POST", path, json_body={}).status == 403          # no CSRF header
    retried = admin.request("POST", path, json_body={}, headers={"X-CSRF-Token": csrf})
    assert retried.status == 200 and json.loads(retried.text)["delivery"]["state"] == "pending"
    assert admin.request("POST", path, json_body={},
                         headers={"X-CSRF-Token": csrf}).status == 409
