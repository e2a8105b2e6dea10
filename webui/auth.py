"""The web's side of logins: server-side sessions, cookies, CSRF tokens, login locks.

Logins themselves (names, password hashes, API tokens) are data, kept by
gateway/users.py and changed by gateway/actions/users.py for every door alike.
A session is a random token in an HttpOnly, SameSite=Strict cookie; the
database keeps only its SHA-256, so a copy of the database does not log anyone
in. Five wrong passwords for one
login name from one address within 15 minutes lock that pair for 15 minutes.

The login form carries a token of its own (login CSRF): GET /login puts a
random token in a SameSite=Strict cookie and in the form, and POST /login
checks that the two match, so another site cannot log a visitor's browser
into an account of its choosing. POST /api/login takes only a body of type
application/json, which a cross-site form cannot send and a cross-site
script cannot send without a CORS preflight that the box never allows.

An account holder may also hold one API token (`Authorization: Bearer ...`),
stored as its SHA-256 like a session (gateway/users.py). A token request
carries no cookie, so a forged cross-site request cannot use it and it needs
no CSRF token; it never opens admin routes, nor changes the password or the
token itself (a leaked token must not outlive the password it came with).
"""
from __future__ import annotations

from dataclasses import dataclass
import hmac
import re
import secrets

from gateway import users
from gateway.users import LoginFailure, WebSession, WebUser, token_hash

SESSION_LIFETIME = 12 * 3600      # seconds
LOGIN_COOKIE = "callbox_login"    # the login form's token (login CSRF)
LOGIN_FORM_LIFETIME = 3600        # seconds a login form stays usable
LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW = 15 * 60            # seconds in which failures count
LOGIN_LOCK = 15 * 60              # seconds the pair stays locked
LOGIN_FAILURES_KEPT = 10_000      # failed-login rows at most; the oldest go first
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")     # secrets.token_urlsafe(32)


@dataclass
class LoginResult:
    user: WebUser | None = None
    locked_for: int = 0           # seconds left on a lock, 0 when not locked


# -- the login lock ---------------------------------------------------------------------------
# Failed logins stay with the web: they count knocks on the web's door by name and
# peer address, only a web login ever adds one, and the lock is the web's answer.

def check_login(name: str, password: str, address: str, now: float) -> LoginResult:
    """Gives the user for a right password, or how long the name+address pair is locked."""
    locked_for = lock_left(name, address, now)
    if locked_for:
        return LoginResult(locked_for=locked_for)
    user = users.authenticate(name, password)
    if user is not None:
        LoginFailure.delete().where((LoginFailure.name == name)
                                    & (LoginFailure.address == address)).execute()
        return LoginResult(user=user)
    LoginFailure.create(name=name[:users.NAME_MAX * 2], address=address, at=now)
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


def bearer_token(header: str | None) -> str | None:
    """Gives the token of an `Authorization: Bearer <token>` header ("" when it has none),
    or None for no header or another scheme (a proxy's Basic login, say)."""
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def find_token_session(token: str | None) -> TokenSession | None:
    """Gives the holder an API token belongs to, or None for an unknown or revoked token."""
    user = users.by_api_token(token)
    return TokenSession(user) if user is not None else None
