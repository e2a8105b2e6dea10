"""Admin page of one account: PIN, lock, calls at once, its callers' language, caller IDs,
debits, and its top-ups with who and when.

A lock is the account's `locked` flag, the one `callbox account lock` sets:
the call service refuses callbacks to a locked account's caller IDs and the
web refuses its connect-two. An admin adds a caller ID directly (no SMS
code): the admin vouches for the number. A debit takes money with a reason
and never more than the account has free (gateway/money/ledger.py `debit`); it is
listed with the top-ups as a negative amount. Every change is an action of
gateway/actions/ (one transaction, an audit record naming the admin).
"""
from __future__ import annotations

import bottle

from gateway.actions import accounts as account_actions, callerids
from gateway.actions.audit import ActionError, Actor
from gateway.money import accounts, languages
from gateway.money.ledger import Account, Topup
from modems.numbers import InvalidNumber, to_e164
from webui import gateway_texts, i18n
from webui.admin.common import page_link, page_of
from webui.admin.pages import parse_amount
from webui.holder.calls import caller_ids


def authorize_number(actor: Actor, account_id: int, text: str, country: str,
                     now: float) -> str:
    """Gives the E.164 number typed, now a caller ID of the account; ActionError says why
    not (no phone number, authorized already, or held by another account)."""
    try:
        number = to_e164(text, country)
    except InvalidNumber as error:
        raise account_actions.InvalidValue(f"not a phone number: {error.reason}",
                                           "number") from None
    if not callerids.authorize(actor, account_id, number, now, how="by an admin"):
        raise account_actions.InvalidValue(f"{number} is authorized for this account",
                                           "number")
    return number


def debit_account(actor: Actor, account_id: int, amount_text: str, reason: str,
                  now: float) -> int:
    """Gives the minor units taken; ActionError (its `field` 'amount' or 'reason') says why
    nothing was taken."""
    try:
        amount = parse_amount(amount_text)
    except ValueError as error:
        raise account_actions.InvalidValue(str(error), "amount") from None
    if amount <= 0:
        raise account_actions.InvalidValue("a debit takes money: enter an amount above 0",
                                           "amount")
    account_actions.debit(actor, account_id, amount, reason, now)
    return amount


def parse_sessions(text: str) -> int:
    """Gives the calls at once typed; InvalidValue (field 'sessions') if not a whole number
    from 1 to 100."""
    text = str(text).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise account_actions.InvalidValue(
            f"calls at once is a whole number from 1 to {account_actions.MOST_SESSIONS}",
            "sessions")
    number = int(text)
    account_actions.check_sessions(number)
    return number


