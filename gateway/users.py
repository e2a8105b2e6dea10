"""Web logins as data: who may log in, their password hashes, API tokens and sessions'
rows, failed logins (migration 4), and the codes texted to confirm a caller ID added on
the web (migration 5).

The rules of the data live here, so that the `callbox` command, the web pages and the
JSON API share them (gateway/actions/users.py adds the transaction and the audit
record); cookies, CSRF tokens and the login lock are the web's (webui/auth.py).

Passwords are salted scrypt hashes. Each hash takes 16 MB for a moment: webui/server.py
`return_large_blocks` makes glibc give those blocks back, so that many logins on many
web threads do not leave 16 MB in every thread's arena. An API token is stored as its
SHA-256 like a session, so a copy of the database logs no one in.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from peewee import AutoField, BooleanField, CharField, FloatField, ForeignKeyField, IntegerField

from gateway.money.ledger import Account
from gateway.store.db import BaseModel, db

PASSWORD_MIN = 8
PASSWORD_MAX = 200
NAME_MAX = 64
TOKEN_PREFIX = "cbx_"         # says what a leaked string is (secret scanners look for it)
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class WebUser(BaseModel):
    """A login: an admin, or an account holder tied to their account."""

    id = AutoField()
    name = CharField(unique=True)
    password_hash = CharField()                # scrypt, salted: see hash_password
    is_admin = BooleanField(default=False)
    account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
    api_token_hash = CharField(null=True)
    created_at = FloatField()

    class Meta:
        table_name = "web_user"


class WebSession(BaseModel):
    """A logged-in browser or API client; the cookie holds the token, the row its hash."""

    id = AutoField()
    token_hash = CharField(unique=True)        # sha256 hex of the cookie's token
    user = ForeignKeyField(WebUser, on_delete="CASCADE")
    csrf_token = CharField()
    created_at = FloatField()
    expires_at = FloatField()
    address = CharField(default="")

    class Meta:
        table_name = "web_session"


class LoginFailure(BaseModel):
    """A wrong password for a login name from an address (to lock that pair)."""

    id = AutoField()
    name = CharField()
    address = CharField()
    at = FloatField()

    class Meta:
        table_name = "login_failure"
        indexes = ((("name", "address", "at"), False),)


class CallerIdCode(BaseModel):
    """A code texted to a number a holder wants to authorize: pending -> used, or void."""

    id = AutoField()
    account = ForeignKeyField(Account, on_delete="CASCADE")
    number = CharField()                       # E.164
    code_hash = CharField()                    # salt$sha256: see webui/holder/callerids.py
    state = CharField(default="pending")       # pending | used | void
    tries = IntegerField(default=0)            # wrong codes typed
    created_at = FloatField()
    expires_at = FloatField()

    class Meta:
        table_name = "caller_id_code"
        indexes = ((("account", "created_at"), False),)


WEB_MODELS = (WebUser, WebSession, LoginFailure, CallerIdCode)


class UserError(ValueError):
    """A login that cannot be created or changed as asked; the message says why, `field`
    names the input at fault ("name", "password")."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


class LoginTaken(UserError):
    """A login of that name exists already."""

    def __init__(self, name: str):
        super().__init__(f"a login named {name!r} exists already", "name")


# -- passwords and tokens ---------------------------------------------------------------------

def hash_password(password: str) -> str:
    """Gives a salted scrypt hash of a password, with its parameters."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Gives whether a password is the one a stored hash was made of."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    computed = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32,
                              n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(computed.hex(), digest)


def password_problem(password: str) -> str | None:
    """Gives why a new password is refused, or None when it is fine."""
    if len(password) < PASSWORD_MIN:
        return f"a password has at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"a password has at most {PASSWORD_MAX} characters"
    return None


def name_problem(name: str) -> str | None:
    """Gives why a login name is refused, or None when it is fine."""
    if not name or len(name) > NAME_MAX:
        return f"a login name has 1 to {NAME_MAX} characters"
    if not name.isprintable():
        return "a login name is printable text: no control characters"
    return None


def token_hash(token: str) -> str:
    """Gives the SHA-256 (hex) under which a session or API token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- looking up -------------------------------------------------------------------------------

