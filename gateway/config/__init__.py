"""The box's configuration: one TOML file, read once at start and validated.

`load(path)` gives a frozen `Config` or raises `ConfigError` naming the file,
the key and the reason. Unknown sections and keys are errors, so a typo never
silently falls back to a default. Every key's type, default, unit and range is
in gateway/config/table.py; this module adds the checks that one key cannot
make alone (paths inside state_dir, country and currency codes, modem ports).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import os
from pathlib import Path
import re
import tomllib
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

from audio.words import known_currency
from gateway.config import sms_texts
from gateway.config.alerts import AlertsConfig, parse_alerts
from gateway.config.languages import parse_languages
from gateway.config.metrics import MetricsConfig, parse_metrics
from gateway.config.reader import ConfigError, Table, describe, did_you_mean, toml_value
from gateway.config.sims import SimConfig, parse_sims
from gateway.config.sms import SmsConfig, parse_sms
from gateway.config.table import (CALLBACK, GATEWAY, LOG_LEVELS, MODEM, PREMIUM_RATE_PREFIXES,
                                  PROFILES, ROLES, SECTIONS as KEY_SECTIONS)
from gateway.config.web import WebConfig, parse_web
from gateway.config.webhooks import WebhookConfig, parse_webhooks, shown_url
from modems.config import ModemConfig
from modems.recovery import RecoverySettings
from modems.usb import PowerCycleError, power_cycle_argv

__all__ = ["Config", "ConfigError", "GatewayConfig", "CallbackConfig", "WebConfig",
           "ModemConfig", "SmsConfig", "SimConfig", "WebhookConfig", "MetricsConfig", "load", "default_path", "DEFAULT_PATH", "LOG_LEVELS",
           "PREMIUM_RATE_PREFIXES", "PROFILES", "ROLES"]

DEFAULT_PATH = "/etc/callbox/callbox.toml"
# The file's own sections; sms.aliases and sms.replies are tables inside [sms].
SECTIONS = tuple(section.name for section in KEY_SECTIONS if "." not in section.name)

_ALSA_PCM = r"[A-Za-z0-9_:=,.-]+"


def default_path() -> str:
    """Gives the configuration file to use: $CALLBOX_CONFIG, else /etc/callbox/callbox.toml."""
    return os.environ.get("CALLBOX_CONFIG") or DEFAULT_PATH


@dataclass(frozen=True)
class GatewayConfig:
    """The [gateway] keys (table.GATEWAY has their units, ranges and defaults)."""

    database: str              # absolute SQLite path, or a postgresql:// URL
    box: str
    country: str
    currency: str
    log_level: str
    state_dir: str
    health_interval: float
    at_timeout: float
    registration_grace: float
    recovery_tries: int
    recovery_wait: float
    power_cycle_command: str
    retention_days: int
    archive_dir: str           # absolute

    def recovery(self) -> RecoverySettings:
        """Gives the modem pool's self-healing settings (modems/recovery.py)."""
        return RecoverySettings(self.registration_grace, self.recovery_tries,
                                self.recovery_wait, self.power_cycle_command)


@dataclass(frozen=True)
class CallbackConfig:
    """The [callback] keys (table.CALLBACK has their units, ranges and defaults)."""

    ring_before_reject: int
    callback_delay: float
    callback_unknown_callers: bool
    unknown_callbacks_per_hour: int
    save_caller_id_after_pin: bool
    pin_tries: int
    destination_tries: int
    interdigit_timeout: float
    answer_timeout: float
    min_call_seconds: int
    warning_before_end: int
    language: str
    language_menu: bool
    blocked_prefixes: tuple[str, ...]
    allowed_prefixes: tuple[str, ...]
    routes: tuple[tuple[str, str], ...]       # (prefix, modem group), longest first
    max_concurrent_sessions: int = 1          # what a new account gets

    def route_group(self, number: str) -> str | None:
        """Gives the modem group for calls to `number`, None when no route matches."""
        return next((group for prefix, group in self.routes if number.startswith(prefix)), None)


