"""The [[webhook]] tables: where the box POSTs its events, and with which secret.

    [[webhook]]
    name = "crm"
    url = "https://crm.example.com/hooks/callbox"
    events = ["sms.received", "call.ended"]
    secret = "a long random string"

gateway/care/webhooks.py delivers them; docs/webhooks.md is the integrator's page.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from gateway.config.reader import ConfigError, Table, check_waits, has_control_characters
from gateway.config.table import RETRY_WAITS, WEBHOOK, WEBHOOK_EVENTS

MIN_SECRET = 16      # characters: a signature is only as good as its key


@dataclass(frozen=True)
class WebhookConfig:
    """One [[webhook]] table (table.WEBHOOK has the units, ranges and defaults)."""

    name: str
    url: str
    events: tuple[str, ...] = WEBHOOK_EVENTS
    secret: str = ""
    timeout: float = 5.0
    retry_backoff: tuple[float, ...] = WEBHOOK["retry_backoff"].default

    def __repr__(self) -> str:          # the secret never reaches a log line or a traceback
        return (f"WebhookConfig(name={self.name!r}, url={shown_url(self.url)!r}, "
                f"events={self.events!r}, secret='****', timeout={self.timeout!r}, "
                f"retry_backoff={self.retry_backoff!r})")


def shown_url(url: str) -> str:
    """Gives the URL as logs and pages show it: no user or password, no query (either may
    carry a token)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.netloc.rpartition("@")[2][len(parts.hostname or "") + (2 if ":" in host else 0):]
    netloc = host + (port if port.startswith(":") else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))


def parse_webhooks(value: object, path) -> tuple[WebhookConfig, ...]:
    if isinstance(value, dict):
        raise ConfigError(path, "webhook", "write each webhook as a [[webhook]] table "
                          "(double brackets)")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(path, "webhook", "must be [[webhook]] tables")
    webhooks: list[WebhookConfig] = []
    for number, data in enumerate(value, start=1):
        webhook = _webhook(Table(path, f"webhook[{number}]", data))
        for earlier_number, earlier in enumerate(webhooks, start=1):
            if earlier.name == webhook.name:
                raise ConfigError(path, f"webhook[{number}].name", f"{webhook.name!r} is "
                                  f"already the name of webhook[{earlier_number}]")
        webhooks.append(webhook)
    return tuple(webhooks)


def _webhook(table: Table) -> WebhookConfig:
    # events: the reader's word lists take a list; the table's default is a tuple
    values = {key.name: table.get(key) for key in WEBHOOK.keys if key.name != "events"}
    values["events"] = table.get_word_list("events", WEBHOOK_EVENTS, list(WEBHOOK_EVENTS))
    _check_url(table, values["url"])
    _check_secret(table, values["secret"])
    check_waits(table, WEBHOOK["retry_backoff"], values["retry_backoff"], *RETRY_WAITS)
    values["retry_backoff"] = tuple(float(wait) for wait in values["retry_backoff"])
    table.check_unknown()
    return WebhookConfig(**values)


def _check_url(table: Table, url: str) -> None:
    if has_control_characters(url) or " " in url:
        raise table.error("url", "must be a URL without spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise table.error("url", "must be an http:// or https:// URL, got the scheme "
                          f"{parts.scheme!r}" if parts.scheme else
                          f"must be an http:// or https:// URL, got {shown_url(url)!r}")
    try:
        parts.port
    except ValueError:
        raise table.error("url", f"has an invalid port in {shown_url(url)!r}") from None
    if not parts.hostname:
        raise table.error("url", f"must name a host, like https://crm.example.com/hook, got "
                          f"{shown_url(url)!r}")
    if parts.fragment:
        raise table.error("url", "must not have a #fragment (it is never sent)")


def _check_secret(table: Table, value: object) -> None:
    # The reasons never repeat the value: it is a secret even when mistyped.
    if not isinstance(value, str):
        kind = {bool: "a boolean", int: "a number", float: "a number", list: "a list",
                dict: "a table"}.get(type(value), "something else")
        raise table.error("secret", f"must be a quoted string, got {kind}")
    if len(value) < MIN_SECRET:
        raise table.error("secret", f"must be {MIN_SECRET} characters or more (it signs "
                          "every delivery): use a long random string")
    if has_control_characters(value):
        raise table.error("secret", "must not contain control characters")


