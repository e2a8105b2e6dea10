"""The [web] section: where the web UI listens, HTTPS, and its limits against greedy clients.

    [web]
    listen = "0.0.0.0:8443"
    tls_cert = "/etc/callbox/tls/callbox.crt"     # both empty: plain HTTP
    tls_key = "/etc/callbox/tls/callbox.key"
    redirect_listen = "0.0.0.0:8080"              # plain HTTP that redirects to HTTPS

The certificate and key are loaded here, so `callbox config check` reports a missing,
unreadable or mismatched pair before the daemon would fail on it.
"""
from __future__ import annotations

from dataclasses import dataclass
import ipaddress
import os
import re
import ssl

from gateway.config.reader import Table
from gateway.config.table import WEB

_HOSTNAME = r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"


@dataclass(frozen=True)
class WebConfig:
    """The [web] keys (table.WEB has their units, ranges and defaults)."""

    listen: str                        # "host:port"
    tls_cert: str                      # PEM certificate (chain); "" with tls_key: plain HTTP
    tls_key: str                       # PEM private key
    redirect_listen: str               # "host:port" of plain HTTP redirecting to HTTPS; or ""
    workers: int
    request_timeout: float
    max_streams: int
    streams_per_login: int
    dashboard_refresh: float           # seconds between the admin dashboard's looks

    @property
    def host(self) -> str:
        return split_address(self.listen)[0]

    @property
    def port(self) -> int:
        return split_address(self.listen)[1]

    @property
    def redirect_address(self) -> tuple[str, int]:
        return split_address(self.redirect_listen)

    @property
    def scheme(self) -> str:
        return "https" if self.tls_cert else "http"


def split_address(listen: str) -> tuple[str, int]:
    """Gives (host, port) of a checked "host:port" ("[v6]" loses its brackets)."""
    host, _, port = listen.rpartition(":")
    return (host[1:-1] if host.startswith("[") else host), int(port)


def parse_web(table: Table) -> WebConfig:
    """Gives the checked [web] table; raises ConfigError naming the key."""
    values = table.get_section(WEB)
    listen = check_address(table, "listen", values["listen"])
    _check_tls_files(table, values["tls_cert"], values["tls_key"])
    redirect_listen = check_address(table, "redirect_listen", values["redirect_listen"],
                               empty_ok=True)
    if redirect_listen and not values["tls_cert"]:
        raise table.error("redirect_listen", "redirects to HTTPS, so it needs tls_cert and "
                          "tls_key; leave it empty (\"\") for plain HTTP")
    if redirect_listen and redirect_listen == listen and not listen.endswith(":0"):
        raise table.error("redirect_listen", f"must differ from listen ({listen!r})")
    table.check_unknown()
    return WebConfig(**values)


def check_address(table: Table, key: str, listen: str, empty_ok: bool = False) -> str:
    """Gives `listen` once it is a valid "host:port" (or "" with `empty_ok`)."""
    if empty_ok and listen == "":
        return listen
    host, _, port = listen.rpartition(":")
    # port 0 asks the system for a free port (tests, several boxes on one machine)
    if not host or not port.isdigit() or not port.isascii() or not 0 <= int(port) <= 65535:
        raise table.error(key, f"must be host:port with a port 0..65535, got {listen!r}")
    if host.startswith("["):
        valid = host.endswith("]") and _is_ip(host[1:-1], 6)
    elif host.replace(".", "").isdigit():
        valid = _is_ip(host, 4)
    else:
        valid = re.fullmatch(_HOSTNAME, host) is not None
    if not valid:
        raise table.error(key, f"has an invalid host in {listen!r} "
                          "(give an IPv4 address, a host name, or [IPv6])")
    return listen


def _is_ip(text: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def _check_tls_files(table: Table, cert: str, key: str) -> None:
    """Raises unless both paths are "" (plain HTTP) or name a pair that loads."""
    if bool(cert) != bool(key):
        missing = "tls_key" if cert else "tls_cert"
        raise table.error(missing, "must be set together with "
                          f"{'tls_cert' if cert else 'tls_key'} (both empty: plain HTTP)")
    if not cert:
        return
    for name, path in (("tls_cert", cert), ("tls_key", key)):
        if not os.path.isabs(path):
            raise table.error(name, f"must be an absolute path, got {path!r}")
        if not os.path.isfile(path):
            raise table.error(name, f"no such file: {path} (install.sh makes a "
                              "self-signed pair; see README, HTTPS)")
        if not os.access(path, os.R_OK):
            raise table.error(name, f"cannot be read by this user: {path} (the daemon "
                              "runs as callbox: give that user read access)")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(cert, key)
    except (ssl.SSLError, OSError) as error:
        raise table.error("tls_cert", "with tls_key is not a usable PEM certificate and "
                          f"matching private key: {error}") from None
