"""A browser stand-in for WSGI-level web tests: cookies kept, the app called directly."""
from __future__ import annotations

from http.cookies import SimpleCookie
import io
import json
import re
import time
import types
from urllib.parse import urlencode
import uuid

from gateway import users
from gateway.config import parse
from gateway.money import accounts
from gateway.store.db import open_database
from webui.app import make_app


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """Gives (body, content type) of a multipart/form-data request."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                     + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """A browser stand-in that keeps cookies, calling the WSGI app directly."""

    def __init__(self, app, address: str = "192.0.2.10"):
        self.app = app
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None,
                json_body: dict | None = None, headers: dict | None = None,
                files: dict | None = None, raw: tuple[bytes, str] | None = None):
        """Calls the app; `path` may carry "?query"; `files` (name -> (filename, bytes))
        makes the form a multipart upload; `raw` is a (body, content type) sent as it is."""
        body = b""
        path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                   "SERVER_NAME": "box", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
                   "REMOTE_ADDR": self.address, "wsgi.url_scheme": "http",
                   "wsgi.errors": io.StringIO(), "wsgi.version": (1, 0),
                   "wsgi.multithread": True, "wsgi.multiprocess": False,
                   "wsgi.run_once": False}
        if files:
            body, environ["CONTENT_TYPE"] = multipart(form or {}, files)
        elif form is not None:
            body = urlencode(form).encode()
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body).encode()
            environ["CONTENT_TYPE"] = "application/json"
        if raw is not None:
            body, environ["CONTENT_TYPE"] = raw
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        started = {}

        def start_response(status, response_headers, exc_info=None):
            started["status"] = int(status.split()[0])
            started["headers"] = response_headers

        chunks = self.app(environ, start_response)
        text = b"".join(chunks).decode()
        for name, value in started["headers"]:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "-1" or morsel.value == "":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return types.SimpleNamespace(status=started["status"], text=text,
                                     headers=dict(started["headers"]))

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, form=None, **kwargs):
        return self.request("POST", path, form=form, **kwargs)

    def login(self, name: str, password: str):
        reply = self.post("/api/login", json_body={"name": name, "password": password})
        assert reply.status == 200, reply.text
        return json.loads(reply.text)["csrf_token"]

    def form_login(self, form: dict):
        """Logs in through the login page as a browser does: loads the form (its token and
        cookie), then posts it; gives the reply to the post."""
        found = re.search(r'name="login_token" value="([^"]+)"', self.get("/login").text)
        return self.post("/login", {**form, "login_token": found.group(1) if found else ""})

    def csrf(self, path: str = "/password") -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)


def make_test_app(tmp_path, services=None, database: str | None = None,
                  web: dict | None = None):
    """Gives the web app on a fresh database with logins alice, bob (holders) and root (admin).

    The app carries `clock` (set `clock.now` to move time), `alice` and `bob` (accounts).
    `services` defaults to no pool and no call service; `database` to web.db in tmp_path;
    `web`: [web] keys.
    """
    config = parse({"gateway": {"database": database or str(tmp_path / "web.db"),
                                "state_dir": str(tmp_path), "currency": "EUR"},
                    **({"web": web} if web else {})}, "test.toml")
    open_database(config.gateway.database)
    clock = types.SimpleNamespace(now=time.time())
    if services is None:
        services = types.SimpleNamespace(pool=None, calls=None)
    services.now = lambda: clock.now
    now = clock.now
    alice = accounts.create("alice", "1234", 1000, now)
    bob = accounts.create("bob", "1234", 500, now)
    accounts.authorize_caller_id(alice.id, "+4917012345678", now)
    users.add_user("alice", "alice-secret", now)
    users.add_user("bob", "bob-secret", now)
    users.add_user("root", "admin-secret", now, is_admin=True)
    web_app = make_app(config, services)
    web_app.clock = clock
    web_app.alice, web_app.bob = alice, bob
    return web_app
