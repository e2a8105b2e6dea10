"""SIM credit and keep-alive on the admin Modems page, and what the JSON API shares of it.

"Check credit" does not talk to the modem from the web thread: it queues a
request that the daemon's `sim-care` worker serves within a second or so
(gateway/care/requests.py); the page (refreshed every 2 s) then shows the
new amount, and `GET /api/admin/modems/<name>/balance` the history and what
became of the request.
"""
from __future__ import annotations

from gateway.care import credit, keepalive, requests
from gateway.money.billing import format_money
from webui.admin.common import Refused, when


def sim_of(pool, config, name: str):
    """Gives (the modem's ICCID, its [[sim]] table or None); the ICCID is "" until read."""
    status = next((status for status in (pool.status() if pool is not None else [])
                   if status.name == name), None)
    iccid = getattr(getattr(status, "health", None), "iccid", None) or ""
    return iccid, config.sim(iccid) if iccid else None


def ask_credit(pool, config, name: str, now: float) -> int:
    """Queues a credit check of the modem's SIM; gives the request id. Refused (409) when
    the SIM has no balance_ussd in a [[sim]] table, or its ICCID is not read yet."""
    iccid, sim = sim_of(pool, config, name)
    if not iccid:
        raise Refused(409, f"{name}: its SIM's ICCID is not read yet (is the modem up?)")
    if sim is None or not sim.balance_ussd:
        raise Refused(409, f"{name}: SIM {iccid} has no balance_ussd in a [[sim]] table")
    return requests.queue_request(config.gateway.box, "balance", name, "", now)


def credit_cell(rows: list[dict], config, money=None, when=when) -> None:
    """Adds to each modem row of the page its SIM's `credit` (None without a [[sim]]
    table): whether it can be checked, the last amount and when, the last check's error,
    and the last keep-alive. `money` and `when` write amounts and times: the JSON API's
    house forms unless a page gives its language's."""
    currency = config.gateway.currency
    money = money or (lambda minor: format_money(minor, currency))
    amounts = credit.latest_amounts(row["iccid"] for row in rows)
    for row in rows:
        sim = config.sim(row["iccid"]) if row["iccid"] else None
        if sim is None:
            row["credit"] = None
            continue
        found = amounts.get(row["iccid"])
        last = credit.last_check(row["iccid"]) if sim.balance_ussd else None
        kept = keepalive.last_keepalive(row["iccid"]) if sim.keepalive_days else None
        row["credit"] = {
            "checkable": bool(sim.balance_ussd),
            "amount": money(found.amount_minor) if found else "",
            "at": when(found.at) if found else "",
            "low": bool(found and sim.low_balance_minor
                        and found.amount_minor < sim.low_balance_minor),
            "error": last.error if last is not None and last.amount_minor is None else "",
            "keepalive": (f"last keep-alive {when(kept.at)}" if kept else
                          "no keep-alive sent yet") if sim.keepalive_days else ""}


def balance_json(config, name: str, iccid: str, request_id: int | None) -> dict:
    """Gives the modem's credit history (its SIM's, or of every SIM seen in it while no
    ICCID is read), and, with `request_id`, what became of that request."""
    rows = credit.history(iccid=iccid) if iccid else credit.history(modem=name)
    sim = config.sim(iccid) if iccid else None
    payload = {"modem": name, "iccid": iccid,
               "low_balance": sim.low_balance_minor if sim else None,
               "history": [{"at": row.at, "iccid": row.iccid, "modem": row.modem,
                            "amount": row.amount_minor, "answer": row.answer,
                            "error": row.error} for row in rows]}
    if request_id is not None:
        asked = requests.get(request_id)
        payload["request"] = None if asked is None or asked.modem != name else {
            "id": asked.id, "state": asked.state, "answer": asked.answer,
            "amount": asked.amount_minor, "error": asked.error}
    return payload
