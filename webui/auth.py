"""Web logins: password hashes, server-side sessions, CSRF tokens, login locks.

Passwords are salted scrypt hashes. A session is a random token in an
HttpOnly, SameSite=Strict cookie; the database keeps only its SHA-256, so a
copy of the database does not log anyone in. Five wrong passwords for one
login name from one address within 15 minutes lock that pair for 15 minutes.

The login form carries a token of its own (login CSRF): GET /login puts a
random token in a SameSite=Strict cookie and in the form, and POST /login
checks that the two match, so another site cannot log a visitor's browser
into an account of its choosing. POST /api/login takes only a body of type
application/json, which a cross-site form cannot send and a cross-site
script cannot send without a CORS preflight that the box never allows.

An account holder may also hold one API token (`Authorization: Bearer ...`),
stored as its SHA-256 like a session. A token request carries no cookie, so
a forged cross-site request cannot use it and it needs no CSRF token; it
never opens admin routes.
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import re
import secrets

from gateway.money.ledger import Account
from gateway.store.db import db
from gateway.users import LoginFailure, WebSession, WebUser

SESSION_LIFETIME = 12 * 3600      # seconds
LOGIN_COOKIE = "callbox_login"    # the login form's token (login CSRF)
LOGIN_FORM_LIFETIME = 3600        # seconds a login form stays usable
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW = 15 * 60            # seconds in which failures count
LOGIN_LOCK = 15 * 60              # seconds the pair stays locked
LOGIN_FAILURES_KEPT = 10_000      # failed-login rows at most; the oldest go first
PASSWORD_MIN = 8
PASSWORD_MAX = 200
NAME_MAX = 64
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")     # secrets.token_urlsafe(32)


class UserError(ValueError):
    """A login that cannot be created or changed as asked; the message says why."""


@dataclass
class LoginResult:
    user: WebUser | None = None
    locked_for: int = 0           # seconds left on a lock, 0 when not locked


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
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


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- logins -----------------------------------------------------------------------------------

def add_user(name: str, password: str, now: float, *, is_admin: bool = False) -> WebUser:
    """Creates a login; an account holder's login carries the account's name."""
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise UserError(f"a login name has 1 to {NAME_MAX} characters")
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    account = None
    if not is_admin:
        account = Account.get_or_none(Account.name == name)
        if account is None:
            raise UserError(f"there is no account named {name!r} (only admins need none)")
    with db.atomic():
        if WebUser.get_or_none(WebUser.name == name) is not None:
            raise UserError(f"a login named {name!r} exists already")
        return WebUser.create(name=name, password_hash=hash_password(password),
                              is_admin=is_admin, account=account, created_at=now)


def set_password(user_id: int, password: str) -> bool:
    """Changes a password, ends every session of that login and revokes its API token (a
    token made before may be what leaked); gives whether a token was revoked."""
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    with db.atomic():
        had_token = WebUser.get_by_id(user_id).api_token_hash is not None
        WebUser.update(password_hash=hash_password(password), api_token_hash=None).where(
            WebUser.id == user_id).execute()
        WebSession.delete().where(WebSession.user == user_id).execute()
    return had_token


def check_login(name: str, password: str, address: str, now: float) -> LoginResult:
    """Gives the user for a right password, or how long the name+address pair is locked."""
    locked_for = lock_left(name, address, now)
    if locked_for:
        return LoginResult(locked_for=locked_for)
    user = WebUser.get_or_none(WebUser.name == name)
    if user is not None and password_matches(password, user.password_hash):
        LoginFailure.delete().where((LoginFailure.name == name)
                                    & (LoginFailure.address == address)).execute()
        return LoginResult(user=user)
    if user is None:
        hash_password(password)    # the same work as a wrong password: names stay secret
    LoginFailure.create(name=name[:NAME_MAX * 2], address=address, at=now)
    prune_login_failures(now)
    return LoginResult(locked_for=lock_left(name, address, now))


def prune_login_failures(now: float) -> int:
    """Deletes failed logins too old to lock anything, then the oldest beyond
    LOGIN_FAILURES_KEPT; gives how many rows went.

    The cap bounds the table against guesses sprayed over many names and
    addresses; emptying it that way costs thousands of password checks, each as
    slow as a real one, to win back five guesses."""
    gone = LoginFailure.delete().where(
        LoginFailure.at <= now - LOGIN_WINDOW - LOGIN_LOCK).execute()
    excess = LoginFailure.select().count() - LOGIN_FAILURES_KEPT
    if excess > 0:
        oldest = (LoginFailure.select(LoginFailure.id)
                  .order_by(LoginFailure.at, LoginFailure.id).limit(excess))
        gone += LoginFailure.delete().where(LoginFailure.id.in_(oldest)).execute()
    return gone


def lock_left(name: str, address: str, now: float) -> int:
    """Gives the seconds the pair stays locked: five failures within the window lock it."""
    recent = list(LoginFailure.select(LoginFailure.at)
                  .where((LoginFailure.name == name) & (LoginFailure.address == address)
                         & (LoginFailure.at > now - LOGIN_WINDOW - LOGIN_LOCK))
                  .order_by(LoginFailure.at.desc()).limit(LOGIN_FAILURES_ALLOWED))
    if len(recent) < LOGIN_FAILURES_ALLOWED:
        return 0
    newest, oldest = recent[0].at, recent[-1].at
    if newest - oldest > LOGIN_WINDOW:
        return 0
    return max(0, int(newest + LOGIN_LOCK - now + 0.999))


# -- sessions ---------------------------------------------------------------------------------

def open_session(user: WebUser, address: str, now: float) -> tuple[str, WebSession]:
    """Gives the cookie token and the new session row."""
    token = secrets.token_urlsafe(32)
    row = WebSession.create(token_hash=token_hash(token), user=user,
                            csrf_token=secrets.token_urlsafe(32), created_at=now,
                            expires_at=now + SESSION_LIFETIME, address=address)
    WebSession.delete().where(WebSession.expires_at < now).execute()
    return token, row


def find_session(token: str | None, now: float) -> WebSession | None:
    if not token or len(token) > 200:
        return None
    row = (WebSession.select(WebSession, WebUser).join(WebUser)
           .where(WebSession.token_hash == token_hash(token)).first())
    if row is None or row.expires_at <= now:
        return None
    return row


def close_session(token: str | None) -> None:
    if token:
        WebSession.delete().where(WebSession.token_hash == token_hash(token)).execute()


def login_form_token(cookie: str | None) -> str:
    """Gives the token of this browser's login form: its cookie's, or a new one (so two
    open login tabs both work)."""
    return cookie if cookie and _LOGIN_TOKEN.fullmatch(cookie) else secrets.token_urlsafe(32)


def login_form_matches(cookie: str | None, given: str | None) -> bool:
    """Gives whether a posted login form carries the token of the browser's login cookie."""
    if not (cookie and given and _LOGIN_TOKEN.fullmatch(cookie)
            and _LOGIN_TOKEN.fullmatch(given)):
        return False
    return hmac.compare_digest(cookie, given)