@dataclass(frozen=True)
class Config:
    path: str
    gateway: GatewayConfig
    callback: CallbackConfig
    web: WebConfig
    modems: tuple[ModemConfig, ...] = ()
    sms: SmsConfig = field(default_factory=SmsConfig)
    sims: tuple[SimConfig, ...] = ()
    webhooks: tuple[WebhookConfig, ...] = ()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    languages: tuple[tuple[str, str], ...] = ()     # ([languages] prefix, code), longest first

    def sim(self, iccid: str | None) -> SimConfig | None:
        """Gives the [[sim]] table of the card with that ICCID, or None (no table, no ICCID)."""
        for sim in self.sims:
            if sim.iccid == iccid:
                return sim
        return None

    def modem(self, name: str) -> ModemConfig:
        """Gives the modem of that name; KeyError if there is none."""
        for modem in self.modems:
            if modem.name == name:
                return modem
        raise KeyError(name)

    def effective_toml(self) -> str:
        """Gives the configuration with every default filled in, as TOML; secrets masked."""
        lines = [f"# effective configuration read from {self.path}"]
        for name in ("gateway", "callback", "web"):
            lines += ["", f"[{name}]"]
            for item in dataclasses.fields(getattr(self, name)):
                value = getattr(getattr(self, name), item.name)
                if name == "gateway" and item.name == "database":
                    value = mask_url_password(value)
                if name == "callback" and item.name == "routes":
                    pairs = ", ".join(f"{toml_value(prefix)} = {toml_value(group)}"
                                      for prefix, group in value)
                    lines.append(f"routes = {{{' ' + pairs + ' ' if pairs else ''}}}")
                    continue
                lines.append(f"{item.name} = {toml_value(value)}")
        lines += ["", "[languages]"] + [f"{toml_value(prefix)} = {toml_value(code)}"
                                        for prefix, code in self.languages]
        lines += self._sms_toml()
        for modem in self.modems:
            lines += ["", "[[modem]]"]
            for item in dataclasses.fields(modem):
                value = getattr(modem, item.name)
                if item.name == "roles":
                    value = [role for role in ROLES if role in value]
                if value is None:
                    lines.append(f"# {item.name} is not set")
                elif item.name == "sim_pin":
                    lines.append('sim_pin = "****"   # set, not shown')
                else:
                    lines.append(f"{item.name} = {toml_value(value)}")
        if not self.modems:
            lines += ["", "# no [[modem]] configured"]
        lines += ["", "[metrics]", f"enabled = {toml_value(self.metrics.enabled)}",
                  f"listen = {toml_value(self.metrics.listen)}",
                  'token = "****"   # set, not shown' if self.metrics.token else 'token = ""']
        for sim in self.sims:
            lines += ["", "[[sim]]"]
            for item in dataclasses.fields(sim):
                value = getattr(sim, item.name)
                if item.name == "low_balance_minor":
                    lines.append(f"low_balance = {value / 100:.2f}")
                else:
                    lines.append(f"{item.name} = {toml_value(value)}")
        for webhook in self.webhooks:
            lines += ["", "[[webhook]]"]
            for item in dataclasses.fields(webhook):
                value = getattr(webhook, item.name)
                if item.name == "secret":
                    lines.append('secret = "****"   # set, not shown')
                elif item.name == "url":
                    lines.append(f"url = {toml_value(shown_url(value))}")
                else:
                    lines.append(f"{item.name} = {toml_value(value)}")
        return "\n".join(lines) + "\n"


    def _sms_toml(self) -> list[str]:
        lines = ["", "[sms]"]
        for item in dataclasses.fields(self.sms):
            if item.name not in ("aliases", "replies", "texts", "words"):
                lines.append(f"{item.name} = {toml_value(getattr(self.sms, item.name))}")
        for table in ("aliases", "replies"):
            lines += ["", f"[sms.{table}]"]
            lines += [f"{key} = {toml_value(value)}"
                      for key, value in getattr(self.sms, table).items()]
        built_in = {"texts": sms_texts.TEXTS, "words": sms_texts.WORDS}
        lines += ["", f"# [sms.texts] and [sms.words] of {' '.join(sorted(sms_texts.TEXTS))}: "
                  "built in (gateway/config/sms_texts/), but for these"]
        for table, languages in built_in.items():
            for lang, own in sorted(getattr(self.sms, table).items()):
                changed = {key: value for key, value in own.items()
                           if languages.get(lang, {}).get(key) != value}
                if changed:
                    lines += ["", f"[sms.{table}.{lang}]"]
                    lines += [f"{key} = {toml_value(value)}" for key, value in changed.items()]
        return lines


