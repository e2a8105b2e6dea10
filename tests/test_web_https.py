"""HTTPS: the web UI over TLS with a Secure cookie, plain HTTP redirected, the [web] keys
checked, and install.sh's self-signed certificate, over real sockets on 127.0.0.1."""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

from gateway.config import ConfigError, parse
from tests.test_web_server import FAST, PASSWORD, serve, web_app  # noqa: F401  (a fixture)
from webui.server import WebServer

INSTALL = Path(__file__).resolve().parent.parent / "install.sh"


def make_certificate(folder, name: str = "callbox") -> tuple[str, str]:
    """Gives (certificate, key) paths of a fresh self-signed pair for 127.0.0.1."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=callbox", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


def test_https_with_secure_cookie_and_plain_http_redirected(tmp_path, serve):
    cert, key = make_certificate(tmp_path)
    app = web_app(tmp_path, {"listen": "127.0.0.1:0", "tls_cert": cert, "tls_key": key,
                             "redirect_listen": "127.0.0.1:0"}, holders=1)
    server = WebServer.from_config(app, app.web.config.web)
    server.start()
    try:
        port = server.port
        trusting = ssl.create_default_context(cafile=cert)
        # clients that connect and never start TLS must not hold up the others
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        started = time.monotonic()
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10,
                                                 context=trusting)
        connection.request("POST", "/api/login",
                           json.dumps({"name": "holder0", "password": PASSWORD}),
                           {"Content-Type": "application/json"})
        reply = connection.getresponse()
        reply.read()
        assert time.monotonic() - started < FAST
        assert reply.status == 200
        cookie = reply.getheader("Set-Cookie")
        assert "; Secure" in cookie and "HttpOnly" in cookie
        connection.request("GET", "/", headers={"Cookie": cookie.split(";")[0]})
        page = connection.getresponse()
        assert page.status == 200 and "holder0" in page.read().decode()
        connection.close()
        for sock in silent:
            sock.close()

        plain = http.client.HTTPConnection("127.0.0.1", server.redirect_port, timeout=5)
        plain.request("GET", "/calls/3?from=%0d%0aX:1", headers={"Host": "box.local:8080"})
        moved = plain.getresponse()
        assert moved.status == 301
        assert moved.getheader("Location") == f"https://box.local:{port}/calls/3?from=%0d%0aX:1"
        plain.close()

        # plain HTTP on the HTTPS port is told what to do, not left hanging
        wrong = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        wrong.request("GET", "/login")
        refused = wrong.getresponse()
        assert refused.status == 400 and b"https://" in refused.read()
        wrong.close()
    finally:
        server.stop()


def test_plain_http_cookie_has_no_secure_flag(tmp_path, serve):
    server = serve(web_app(tmp_path, holders=1))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/api/login", json.dumps({"name": "holder0",
                                                         "password": PASSWORD}),
                       {"Content-Type": "application/json"})
    reply = connection.getresponse()
    assert reply.status == 200
    assert "Secure" not in reply.getheader("Set-Cookie")    # a browser would never send it
    connection.close()


# -- configuration ----------------------------------------------------------------------------

def web_error(tmp_path, web: dict) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse({"gateway": {"state_dir": str(tmp_path)}, "web": web}, "/etc/callbox/callbox.toml")
    return caught.value


def test_config_check_names_the_bad_web_key(tmp_path):
    cert, key = make_certificate(tmp_path)
    other_cert, other_key = make_certificate(tmp_path, "other")
    cases = [
        ({"tls_cert": cert}, "web.tls_key", "must be set together with tls_cert"),
        ({"tls_cert": cert, "tls_key": str(tmp_path / "gone.key")}, "web.tls_key",
         "no such file"),
        ({"tls_cert": "callbox.crt", "tls_key": key}, "web.tls_cert", "absolute path"),
        ({"tls_cert": cert, "tls_key": other_key}, "web.tls_cert", "matching private key"),
        ({"tls_cert": key, "tls_key": key}, "web.tls_cert", "not a usable PEM"),
        ({"redirect_listen": "0.0.0.0:8080"}, "web.redirect_listen", "needs tls_cert"),
        ({"tls_cert": cert, "tls_key": key, "redirect_listen": "box:²"},
         "web.redirect_listen", "host:port"),
        ({"workers": 1}, "web.workers", "between 2 and 256 threads"),
        ({"request_timeout": 0.5}, "web.request_timeout", "seconds"),
        ({"max_streams": -1}, "web.max_streams", "between 0 and 1000"),
        ({"streams_per_login": "4"}, "web.streams_per_login", "an integer"),
        ({"tls": "on"}, "web.tls", "unknown"),
    ]
    for web, key_name, reason in cases:
        error = web_error(tmp_path, web)
        assert error.key == key_name, (web, str(error))
        assert reason in error.reason, (web, str(error))
        assert str(error).startswith("/etc/callbox/callbox.toml: " + key_name)
    assert other_cert     # made only for its key
    good = parse({"gateway": {"state_dir": str(tmp_path)},
                  "web": {"tls_cert": cert, "tls_key": key, "redirect_listen": "[::1]:8080"}})
    assert good.web.scheme == "https" and good.web.redirect_address == ("::1", 8080)


def test_install_makes_a_certificate_the_box_can_serve(tmp_path):
    target = tmp_path / "box"
    result = subprocess.run(["bash", str(INSTALL), "--root", str(target), "--no-venv"],
                            capture_output=True, text=True, timeout=120, cwd="/")
    assert result.returncode == 0, result.stderr
    tls = target / "etc/callbox/tls"
    assert oct((tls / "callbox.key").stat().st_mode & 0o777) == "0o640"
    todo = (target / "opt/callbox/postinst.todo").read_text().splitlines()
    assert "chown root:callbox /etc/callbox/tls /etc/callbox/tls/callbox.key" in todo
    text = (target / "etc/callbox/callbox.toml").read_text()
    assert 'listen = "0.0.0.0:8443"' in text and 'redirect_listen = "0.0.0.0:8080"' in text
    # the installed file, its paths read inside the tree, is valid and loads the pair
    config = parse(tomllib.loads(text.replace('"/etc/callbox/', f'"{target}/etc/callbox/')
                                 .replace('"/var/lib/callbox', f'"{tmp_path}')), "callbox.toml")
    assert config.web.tls_cert == f"{tls}/callbox.crt"
    before = (tls / "callbox.crt").read_bytes()
    again = subprocess.run(["bash", str(INSTALL), "--root", str(target), "--no-venv"],
                           capture_output=True, text=True, timeout=120, cwd="/")
    assert again.returncode == 0, again.stderr
    assert (tls / "callbox.crt").read_bytes() == before        # an upgrade keeps it
