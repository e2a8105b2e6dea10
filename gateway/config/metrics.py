"""The [metrics] section: whether /metrics is served, where, and the token it asks for.

    [metrics]
    enabled = true
    listen = "127.0.0.1:9464"      # "": on the web interface's own address
    token = "a-long-random-string"

The token is a secret: no error message repeats it.
"""
from __future__ import annotations

from dataclasses import dataclass
import re

from gateway.config.reader import Table
from gateway.config.table import METRICS
from gateway.config.web import check_address, split_address

TOKEN = r"[A-Za-z0-9._~+/=-]{16,256}"      # RFC 6750 b64token characters


@dataclass(frozen=True)
class MetricsConfig:
    """The [metrics] keys (table.METRICS has their defaults)."""

    enabled: bool = False
    listen: str = ""                 # "": on the web interface; else "host:port" of its own
    token: str = ""                  # "": no token asked

    @property
    def address(self) -> tuple[str, int]:
        return split_address(self.listen)


def parse_metrics(table: Table, web_listen: str) -> MetricsConfig:
    """Gives the checked [metrics] table; raises ConfigError naming the key."""
    values = table.get_section(METRICS)
    listen = check_address(table, "listen", values["listen"], empty_ok=True)
    if listen and listen == web_listen and not listen.endswith(":0"):
        raise table.error("listen", f"must differ from [web] listen ({listen!r}); leave it "
                          "empty (\"\") to serve /metrics on the web interface")
    token = values["token"]
    if not isinstance(token, str):
        raise table.error("token", "must be a quoted string (the value is not repeated here)")
    if token and not re.fullmatch(TOKEN, token):
        raise table.error("token", "must be 16 to 256 letters, digits or -._~+/= "
                          "(a bearer token; the value is not repeated here)")
    table.check_unknown()
    return MetricsConfig(**values)
