"""The alerts' words on the admin pages, in the page's language.

Gateway knows no language: an alert's title, what its subject is, the advice, the
recovery's title, what became of its messages and what the alerts worker says happened
are English in gateway/care/alert_kinds.py (KINDS, GIVEN_ADVICE, DELIVERY, MESSAGES).
Their English is not written again here: the catalogue takes it from
`alert_kinds.texts()` (babel.cfg runs `extract` on that module), and the functions here
give an alert's words through the request's gettext and clock (a modem's reason in them
through webui/gateway_texts.py; percentages, times, money and a SIM's counts in the
page's form, `formed`). The JSON API (webui/admin/alerts.py `alert_json`) and the messages
the owner receives stay English.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
import re
import time

from gateway.care import alert_kinds
from webui.gateway_texts import translate
from webui.i18n import Language, current, gettext, language_of

_MONEY = re.compile(r"(-?)(\d+)(?:\.(\d+))? ([A-Za-z]{3})")     # format_money's "12.50 EUR"
_COUNT = re.compile(r"(.+) (\d+(?:/\d+)?)")
_TIMES = {19: "%Y-%m-%d %H:%M:%S", 16: "%Y-%m-%d %H:%M"}


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
    gateway wrote it from alert_kinds.MESSAGES, else the raiser's words."""
    return alert_kinds.retold(alert.message, gettext, translate, formed)


def recovery(alert) -> str:
    """Gives how an alert recovered ("modem m2 is up again"), likewise."""
    return alert_kinds.retold(alert.recovery or "", gettext, translate, formed)


def formed(form: str, value: str, language: Language | None = None) -> str:
    """Gives a value of an alert's words (alert_kinds.FORMS) in the page's form: "3.2 %" as
    "3,2 %", "2026-12-03 09:04" as "03.12.2026, 09:04", "0.40 EUR" as "0,40 €", a SIM's
    counts with their words translated; a value not in its house form stays as it is."""
    language = language or current()
    try:
        if form == "percent" and value.endswith(" %"):
            return f"{language.figure(Decimal(value[:-2]))} %"
        if form == "figure":
            return language.figure(int(value))
        if form == "time" and len(value) in _TIMES:
            stamp = time.mktime(time.strptime(value, _TIMES[len(value)]))
            return language.when(stamp, seconds=len(value) == 19)
        if form == "money" and (found := _MONEY.fullmatch(value)):
            sign, whole, part, currency = found[1], found[2], found[3] or "", found[4]
            minor = int(whole + part) * (-1 if sign else 1)
            return language_of(language.code, currency).money(minor, len(part))
        if form == "counts":
            return ", ".join(_counted(part, language) for part in value.split(", "))
    except (ValueError, InvalidOperation, OverflowError):
        pass        # not in the form gateway writes (a hand-made row): shown as it is
    return value


def _counted(part: str, language: Language) -> str:
    found = _COUNT.fullmatch(part)
    return f"{language.gettext(found[1])} {found[2]}" if found else part


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
