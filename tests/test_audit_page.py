"""The admin Audit page (/admin/audit) and GET /api/admin/audit: the records of real
actions, newest first, 50 a page, filtered by account and by actor, hostile text shown
as text, and nobody but an admin let in."""
from __future__ import annotations

import json
import re

from gateway.actions import accounts as account_actions, callerids
from gateway.actions.audit import Actor, record

from tests.webclient import Client

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def admin(app) -> tuple[Client, str]:
    client = Client(app)
    return client, client.login("root", "admin-secret")


def rows(page: str) -> list[str]:
    """Gives the audit table's rows as their cells' text, tags stripped."""
    table = page.split('<table id="audit">', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr data-id.*?</tr>", table, re.S)]


def seed(app) -> None:
    """Changes made by an admin on the web, the command line and a texting phone."""
    now = app.clock.now
    web, cli, sms = (Actor("root", "web", "192.0.2.1"), Actor("ops", "cli"),
                     Actor("+4917099999999", "sms", "m1"))
    account_actions.top_up(web, app.alice.id, 250, now + 1, note="cash")
    account_actions.set_locked(cli, app.bob.id, True, now + 2)
    callerids.authorize(sms, app.bob.id, "+4917099999999", now + 3, how="by PIN")
    account_actions.debit(web, app.bob.id, 100, "refund", now + 4)


def test_the_page_lists_records_newest_first_with_who_how_and_where(app):
    seed(app)
    client, _ = admin(app)
    page = client.get("/admin/audit")
    assert page.status == 200 and '<a href="/admin/audit">Audit</a>' in page.text
    listed = rows(page.text)
    assert [row.split(" ")[2:5] for row in listed] == [
        ["root", "web", "192.0.2.1"], ["+4917099999999", "sms", "m1"],
        ["ops", "cli", "lock"], ["root", "web", "192.0.2.1"]]
    assert listed[0].endswith("debit bob took 1.00, balance now 4.00; reason: refund")
    assert listed[1].endswith("add_caller_id bob +4917099999999 authorized by PIN")
    assert listed[3].endswith("topup alice added 2.50, balance now 12.50; note: cash")


def test_filters_by_account_and_by_actor(app):
    seed(app)
    client, _ = admin(app)
    by_name = rows(client.get("/admin/audit?account=bob").text)
    assert len(by_name) == 3 and all(" bob " in row for row in by_name)
    by_number = rows(client.get(f"/admin/audit?account={app.alice.number}").text)
    assert len(by_number) == 1 and "topup alice" in by_number[0]
    both = rows(client.get("/admin/audit?account=bob&actor=root").text)
    assert len(both) == 1 and "debit bob" in both[0]
    assert rows(client.get("/admin/audit?actor=nobody").text) == []
    unknown = client.get("/admin/audit?account=nobody")
    assert unknown.status == 404 and "no account &#039;nobody&#039;" in unknown.text


def test_fifty_a_page(app):
    actor = Actor("root", "web")
    for index in range(51):
        record(actor, "lock", app.alice.id, f"record {index}", app.clock.now + index)
    client, _ = admin(app)
    first = client.get("/admin/audit")
    assert len(rows(first.text)) == 50 and "record 50" in rows(first.text)[0]
    assert "page 1 of 2 (51 in all)" in first.text and 'href="?page=2"' in first.text
    second = rows(client.get("/admin/audit?page=2").text)
    assert len(second) == 1 and second[0].endswith("record 0")
    filtered = client.get("/admin/audit?actor=root&page=2").text
    assert 'href="?actor=root&amp;page=1"' in filtered


def test_hostile_text_is_shown_as_text(app):
    client, csrf = admin(app)
    reply = client.post(f"/admin/accounts/{app.alice.id}/topup",
                        {"csrf_token": csrf, "amount": "1", "note": HOSTILE})
    assert reply.status == 200
    page = client.get("/admin/audit").text
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x" in page
    listed = json.loads(client.get("/api/admin/audit").text)["records"]
    assert listed[0]["detail"].endswith("note: " + HOSTILE)


def test_the_api_gives_the_same_records_with_the_same_filters(app):
    seed(app)
    client, _ = admin(app)
    answer = json.loads(client.get("/api/admin/audit?account=bob").text)
    assert (answer["page"], answer["pages"], answer["total"]) == (1, 1, 3)
    first = answer["records"][0]
    assert {key: first[key] for key in ("actor", "via", "address", "action", "account_id",
                                        "account")} == {
        "actor": "root", "via": "web", "address": "192.0.2.1", "action": "debit",
        "account_id": app.bob.id, "account": "bob"}
    assert first["at"] == app.clock.now + 4
    by_actor = json.loads(client.get("/api/admin/audit?actor=ops").text)["records"]
    assert [item["action"] for item in by_actor] == ["lock"]
    unknown = client.get("/api/admin/audit?account=nobody")
    assert unknown.status == 400 and "account" in json.loads(unknown.text)["fields"]


def test_only_admins_see_the_audit(app):
    seed(app)
    anonymous = Client(app)
    assert anonymous.get("/admin/audit").status == 303
    assert anonymous.get("/api/admin/audit").status == 401
    holder = Client(app)
    holder.login("alice", "alice-secret")
    refused = holder.get("/admin/audit")
    assert refused.status == 403 and "cash" not in refused.text
    assert holder.get("/api/admin/audit").status == 403
    assert 'href="/admin/audit"' not in holder.get("/").text


def test_a_german_page_names_the_action_and_how_it_came_in_german(app):
    seed(app)
    client, _ = admin(app)
    listed = rows(client.get("/admin/audit", headers={"Accept-Language": "de"}).text)
    assert "root Web 192.0.2.1 Belastung bob" in listed[0]         # was "web ... debit"
    assert "+4917099999999 SMS m1 Rufnummer hinzugefügt bob" in listed[1]
    assert "ops Kommandozeile Konto gesperrt" in listed[2]
