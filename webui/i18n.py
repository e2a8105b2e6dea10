"""The web UI in the reader's language: which language a request gets, its translations,
and dates, times and money written the way that language writes them.

The language of a request is the one its `callbox_lang` cookie names (set by the switch in
every page, GET /language/<code>), else the best of the browser's Accept-Language that we
have, else English. Translations are gettext catalogues extracted with Babel from the
`_("...")` and `ngettext(...)` calls in webui/*.py and webui/views/*.tpl (babel.cfg), kept
in webui/locale/<code>/LC_MESSAGES/messages.po and compiled beside it (messages.mo; `make
translations` extracts, updates and compiles). English is the source language: it needs
no catalogue and keeps the box's house formats ("12.50 EUR", "2026-12-03 09:04:24"), which
the JSON API and the tests read too. JSON error messages stay English: they are an API.
The pages' scripts get the same forms through `script_formats` (ui.js `callbox.formats`).
"""
from __future__ import annotations

import ast
import functools
import gettext as gettext_module
import json
import logging
import os
import re
import time
from datetime import datetime
from decimal import Decimal

import bottle
from babel import Locale, dates, numbers
from babel.support import Translations

from gateway.money.accounts import OPENING_BALANCE_NOTE
from gateway.money.billing import MILLI, MINOR_DIGITS, format_money, format_price

log = logging.getLogger(__name__)

HERE = os.path.dirname(os.path.abspath(__file__))
LOCALE_DIR = os.path.join(HERE, "locale")
DOMAIN = "messages"
LANGUAGES = {"en": "English", "de": "Deutsch"}     # code: the language's name in itself
DEFAULT = "en"
COOKIE = "callbox_lang"
COOKIE_LIFETIME = 365 * 24 * 3600
ENVIRON_KEY = "callbox.language"
CURRENCY_KEY = "callbox.currency"      # in the Bottle app's config
# Babel locales for the formats: a language alone names no country's habits
FORMAT_LOCALES = {"en": "en_GB", "de": "de_DE"}


def accepted(header: str | None) -> list[str]:
    """Gives the language codes of an Accept-Language header, most wanted first, without
    those refused with q=0 ("de-AT, en;q=0.5" gives ["de-at", "en"])."""
    wanted = []
    for order, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag or len(tag) > 35:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            wanted.append((-quality, order, tag))
    return [tag for _q, _order, tag in sorted(wanted)]


def choose(cookie: str | None, accept_language: str | None) -> str:
    """Gives the language for a request: the cookie's, else the first of Accept-Language we
    have (a region falls back to its language: de-AT is de), else English."""
    if cookie in LANGUAGES:
        return cookie
    for tag in accepted(accept_language):
        if tag == "*":
            return DEFAULT
        code = tag.split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT


@functools.cache
def translations(code: str) -> gettext_module.NullTranslations:
    """Gives the compiled catalogue of a language (English: the source texts themselves)."""
    if code == DEFAULT:
        return gettext_module.NullTranslations()
    found = Translations.load(LOCALE_DIR, [code], DOMAIN)
    if not isinstance(found, Translations):
        log.warning("web UI: no compiled catalogue for %r in %s: pages show English "
                    "(run make translations)", code, LOCALE_DIR)
    return found


class Language:
    """One language's texts and formats, for one request."""

    def __init__(self, code: str, currency: str):
        self.code = code
        self.name = LANGUAGES[code]
        self.currency = currency
        self.locale = Locale.parse(FORMAT_LOCALES[code])
        self.catalogue = translations(code)

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.catalogue.ngettext(singular, plural, count)

    def money(self, minor: int, minor_digits: int = 2) -> str:
        """Gives an amount in minor units: '12.50 EUR' in English, '12,50 €' in German."""
        if self.code == DEFAULT or len(self.currency) != 3 or minor_digits != 2:
            return format_money(minor, self.currency, minor_digits)
        amount = Decimal(minor).scaleb(-minor_digits)
        return numbers.format_currency(amount, self.currency.upper(), locale=self.locale,
                                       currency_digits=False)

    def price(self, millicents: int) -> str:
        """Gives a price per minute with the decimals it has, at least two: '0.0123 EUR' in
        English, '0,0123 €' in German (a rate may be set to a thousandth of a cent)."""
        if self.code == DEFAULT or len(self.currency) != 3:
            return format_price(millicents, self.currency)
        amount = Decimal(millicents).scaleb(-MINOR_DIGITS - len(str(MILLI)) + 1).normalize()
        return numbers.format_currency(amount, self.currency.upper(), locale=self.locale,
                                       currency_digits=False, decimal_quantization=False)

    def figure(self, value: float) -> str:
        """Gives a figure with the decimals it has: '12.5' in English, '12,5' in German."""
        if self.code == DEFAULT or isinstance(value, bool) or value is None:
            return str(value)
        return numbers.format_decimal(value, locale=self.locale)

    def when(self, stamp: float | None, seconds: bool = True) -> str:
        """Gives a Unix time as a local date and time ('03.12.2026, 09:04:24' in German),
        or '' for none."""
        if not stamp:
            return ""
        if self.code == DEFAULT:
            return time.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M",
                                 time.localtime(stamp))
        moment = datetime.fromtimestamp(stamp)
        return (dates.format_date(moment, "medium", locale=self.locale) + ", "
                + self.clock(stamp, seconds))

    def clock(self, stamp: float | None, seconds: bool = True) -> str:
        """Gives the local time of day of a Unix time ('09:04:24'), or '' for none."""
        if not stamp:
            return ""
        if self.code == DEFAULT:
            return time.strftime("%H:%M:%S" if seconds else "%H:%M", time.localtime(stamp))
        return dates.format_time(datetime.fromtimestamp(stamp), "medium" if seconds else "short",
                                 locale=self.locale)

    def script_formats(self, now: float | None = None) -> dict:
        """Gives what the pages' scripts need to write times and money as the page does
        (ui.js `callbox.formats`): the language, its Babel locale as a BCP 47 tag for Intl,
        the currency, and the box's offset from UTC now (s) so that a time the script
        writes is the box's wall clock, as the page's are, whatever the browser's zone."""
        offset = time.localtime(now if now is not None else time.time()).tm_gmtoff
        return {"lang": self.code, "locale": FORMAT_LOCALES[self.code].replace("_", "-"),
                "currency": self.currency.upper(), "offset": offset}

    def stored_word(self, value: str | None) -> str:
        """Gives a word as the database keeps it ('connect-two', 'no answer', 'sent') in
        this language; a value not in STORED_WORDS as it is."""
        return self.gettext(STORED_WORDS[value]) if value in STORED_WORDS else (value or "")

    @functools.cached_property      # a Language is made once per language and currency
    def stored_words(self) -> dict[str, str]:
        """Gives STORED_WORDS in this language, for a page's script (data-causes)."""
        return {value: self.gettext(text) for value, text in STORED_WORDS.items()}

    def template_values(self) -> dict:
        """What every template gets: `_`, `ngettext`, the formats and the language switch."""
        return {"_": self.gettext, "ngettext": self.ngettext, "lang": self.code,
                "languages": LANGUAGES, "money": self.money, "price": self.price, "figure": self.figure,
                "when": self.when, "clock": self.clock, "stored_word": self.stored_word,
                "stored_words": self.stored_words,
                "formats": json.dumps(self.script_formats())}