def mask_url_password(database: str) -> str:
    """Gives a database URL with its password replaced by ****."""
    if "://" not in database:
        return database
    parts = urlsplit(database)
    if not parts.password:
        return database
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def load(path: str | os.PathLike | None = None) -> Config:
    """Gives the validated configuration in the file; raises ConfigError."""
    path = Path(path or default_path())
    try:
        with open(path, "rb") as source:
            data = tomllib.load(source)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise ConfigError(path, None, "not a text file (TOML is UTF-8)") from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror or error}") from None
    return parse(data, path)


def parse(data: dict, path: str | os.PathLike = "<config>") -> Config:
    """Gives the validated configuration from parsed TOML; raises ConfigError."""
    for name in data:
        if name not in SECTIONS:
            raise ConfigError(path, name, "unknown section" + did_you_mean(name, SECTIONS)
                              + f"; the sections are {', '.join(SECTIONS)}")
    gateway = _gateway(_table(data, path, "gateway"))
    callback = _callback(_table(data, path, "callback"))
    web = parse_web(_table(data, path, "web"))
    modems = _modems(data.get("modem", []), path)
    sms = parse_sms(_table(data, path, "sms"), tuple(modem.name for modem in modems))
    sims = parse_sims(data.get("sim", []), path, gateway.country)
    webhooks = parse_webhooks(data.get("webhook", []), path)
    alerts = parse_alerts(_table(data, path, "alerts"))
    metrics = parse_metrics(_table(data, path, "metrics"), web.listen)
    languages = parse_languages(_table(data, path, "languages"))
    return Config(path=str(path), gateway=gateway, callback=callback, web=web, modems=modems,
                  sms=sms, sims=sims, webhooks=webhooks, alerts=alerts,
                  metrics=metrics, languages=languages)


def _table(data: dict, path, name: str) -> Table:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(path, name, f"must be a table [{name}], got {describe(value)}")
    return Table(path, name, value)


def _gateway(table: Table) -> GatewayConfig:
    values = table.get_section(GATEWAY)
    state_dir = values["state_dir"]
    if not os.path.isabs(state_dir):
        raise table.error("state_dir", f"must be an absolute path, got {state_dir!r}")
    values["database"] = _database(table, values["database"], state_dir)
    values["country"] = _country(table, values["country"])
    values["currency"] = _currency(table, values["currency"])
    values["archive_dir"] = _in_state_dir(table, "archive_dir", values["archive_dir"], state_dir)
    try:
        power_cycle_argv(values["power_cycle_command"], "1-1.1", "m1")
    except (PowerCycleError, ValueError) as error:
        raise table.error("power_cycle_command", f"{error}; placeholders are {{hub}}, "
                          "{port}, {location} and {modem}") from None
    if not values["power_cycle_command"].strip():
        raise table.error("power_cycle_command", "must not be empty")
    table.check_unknown()
    return GatewayConfig(**values)


def _in_state_dir(table: Table, key: str, value: str, state_dir: str) -> str:
    """Gives the path absolute: a relative one is inside state_dir, where the daemon may write."""
    if not value:
        raise table.error(key, "must not be empty")
    return os.path.normpath(os.path.join(state_dir, value))


