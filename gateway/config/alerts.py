"""The [alerts] section: where the owner hears of trouble, and after how long.

    [alerts]
    urls = ["mailto://box:secret@smtp.example.com?to=owner@example.com",
            "ntfy://ntfy.sh/my-callbox"]
    modem_down_after = 120       # seconds
    database_down_after = 60
    disk_free_percent = 10

The URLs are apprise URLs. Only their form is checked here (a scheme and
something after it, no spaces): apprise itself is loaded only to send, in a
process of its own (gateway/care/send.py), so reading the file stays cheap.
An error never repeats a URL: it may hold a password or a bot token.
"""
from __future__ import annotations

from dataclasses import dataclass
import re

from gateway.config.reader import Table, check_waits, describe
from gateway.config.table import ALERTS, RETRY_WAITS

URLS_MAX = 20
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,31}://\S+")


@dataclass(frozen=True)
class AlertsConfig:
    """The [alerts] keys; the defaults are table.ALERTS's (tests build one without a file)."""

    urls: tuple[str, ...] = ALERTS["urls"].default
    modem_down_after: float = ALERTS["modem_down_after"].default
    database_down_after: float = ALERTS["database_down_after"].default
    disk_free_percent: float = ALERTS["disk_free_percent"].default
    disk_check_interval: float = ALERTS["disk_check_interval"].default
    poll_interval: float = ALERTS["poll_interval"].default
    retry_backoff: tuple[float, ...] = ALERTS["retry_backoff"].default
    send_timeout: float = ALERTS["send_timeout"].default

    def wait_before(self, attempt: int) -> float:
        """Gives the seconds before try number `attempt + 1` (the last wait repeats)."""
        return self.retry_backoff[min(max(attempt, 1), len(self.retry_backoff)) - 1]


def parse_alerts(table: Table) -> AlertsConfig:
    values = table.get_section(ALERTS)
    values["urls"] = _urls(table, values["urls"])
    values["retry_backoff"] = _backoff(table, values["retry_backoff"])
    table.check_unknown()
    return AlertsConfig(**values)


def _urls(table: Table, value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise table.error("urls", f"must be a list of apprise URLs like "
                          f"[\"mailto://...\", \"ntfy://...\"], got {describe(value)}")
    if len(value) > URLS_MAX:
        raise table.error("urls", f"at most {URLS_MAX} URLs, got {len(value)}")
    for number, url in enumerate(value, start=1):
        if not isinstance(url, str):
            raise table.error("urls", f"URL {number} must be a string, got {describe(url)}")
        if not _URL.fullmatch(url):
            # never the URL itself: it may hold a password or a token
            raise table.error("urls", f"URL {number} is not a URL like scheme://...: it needs "
                              "a scheme (mailto, tgram, ntfy, json, ...), then ://, and no "
                              "spaces")
    if len(set(value)) != len(value):
        raise table.error("urls", "a URL is listed twice")
    return tuple(value)


def _backoff(table: Table, value: object) -> tuple[float, ...]:
    check_waits(table, ALERTS["retry_backoff"], value, *RETRY_WAITS, example="[30, 120, 600]")
    return tuple(float(item) for item in value)