def csrf_matches(session: WebSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf_token, given)


# -- API tokens -------------------------------------------------------------------------------

@dataclass
class TokenSession:
    """Who an API token request is: like a WebSession, without cookie or CSRF token."""

    user: WebUser
    csrf_token: str = ""
    by_token: bool = True


def create_api_token(user_id: int) -> str:
    """Gives a new API token for a holder's login (shown once), replacing any older one."""
    token = "cbx_" + secrets.token_urlsafe(32)
    WebUser.update(api_token_hash=token_hash(token)).where(
        (WebUser.id == user_id) & WebUser.account.is_null(False)).execute()
    return token


def revoke_api_token(user_id: int) -> None:
    WebUser.update(api_token_hash=None).where(WebUser.id == user_id).execute()


def bearer_token(header: str | None) -> str | None:
    """Gives the token of an `Authorization: Bearer <token>` header ("" when it has none),
    or None for no header or another scheme (a proxy's Basic login, say)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def find_token_session(token: str | None) -> TokenSession | None:
    """Gives the holder an API token belongs to, or None for an unknown or revoked token."""
    if not token or len(token) > 200:
        return None
    user = WebUser.get_or_none((WebUser.api_token_hash == token_hash(token))
                               & WebUser.account.is_null(False))
    return TokenSession(user) if user is not None else None
