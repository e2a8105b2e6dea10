"""Admin page of one account: PIN, lock, caller IDs, debits, and its top-ups with who and when.

A lock is the account's `locked` flag, the one `callbox account lock` sets:
the call service refuses callbacks to a locked account's caller IDs and the
web refuses its connect-two. An admin adds a caller ID directly (no SMS
code): the admin vouches for the number. A debit takes money with a reason
and never more than the account has free (gateway/money/ledger.py `debit`); it is
listed with the top-ups as a negative amount.
"""
from __future__ import annotations

import bottle

from gateway.money import accounts
from gateway.money.ledger import Account, CallerId, InsufficientCredit, Topup, debit
from modems.numbers import InvalidNumber, to_e164
from webui.admin.common import page_link, page_of, when
from webui.admin.pages import parse_amount
from webui.holder.calls import caller_ids


def change_pin(account_id: int, pin: str) -> None:
    """Sets the account's PIN and ends a PIN lock; AccountError says what is wrong with it."""
    accounts.check_pin_format(pin)
    accounts.set_pin(account_id, pin)
    Account.update(pin_locked_until=0).where(Account.id == account_id).execute()


def lock_account(account_id: int, locked: bool) -> None:
    Account.update(locked=locked).where(Account.id == account_id).execute()


def authorize_number(account_id: int, text: str, country: str, now: float) -> str:
    """Gives the E.164 number typed, now a caller ID of the account; ValueError says why
    not (no phone number, or authorized already)."""
    try:
        number = to_e164(text, country)
    except InvalidNumber as error:
        raise ValueError(f"not a phone number: {error.reason}") from None
    holder = CallerId.get_or_none(CallerId.number == number)
    if holder is not None:
        owner = "this account" if holder.account_id == account_id else \
            f"account {holder.account.name}: remove it there first"
        raise ValueError(f"{number} is authorized for {owner}")
    accounts.authorize_caller_id(account_id, number, now)
    return number


class DebitRefused(ValueError):
    """A debit not made; `field` names the input at fault ('amount' or 'reason')."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def debit_account(account_id: int, amount_text: str, reason: str, by: str, now: float) -> int:
    """Gives the minor units taken; DebitRefused says why nothing was taken."""
    try:
        amount = parse_amount(amount_text)
    except ValueError as error:
        raise DebitRefused("amount", str(error)) from None
    if amount <= 0:
        raise DebitRefused("amount", "a debit takes money: enter an amount above 0")
    if not reason.strip():
        raise DebitRefused("reason", "a debit says why: give a reason")
    try:
        debit(account_id, amount, by, now, reason)
    except InsufficientCredit as refusal:
        raise DebitRefused("amount", str(refusal)) from None
    return amount


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
                          link=page_link, when=when, errors=errors or {}, notice=notice,
                          number=number, pin_locked=account.pin_locked_until > web.now(),
                          pin_locks=accounts.pin_locks_of(account.id))

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
            change_pin(account.id, pin)
        except accounts.AccountError as error:
            return page(session, account, {"pin": str(error)}, status=400)
        return page(session, Account.get_by_id(account.id),
                    notice="PIN changed (and PIN entry unlocked)")

    @app.post("/admin/accounts/<account_id:int>/lock")
    def set_lock(account_id):
        session, account = posted(account_id)
        locked = bottle.request.forms.getunicode("locked") == "1"
        lock_account(account.id, locked)
        return page(session, Account.get_by_id(account.id),
                    notice="account locked: no calls at all" if locked else "account unlocked")

    @app.post("/admin/accounts/<account_id:int>/debit")
    def take_money(account_id):
        session, account = posted(account_id)
        forms = bottle.request.forms
        reason = (forms.getunicode("reason") or "").strip()[:200]
        try:
            amount = debit_account(account.id, forms.getunicode("amount") or "", reason,
                                   f"web:{session.user.name}", web.now())
        except ValueError as error:
            return page(session, account, {"debit": str(error)}, status=400)
        account = Account.get_by_id(account.id)
        return page(session, account, notice=f"{web.money(amount)} taken ({reason}); balance "
                    f"now {web.money(account.balance)}")

    @app.post("/admin/accounts/<account_id:int>/callerids")
    def add_caller_id(account_id):
        session, account = posted(account_id)
        text = (bottle.request.forms.getunicode("number") or "").strip()[:40]
        try:
            number = authorize_number(account.id, text, web.country, web.now())
        except ValueError as error:
            return page(session, account, {"number": str(error)}, status=400, number=text)
        return page(session, account, notice=f"{number} authorized")

    @app.post("/admin/accounts/<account_id:int>/callerids/remove")
    def remove_caller_id(account_id):
        session, account = posted(account_id)
        number = (bottle.request.forms.getunicode("number") or "")[:40]
        if not accounts.remove_caller_id(account.id, number):
            return page(session, account, {"remove": f"{number} is not authorized here"},
                        status=404)
        return page(session, account, notice=f"{number} removed")
