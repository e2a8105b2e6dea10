"""The alerts' words on the admin pages, in the page's language.

Gateway knows no language: an alert's title, what its subject is, the advice, the
recovery's title, what became of its messages and what the alerts worker says happened
are English in gateway/care/alert_kinds.py (KINDS, GIVEN_ADVICE, DELIVERY, MESSAGES).
Their English is not written again here: the catalogue takes it from
`alert_kinds.texts()` (babel.cfg runs `extract` on that module), and the functions here
give an alert's words through the request's gettext and clock (a modem's reason in them
through webui/gateway_texts.py). What other raisers say happened (an SMS, a SIM's credit
or limit, a PIN lock) stays their English; so do the JSON API (webui/admin/alerts.py
`alert_json`) and the messages the owner receives.
"""
from __future__ import annotations

from gateway.care import alert_kinds
from webui.gateway_texts import translate
from webui.i18n import current, gettext


def title(alert) -> str:
    """Gives an alert's title: "Modem down" ("Modem ausgefallen")."""
    return gettext(alert_kinds.kind_of(alert.kind).title)


def about(alert) -> str:
    """Gives what an alert is about: "modem m2" ("Modem m2"), or ''."""
    return alert_kinds.about(alert, gettext)


def advice(alert) -> str:
    """Gives what the owner can do about an alert."""
    return alert_kinds.advice_of(alert, gettext)


def message(alert) -> str:
    """Gives what happened: "modem m2 is down for 2 min now: ..." in the page's words when
    the alerts worker said it, else the raiser's words."""
    return alert_kinds.retold(alert.message, gettext, translate)


def recovery(alert) -> str:
    """Gives how an alert recovered ("modem m2 is up again"), likewise."""
    return alert_kinds.retold(alert.recovery or "", gettext, translate)


def recovered(alert) -> str:
    """Gives the title of an alert's recovery: "Modem back up" ("Modem wieder da")."""
    return alert_kinds.recovered_title(alert.kind, gettext)


def delivery(alert, urls: bool) -> str:
    """Gives what became of an alert's messages, times in the page's form."""
    return alert_kinds.delivery_state(alert, urls, gettext, current().clock)


def extract(fileobj, keywords, comment_tags, options):
    """Babel extractor for gateway/care/alert_kinds.py (babel.cfg): gives each text of
    `alert_kinds.texts()` with the line of the module it begins on."""
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for text in alert_kinds.texts():
        start = source.find(text[:24])
        line = source.count("\n", 0, start) + 1 if start >= 0 else 1
        yield line, "gettext", text, []
