"""What every route module shares about HTTP itself: the session cookie's name and whether
a request came over HTTPS. Route modules import this (and webui/inputs.py); nothing here
imports a route module, so webui/app.py can import them all without a circle."""
from __future__ import annotations

import bottle

COOKIE = "callbox_session"


def https() -> bool:
    """Gives whether this request came over HTTPS (the server's TLS, webui/server.py)."""
    return bottle.request.environ.get("wsgi.url_scheme") == "https"