def current() -> Language:
    """Gives the language of the request being served (chosen once per request), with the
    box's currency that make_app put in the app's config."""
    environ = bottle.request.environ
    language = environ.get(ENVIRON_KEY)
    if language is None:
        code = choose(bottle.request.get_cookie(COOKIE),
                      bottle.request.get_header("Accept-Language"))
        currency = bottle.request.app.config.get(CURRENCY_KEY, "")
        language = environ[ENVIRON_KEY] = language_of(code, currency)
    return language


@functools.cache
def language_of(code: str, currency: str) -> Language:
    """Gives one shared Language per language and currency (it holds no request state)."""
    return Language(code, currency)


def gettext(message: str) -> str:
    """Translates a user-visible text of a page into the request's language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return current().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; a template translates it where
    it is shown (`_(label)`)."""
    return message


# Words the database keeps, shown in the page's language by `Language.stored_word`: a
# session's kind and a leg's end cause (gateway/calls, modems/events.py EndCause), an
# outgoing SMS's kind, state and delivery (gateway/sms/models.py SmsOut, reports.py), an
# audit record's action and how it came.
STORED_WORDS = {
    "callback": N_("callback"), "connect-two": N_("connect two"),
    "normal": N_("normal"), "busy": N_("busy"), "no answer": N_("no answer"),
    "rejected": N_("rejected"), "no carrier": N_("no carrier"), "network": N_("network"),
    "modem down": N_("modem down"), "failed": N_("failed"), "box restarted": N_("box restarted"),
    "reply": N_("reply"), "help": N_("help"), "code": N_("code"), "notice": N_("notice"),
    "manual": N_("manual"), "keepalive": N_("keep-alive"), "queued": N_("waiting to be sent"),
    "sending": N_("sending"), "sent": N_("sent"), "awaiting": N_("awaiting"),
    "delivered": N_("delivered"),
    # the note of the top-up an account is made with
    OPENING_BALANCE_NOTE: N_("opening balance"),
    # an audit record's action (gateway/actions/) and how it came (audit.py VIAS)
    "acknowledge_alert": N_("alert acknowledged"), "add_caller_id": N_("caller ID added"),
    "add_user": N_("web login added"), "block": N_("number blocked"),
    "change_password": N_("password changed"), "create_account": N_("account created"),
    "debit": N_("debit"), "import_rates": N_("rates imported"),
    "issue_api_token": N_("API token issued"), "lock": N_("account locked"),
    "remove_caller_id": N_("caller ID removed"), "revoke_api_token": N_("API token revoked"),
    "set_language": N_("language set"), "set_pin": N_("PIN set"),
    "set_sessions": N_("calls at once set"), "topup": N_("top-up"),
    "unblock": N_("number unblocked"), "unlock": N_("account unlocked"),
    "cli": N_("command line"), "web": N_("web"), "api": N_("API"), "sms": N_("SMS"),
    "phone": N_("phone"), "system": N_("system"),
}


# -- extraction from Bottle templates (babel.cfg names this extractor) --------------------------
_CALL = re.compile(r"""\b(_|ngettext)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
                   r"""(?:\s*,\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))?""")


def extract_bottle(fileobj, keywords, comment_tags, options):
    """Babel extractor for Bottle SimpleTemplate files: finds `_("...")` and
    `ngettext("...", "...", n)` with literal strings, inline code lines and `{{...}}` alike."""
    encoding = options.get("encoding", "utf-8")
    text = fileobj.read().decode(encoding)
    for match in _CALL.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        function, first, second = match.groups()
        if function == "_":
            yield line, "_", ast.literal_eval(first), []
        elif second is not None:
            yield line, "ngettext", (ast.literal_eval(first), ast.literal_eval(second)), []