def install(app: bottle.Bottle, web) -> None:
    def account_or_404(account_id: int) -> Account:
        account = Account.get_or_none(Account.id == account_id)
        if account is None:
            bottle.abort(404, "no such account")
        return account

    def page(session, account: Account, errors=None, notice="", status=200, number=""):
        bottle.response.status = status
        topups = page_of(Topup.select().where(Topup.account == account.id)
                         .order_by(Topup.at.desc(), Topup.id.desc()))
        return web.render("account", session, account=account,
                          caller_ids=caller_ids(account.id), topups=topups,
                          link=page_link, errors=gateway_texts.translate_fields(errors or {}),
                          notice=notice,
                          number=number, pin_locked=account.pin_locked_until > web.now(),
                          pin_locks=accounts.pin_locks_of(account.id),
                          voice_languages=languages.choices(),
                          box_language=web.config.callback.language)

    def posted(account_id: int):
        """Gives (session, account) of a POST by an admin with the right CSRF token."""
        session = web.admin_required()
        web.check_csrf(session)
        return session, account_or_404(account_id)

    @app.get("/admin/accounts/<account_id:int>")
    def account_page(account_id):
        session = web.admin_required()
        return page(session, account_or_404(account_id))

    @app.post("/admin/accounts/<account_id:int>/pin")
    def set_pin(account_id):
        session, account = posted(account_id)
        pin = bottle.request.forms.getunicode("pin") or ""
        try:
            account_actions.set_pin(web.actor(session), account.id, pin, web.now())
        except ActionError as error:
            return page(session, account, {"pin": gateway_texts.translate(str(error))},
                        status=400)
        return page(session, Account.get_by_id(account.id),
                    notice=i18n.gettext("PIN changed (and PIN entry unlocked)"))

    @app.post("/admin/accounts/<account_id:int>/lock")
    def set_lock(account_id):
        session, account = posted(account_id)
        wanted = bottle.request.forms.getunicode("locked")
        if wanted not in ("0", "1"):        # anything else unlocked the account
            return page(session, account, {"lock": i18n.gettext(
                "locked is 1 (lock the account) or 0 (unlock it)")}, status=400)
        locked = wanted == "1"
        account_actions.set_locked(web.actor(session), account.id, locked, web.now())
        return page(session, Account.get_by_id(account.id),
                    notice=(i18n.gettext("account locked: no calls at all") if locked
                            else i18n.gettext("account unlocked")))

    @app.post("/admin/accounts/<account_id:int>/sessions")
    def set_sessions(account_id):
        session, account = posted(account_id)
        try:
            sessions = parse_sessions(bottle.request.forms.getunicode("sessions") or "")
            account_actions.set_max_sessions(web.actor(session), account.id, sessions,
                                             web.now())
        except ActionError as error:
            return page(session, account, {"sessions": gateway_texts.translate(str(error))},
                        status=400)
        return page(session, Account.get_by_id(account.id),
                    notice=i18n.ngettext(
                        "at most {count} call at once from the next call on",
                        "at most {count} calls at once from the next call on",
                        sessions).format(count=sessions))

    @app.post("/admin/accounts/<account_id:int>/language")
    def set_language(account_id):
        session, account = posted(account_id)
        code = (bottle.request.forms.getunicode("language") or "")[:40]
        try:
            language = account_actions.set_language(web.actor(session), account.id, code,
                                                    web.now())
        except ActionError as error:
            return page(session, account, {"language": str(error)}, status=400)
        return page(session, Account.get_by_id(account.id), notice=(
            i18n.gettext("its callers hear {language} from the next call on").format(
                language=dict(languages.choices()).get(language, language)) if language
            else i18n.gettext("no language of its own: the caller's number decides")))

    @app.post("/admin/accounts/<account_id:int>/debit")
    def take_money(account_id):
        session, account = posted(account_id)
        forms = bottle.request.forms
        reason = (forms.getunicode("reason") or "").strip()[:200]
        try:
            amount = debit_account(web.actor(session), account.id,
                                   forms.getunicode("amount") or "", reason, web.now())
        except ActionError as error:
            return page(session, account, {"debit": gateway_texts.translate(str(error))},
                        status=400)
        account = Account.get_by_id(account.id)
        money = i18n.current().money
        return page(session, account, notice=i18n.gettext(
            "{amount} taken ({reason}); balance now {balance}").format(
                amount=money(amount), reason=reason, balance=money(account.balance)))

    @app.post("/admin/accounts/<account_id:int>/callerids")
    def add_caller_id(account_id):
        session, account = posted(account_id)
        text = (bottle.request.forms.getunicode("number") or "").strip()[:40]
        try:
            number = authorize_number(web.actor(session), account.id, text, web.country,
                                      web.now())
        except ActionError as error:
            return page(session, account, {"number": gateway_texts.translate(str(error))},
                        status=400, number=text)
        money = i18n.current().money
        return page(session, account, notice=i18n.gettext("{number} authorized").format(
            number=number))

    @app.post("/admin/accounts/<account_id:int>/callerids/remove")
    def remove_caller_id(account_id):
        session, account = posted(account_id)
        number = (bottle.request.forms.getunicode("number") or "")[:40]
        try:
            callerids.remove(web.actor(session), account.id, number, web.now())
        except callerids.NotAuthorized:
            return page(session, account, {"remove": i18n.gettext(
                "{number} is not authorized here").format(number=number)},
                        status=404)
        money = i18n.current().money
        return page(session, account, notice=i18n.gettext("{number} removed").format(number=number))
