"""Web logins: add one, change its password, issue and revoke its API token.

Each action runs in one transaction with its audit record (account: the holder's
account, none for an admin's login), and refuses with a subclass of ActionError
whose `field` names the input at fault. Rules every caller gets the same
(docs/actions.md):
- a new password ends every session of the login and revokes its API token,
  whoever sets it: a token made before may be what leaked;
- a holder changing their own password shows the current one (`current`); an
  admin on the box (`callbox user password`) needs none;
- API tokens are for account holders' logins only; a revoke that finds no token
  changes nothing and writes no record.
A record names the login, never a password or a token.
"""
from __future__ import annotations

from gateway import users
from gateway.actions.audit import ActionError, Actor, record
from gateway.store.db import db
from gateway.users import WebUser


class LoginRefused(ActionError):
    """A login name or password of the wrong form, or a holder's login with no account of
    that name; `field` names which."""


class LoginTaken(ActionError):
    """A login of that name exists already."""

    def __init__(self, name: str):
        super().__init__(f"a login named {name!r} exists already", "name")
        self.name = name


class NoSuchLogin(ActionError):
    """The login asked for does not exist."""

    def __init__(self, what: str):
        super().__init__(f"no login {what}", "name")


class WrongPassword(ActionError):
    """The current password given is not the login's."""

    def __init__(self):
        super().__init__("this is not your current password", "current")


class NotAHolder(ActionError):
    """API tokens are for account holders' logins; an admin's login gets none."""

    def __init__(self):
        super().__init__("API tokens are for account holders' logins, not admins'", "name")


def login(user_id: int) -> WebUser:
    """Gives the login with this id; NoSuchLogin if there is none."""
    found = users.by_id(user_id)
    if found is None:
        raise NoSuchLogin(f"with id {user_id}")
    return found


def login_named(name: str) -> WebUser:
    """Gives the login of this name; NoSuchLogin if there is none."""
    found = users.by_name(name)
    if found is None:
        raise NoSuchLogin(f"named {name!r}")
    return found


def add_user(actor: Actor, name: str, password: str, now: float, *,
             is_admin: bool = False) -> WebUser:
    """Gives a new login: an admin's, or the holder's of the account of the same name."""
    try:
        name, account = users.check_new_user(name, password, is_admin)
    except users.UserError as error:
        raise LoginRefused(str(error), error.field) from None
    password_hash = users.hash_password(password)       # before the write lock: it is slow
    with db.atomic():
        try:
            user = users.create_user(name, password_hash, account, now)
        except users.LoginTaken:
            raise LoginTaken(name) from None
        kind = "admin login" if is_admin else "login of the account's holder"
        record(actor, "add_user", user.account_id, f"{kind} {user.name} added", now)
    return user


def change_password(actor: Actor, user_id: int, password: str, now: float,
                    current: str | None = None) -> bool:
    """Sets a new password, ends the login's sessions and revokes its API token; gives
    whether a token was revoked. With `current`, refuses unless it is the password now."""
    problem = users.password_problem(password)
    if problem:
        raise LoginRefused(problem, "password")
    user = login(user_id)
    # Both scrypt runs happen before the transaction: they would hold the write lock.
    if current is not None and not users.password_matches(current, user.password_hash):
        raise WrongPassword()
    password_hash = users.hash_password(password)
    with db.atomic():
        user = login(user_id)
        revoked, ended = users.set_password_hash(user_id, password_hash)
        detail = f"password of {user.name} changed; {ended} session(s) ended"
        record(actor, "change_password", user.account_id,
               detail + ("; API token revoked" if revoked else ""), now)
    return revoked


def issue_api_token(actor: Actor, user_id: int, now: float) -> str:
    """Gives a new API token for a holder's login (to show once), replacing any older
    one; the old one stops working at once."""
    with db.atomic():
        user = login(user_id)
        if user.account_id is None:
            raise NotAHolder()
        replaced = user.api_token_hash is not None
        token = users.set_api_token(user_id)
        record(actor, "issue_api_token", user.account_id, f"API token of {user.name} issued"
               + ("; the previous one revoked" if replaced else ""), now)
    return token


def revoke_api_token(actor: Actor, user_id: int, now: float) -> bool:
    """Revokes a login's API token; gives whether it had one."""
    with db.atomic():
        user = login(user_id)
        revoked = users.clear_api_token(user_id)
        if revoked:
            record(actor, "revoke_api_token", user.account_id,
                   f"API token of {user.name} revoked", now)
    return revoked
