"""The web UI's tables: logins, their sessions, failed logins (migration 4), and the
codes texted to confirm a caller ID added on the web (migration 5)."""
from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, FloatField, ForeignKeyField, IntegerField

from gateway.money.ledger import Account
from gateway.store.db import BaseModel


class WebUser(BaseModel):
    """A login: an admin, or an account holder tied to their account."""

    id = AutoField()
    name = CharField(unique=True)
    password_hash = CharField()                # scrypt, salted: see webui/auth.py
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
