"""Admin Audit page: every change an action made, newest first, 50 a page.

Filters: `?account=` (an account's name or the number callers type) and
`?actor=` (who acted: a web login, an OS user of `callbox`, a phone number).
The same list is JSON at GET /api/admin/audit (webui/api/admin.py). The
records are written by gateway/actions/ in each change's own transaction.
"""
from __future__ import annotations

from urllib.parse import urlencode

import bottle

from gateway.actions import audit
from gateway.actions.audit import AuditRecord
from gateway.money import accounts
from webui import gateway_texts
from webui.admin.common import Page, page_link, page_of, query_text


class UnknownAccount(LookupError):
    """The account filter names no account."""


def filtered() -> tuple[Page, str, str]:
    """Gives the page of records the query's filters ask for, with the filters as typed;
    UnknownAccount when `account` names none."""
    account_text, actor = query_text("account", 64), query_text("actor", 100)
    account_id = None
    if account_text:
        account = accounts.by_number_or_name(account_text)
        if account is None:
            raise UnknownAccount(f"no account {account_text!r}")
        account_id = account.id
    return page_of(audit.records(account_id, actor or None)), account_text, actor


def actor_link(name: str) -> str:
    """Gives the link to the records of one actor."""
    return "/admin/audit?" + urlencode({"actor": name})


def record_json(row: AuditRecord) -> dict:
    return {"id": row.id, "at": row.at, "actor": row.actor, "via": row.via,
            "address": row.address, "action": row.action, "account_id": row.account_id,
            "account": row.account.name if row.account_id is not None else None,
            "detail": row.detail}


def install(app: bottle.Bottle, web) -> None:
    @app.get("/admin/audit")
    def audit_page():
        session = web.admin_required()
        try:
            records, account_text, actor = filtered()
        except UnknownAccount as error:
            bottle.response.status = 404
            return web.render("admin_audit", session, records=None,
                              error=gateway_texts.translate(str(error)),
                              account=query_text("account", 64), actor=query_text("actor"),
                              link=page_link, actor_link=actor_link)
        return web.render("admin_audit", session, records=records, error="",
                          account=account_text, actor=actor, link=page_link,
                          actor_link=actor_link)
