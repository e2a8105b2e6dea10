"""The first-run page, /admin/start: a fresh box's owner walked from modems to a test call.

A box with no accounts or no rates calls nobody, so until it has both the admin's landing
page (/admin) is this one. Each step is done or not from what the box has now (the modem
pool's status, the database), with a link to the page that does it:

1. modems found: each modem the configuration names, with what `callbox probe PORT`
   reads of it (model, firmware, IMEI, SIM, operator, signal, registration), from the
   running box, which holds the ports;
2. rates imported (the sample CSV is served here to download and edit);
3. the first account created;
4. a caller ID authorized (its holder's phone is then known: no PIN asked);
5. a test call: a call the box placed was answered (a callback, connect-two, or a
   modem's voice test).

The steps refresh by themselves: /static/start.js fetches /admin/start/steps (the same
list, rendered alone) every 2 seconds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import bottle

from gateway.care.models import ModemRequest
from gateway.money.ledger import Account, CallerId, Cdr, RateRecord
from modems.profiles import VOICE_PATHS
from webui import gateway_texts

STATIC = Path(__file__).resolve().parent.parent / "static"
SAMPLE_RATES = "rates-sample.csv"       # config/rates-sample.csv, linked into static/


@dataclass
class Step:
    """One step of the first run: its key (the page's element ids), whether it is done,
    the link to the page that does it, and what the page says of it now."""

    key: str
    done: bool
    link: str
    facts: dict = field(default_factory=dict)


def needed() -> bool:
    """Tells whether the box still lacks accounts or rates (and so calls nobody)."""
    return not Account.select().exists() or not RateRecord.select().exists()


def modem_facts(pool, config) -> list[dict]:
    """Gives what the page shows of each modem: its port and state, and what a probe
    reads of it, once it was opened."""
    ports = {modem.name: modem.port for modem in config.modems}
    rows = []
    for status in (pool.status() if pool is not None else []):
        identity, health = status.identity, status.health
        row = {"name": status.name, "port": ports.get(status.name, ""), "state": status.state,
               "reason": status.reason, "roles": ", ".join(sorted(status.roles))}
        if identity is not None:
            row.update(model=f"{identity.manufacturer} {identity.model}".strip(),
                       firmware=identity.revision, imei=identity.imei,
                       profile=identity.profile, voice=VOICE_PATHS.get(identity.profile, "unknown"))
        if health is not None:
            row.update(sim=health.sim_state, operator=health.operator or "",
                       registration=health.registration,
                       signal="" if health.dbm is None else f"{health.dbm} dBm, "
                       f"{health.bars}/5")
        rows.append(row)
    return rows


def last_test_call() -> dict | None:
    """Gives the last call the box placed that was answered, or the last voice test done:
    {"at": Unix time, "number": ...}; None when there is neither."""
    leg = (Cdr.select().where(Cdr.direction == "outgoing", Cdr.answered_at.is_null(False))
           .order_by(Cdr.answered_at.desc()).first())
    test = (ModemRequest.select().where(ModemRequest.kind == "voicetest",
                                        ModemRequest.state == "done")
            .order_by(ModemRequest.done_at.desc()).first())
    found = [(leg.answered_at, leg.number) for leg in [leg] if leg is not None]
    found += [(test.done_at or test.created_at, test.text) for test in [test] if test is not None]
    if not found:
        return None
    at, number = max(found)
    return {"at": at, "number": number}


def steps(pool, config) -> list[Step]:
    """Gives the five steps of the first run as the box stands now."""
    modems = modem_facts(pool, config)
    rates = RateRecord.select().count()
    accounts = Account.select().count()
    first = Account.select().order_by(Account.id).first()
    caller_ids = CallerId.select().count()
    triggers = [row["name"] for row in modems if "trigger" in row["roles"]]
    test = last_test_call()
    return [
        Step("modems", any(row["state"] == "up" for row in modems), "/admin/modems",
             {"modems": modems}),
        Step("rates", rates > 0, "/admin/rates", {"count": rates}),
        Step("account", accounts > 0, "/admin/accounts",
             {"count": accounts, "first": first.name if first else ""}),
        Step("callerid", caller_ids > 0,
             f"/admin/accounts/{first.id}" if first else "/admin/accounts",
             {"count": caller_ids}),
        Step("callback", test is not None, "/admin/modems",
             {"last": test, "triggers": ", ".join(triggers)}),
    ]


def install(app: bottle.Bottle, web) -> None:
    @app.get("/admin/start")
    def start_page():
        session = web.admin_required()
        return web.render("start", session, steps=steps(web.pool, web.config),
                          said=gateway_texts.translate)

    @app.get("/admin/start/steps")
    def start_steps():
        session = web.admin_required()
        return web.render("start_steps", session, steps=steps(web.pool, web.config),
                          said=gateway_texts.translate)

    @app.get(f"/admin/start/{SAMPLE_RATES}")
    def sample_rates():
        web.admin_required()
        return bottle.static_file(SAMPLE_RATES, root=str(STATIC), mimetype="text/csv",
                                  download=SAMPLE_RATES)