def by_name(name: str) -> WebUser | None:
    """Gives the login of this name, or None."""
    return WebUser.get_or_none(WebUser.name == name)


def by_id(user_id: int) -> WebUser | None:
    """Gives the login with this id, or None."""
    return WebUser.get_or_none(WebUser.id == user_id)


def authenticate(name: str, password: str) -> WebUser | None:
    """Gives the login for a right name and password, or None; an unknown name costs the
    same work as a wrong password, so the answer's time does not tell names apart."""
    user = by_name(name)
    if user is None:
        hash_password(password)
        return None
    return user if password_matches(password, user.password_hash) else None


def by_api_token(token: str | None) -> WebUser | None:
    """Gives the holder's login an API token belongs to, or None (unknown or revoked)."""
    if not token or len(token) > 200:
        return None
    return WebUser.get_or_none((WebUser.api_token_hash == token_hash(token))
                               & WebUser.account.is_null(False))


# -- changing ---------------------------------------------------------------------------------

def check_new_user(name: str, password: str, is_admin: bool) -> tuple[str, Account | None]:
    """Gives the name (trimmed) and account of a login to create, after checking its form
    (not yet whether the name is free); UserError says why not."""
    name = name.strip()
    problem = name_problem(name)
    if problem:
        raise UserError(problem, "name")
    problem = password_problem(password)
    if problem:
        raise UserError(problem, "password")
    if is_admin:
        return name, None
    account = Account.get_or_none(Account.name == name)
    if account is None:
        raise UserError(f"there is no account named {name!r} (only admins need none)")
    return name, account


def create_user(name: str, password_hash: str, account: Account | None, now: float) -> WebUser:
    """Stores a checked login (check_new_user), an admin's when it has no account;
    LoginTaken when the name is in use. Hash the password before the transaction: scrypt
    takes long enough to hold up every other writer of the box."""
    with db.atomic():
        if by_name(name) is not None:
            raise LoginTaken(name)
        return WebUser.create(name=name, password_hash=password_hash, is_admin=account is None,
                              account=account, created_at=now)


def add_user(name: str, password: str, now: float, *, is_admin: bool = False) -> WebUser:
    """Creates a login, unaudited (the demo's and tests' set-up; changes an admin or a
    holder asks for go through gateway/actions/users.py); UserError says why not."""
    name, account = check_new_user(name, password, is_admin)
    return create_user(name, hash_password(password), account, now)


def set_password_hash(user_id: int, password_hash: str) -> tuple[bool, int]:
    """Stores a new password's hash, ends every session of that login and revokes its API
    token (a token made before may be what leaked); gives (whether a token was revoked,
    sessions ended)."""
    with db.atomic():
        had_token = WebUser.get_by_id(user_id).api_token_hash is not None
        WebUser.update(password_hash=password_hash, api_token_hash=None).where(
            WebUser.id == user_id).execute()
        ended = WebSession.delete().where(WebSession.user == user_id).execute()
    return had_token, ended


def set_api_token(user_id: int) -> str | None:
    """Gives a new API token for a holder's login (shown once), replacing any older one;
    None when the login is not a holder's (admins get no token)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    changed = WebUser.update(api_token_hash=token_hash(token)).where(
        (WebUser.id == user_id) & WebUser.account.is_null(False)).execute()
    return token if changed else None


def clear_api_token(user_id: int) -> bool:
    """Revokes a login's API token; gives whether it had one."""
    return WebUser.update(api_token_hash=None).where(
        (WebUser.id == user_id) & WebUser.api_token_hash.is_null(False)).execute() == 1