def _database(table: Table, value: str, state_dir: str) -> str:
    if "://" not in value:
        return _in_state_dir(table, "database", value, state_dir)
    parts = urlsplit(value)
    if parts.scheme != "postgresql":
        raise table.error("database", "must be a file path (SQLite) or a postgresql:// URL, "
                          f"got the scheme {parts.scheme!r}")
    try:
        parts.port
    except ValueError:
        raise table.error("database", f"has an invalid port in {mask_url_password(value)!r}") from None
    if not parts.path.strip("/") or "/" in parts.path.strip("/"):
        raise table.error("database", "must name the database: postgresql://user:password@host/NAME")
    return value


def _country(table: Table, value: str) -> str:
    value = value.upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise table.error("country", f"must be an ISO 3166 alpha-2 country code like DE, got {value!r}")
    return value


def _currency(table: Table, value: str) -> str:
    value = value.upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise table.error("currency", f"must be an ISO 4217 code of 3 letters like EUR, got {value!r}")
    if not known_currency(value):       # the voice could not say a balance
        raise table.error("currency", f"{value} has no words in any prompt language (num2words "
                          "knows EUR, USD, GBP, PLN, RUB, TRY, ...)")
    return value


def _callback(table: Table) -> CallbackConfig:
    values = table.get_section(CALLBACK)
    table.check_unknown()
    return CallbackConfig(**values)


def _modems(value: object, path) -> tuple[ModemConfig, ...]:
    if isinstance(value, dict):
        raise ConfigError(path, "modem", "write each modem as a [[modem]] table (double brackets)")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(path, "modem", "must be [[modem]] tables")
    modems: list[ModemConfig] = []
    for number, data in enumerate(value, start=1):
        modem = _modem(Table(path, f"modem[{number}]", data))
        for earlier_number, earlier in enumerate(modems, start=1):
            if earlier.name == modem.name:
                raise ConfigError(path, f"modem[{number}].name",
                                  f"{modem.name!r} is already the name of modem[{earlier_number}]")
            if earlier.port == modem.port:
                raise ConfigError(path, f"modem[{number}].port",
                                  f"{modem.port!r} is already the port of modem[{earlier_number}]")
        modems.append(modem)
    return tuple(modems)


def _modem(table: Table) -> ModemConfig:
    values = table.get_section(MODEM)
    if not os.path.isabs(values["port"]):
        raise table.error("port", "must be an absolute device path like /dev/ttyUSB2, "
                          f"got {values['port']!r}")
    _check_audio(table, values["audio"])
    values["roles"] = frozenset(values["roles"])
    _check_sim_pin(table, values["sim_pin"])
    table.check_unknown()
    return ModemConfig(**values)


def _check_audio(table: Table, value: str) -> None:
    if value.startswith("serial:"):
        if not os.path.isabs(value[len("serial:"):]):
            raise table.error("audio", f"a serial voice port must be an absolute path like "
                              f"serial:/dev/ttyUSB1, got {value!r}")
        return
    if not re.fullmatch(_ALSA_PCM, value):
        raise table.error("audio", "must be an ALSA PCM name (letters, digits and _ : = , . -) "
                          f"like hw:1,0, or serial:/dev/..., got {value!r}")


def _check_sim_pin(table: Table, value: object) -> None:
    if value is None:
        return
    if isinstance(value, int) and not isinstance(value, bool):
        raise table.error("sim_pin", "must be a quoted string like sim_pin = \"0123\" "
                          "(as a number, leading zeros would be lost)")
    if not isinstance(value, str):
        raise table.error("sim_pin", f"must be a quoted string of 4 to 8 digits, got {describe(value)}")
    # The reason never repeats the value: it is a secret even when mistyped.
    if not re.fullmatch(r"[0-9]{4,8}", value):
        raise table.error("sim_pin", "must be 4 to 8 digits")
