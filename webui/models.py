"""The web UI's tables: logins, their sessions, and failed logins (migration 4)."""
from __future__ import annotations

from peewee import AutoField, BooleanField, CharField, FloatField, ForeignKeyField

from gateway.db import BaseModel
from gateway.ledger import Account


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


WEB_MODELS = (WebUser, WebSession, LoginFailure)
