"""The box's configuration: one TOML file, read once at start and validated.

`load(path)` gives a frozen `Config` or raises `ConfigError` naming the file,
the key and the reason. Unknown sections and keys are errors, so a typo never
silently falls back to a default. The documented default file is
`config/callbox.toml`; keep it in step with the getters here.
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

from gateway.config.reader import ConfigError, Table, describe, did_you_mean, toml_value
from gateway.config.sms import SmsConfig, parse_sms
from gateway.config.web import WebConfig, parse_web
from modems.config import ModemConfig

__all__ = ["Config", "ConfigError", "GatewayConfig", "CallbackConfig", "WebConfig",
           "ModemConfig", "SmsConfig", "load", "default_path", "DEFAULT_PATH"]

DEFAULT_PATH = "/etc/callbox/callbox.toml"
SECTIONS = ("gateway", "callback", "web", "sms", "modem")
LOG_LEVELS = ("debug", "info", "warning", "error")
ROLES = ("trigger", "callback", "destination")
PROFILES = ("auto", "generic", "huawei", "simcom", "quectel")
# Premium-rate and other costly services no callback user should reach by default:
# Germany 0900/0137/0180/118xx, UK 09, France 08 9, US 900/976, satellite networks.
PREMIUM_RATE_PREFIXES = ("+49900", "+49137", "+49180", "+49118", "+449", "+3389", "+1900",
                         "+1976", "+870", "+881", "+882")

_MODEM_NAME = r"[a-z0-9_-]{1,32}"
_BOX_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}"
_ALSA_PCM = r"[A-Za-z0-9_:=,.-]+"


def default_path() -> str:
    """Gives the configuration file to use: $CALLBOX_CONFIG, else /etc/callbox/callbox.toml."""
    return os.environ.get("CALLBOX_CONFIG") or DEFAULT_PATH


@dataclass(frozen=True)
class GatewayConfig:
    database: str              # absolute SQLite path, or a postgresql:// URL
    box: str
    country: str
    currency: str
    log_level: str
    state_dir: str
    health_interval: float     # seconds
    at_timeout: float          # seconds
    retention_days: int = 730  # days call records and SMS stay in the database
    archive_dir: str = "/var/lib/callbox/archive"   # where older ones go, as CSV


@dataclass(frozen=True)
class CallbackConfig:
    ring_before_reject: int           # rings
    callback_delay: float             # seconds
    callback_unknown_callers: bool
    unknown_callbacks_per_hour: int
    save_caller_id_after_pin: bool = True
    pin_tries: int = 3                        # per call
    destination_tries: int = 3                # empty or invalid entries per call
    interdigit_timeout: float = 5.0           # seconds
    answer_timeout: float = 40.0              # seconds a leg may ring
    min_call_seconds: int = 10
    warning_before_end: int = 60              # seconds
    language: str = "en"
    blocked_prefixes: tuple[str, ...] = ()
    allowed_prefixes: tuple[str, ...] = ()    # empty: every rated destination
    routes: tuple[tuple[str, str], ...] = ()  # (prefix, modem group), longest first

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
        return "\n".join(lines) + "\n"


    def _sms_toml(self) -> list[str]:
        lines = ["", "[sms]"]
        for item in dataclasses.fields(self.sms):
            if item.name not in ("aliases", "replies"):
                lines.append(f"{item.name} = {toml_value(getattr(self.sms, item.name))}")
        for table in ("aliases", "replies"):
            lines += ["", f"[sms.{table}]"]
            lines += [f"{key} = {toml_value(value)}"
                      for key, value in getattr(self.sms, table).items()]
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
    return Config(path=str(path), gateway=gateway, callback=callback, web=web, modems=modems,
                  sms=sms)


def _table(data: dict, path, name: str) -> Table:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(path, name, f"must be a table [{name}], got {describe(value)}")
    return Table(path, name, value)


def _gateway(table: Table) -> GatewayConfig:
    state_dir = table.get_str("state_dir", "/var/lib/callbox")
    if not os.path.isabs(state_dir):
        raise table.error("state_dir", f"must be an absolute path, got {state_dir!r}")
    result = GatewayConfig(
        database=_database(table, state_dir),
        box=table.get_str("box", "box", pattern=_BOX_NAME,
                          what="a name of letters, digits, _ . - (up to 63)"),
        country=_country(table),
        currency=_currency(table),
        log_level=table.get_choice("log_level", LOG_LEVELS, "info"),
        state_dir=state_dir,
        health_interval=table.get_float("health_interval", 10.0, unit="seconds",
                                        minval=1, maxval=3600),
        at_timeout=table.get_float("at_timeout", 5.0, unit="seconds", minval=0.5, maxval=60),
        retention_days=table.get_int("retention_days", 730, unit="days", minval=1,
                                     maxval=36500),
        archive_dir=_archive_dir(table, state_dir),
    )
    table.check_unknown()
    return result


def _archive_dir(table: Table, state_dir: str) -> str:
    value = table.get_str("archive_dir", os.path.join(state_dir, "archive"))
    if not value:
        raise table.error("archive_dir", "must not be empty")
    # A relative path is a folder in state_dir, where the daemon may write.
    return os.path.normpath(os.path.join(state_dir, value))


def _database(table: Table, state_dir: str) -> str:
    value = table.get_str("database", os.path.join(state_dir, "callbox.db"))
    if "://" not in value:
        if not value:
            raise table.error("database", "must not be empty")
        # A relative path is a file in state_dir, where the daemon may write.
        return os.path.normpath(os.path.join(state_dir, value))
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


def _country(table: Table) -> str:
    value = table.get_str("country", "DE").upper()
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise table.error("country", f"must be an ISO 3166 alpha-2 country code like DE, got {value!r}")
    return value


def _currency(table: Table) -> str:
    value = table.get_str("currency", "EUR").upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise table.error("currency", f"must be an ISO 4217 code of 3 letters like EUR, got {value!r}")
    return value


def _callback(table: Table) -> CallbackConfig:
    result = CallbackConfig(
        ring_before_reject=table.get_int("ring_before_reject", 2, unit="rings", minval=1, maxval=10),
        callback_delay=table.get_float("callback_delay", 2.0, unit="seconds", minval=0, maxval=60),
        callback_unknown_callers=table.get_bool("callback_unknown_callers", True),
        unknown_callbacks_per_hour=table.get_int("unknown_callbacks_per_hour", 3,
                                                 unit="callbacks", minval=0, maxval=100),
        save_caller_id_after_pin=table.get_bool("save_caller_id_after_pin", True),
        pin_tries=table.get_int("pin_tries", 3, unit="tries", minval=1, maxval=10),
        destination_tries=table.get_int("destination_tries", 3, unit="tries", minval=1,
                                        maxval=10),
        interdigit_timeout=table.get_float("interdigit_timeout", 5.0, unit="seconds",
                                           minval=1, maxval=30),
        answer_timeout=table.get_float("answer_timeout", 40.0, unit="seconds", minval=5,
                                       maxval=180),
        min_call_seconds=table.get_int("min_call_seconds", 10, unit="seconds", minval=1,
                                       maxval=600),
        warning_before_end=table.get_int("warning_before_end", 60, unit="seconds", minval=0,
                                         maxval=600),
        language=table.get_str("language", "en", pattern=r"[a-z]{2}(_[A-Z]{2})?",
                               what="a language code like en or de"),
        blocked_prefixes=table.get_prefix_list("blocked_prefixes", PREMIUM_RATE_PREFIXES),
        allowed_prefixes=table.get_prefix_list("allowed_prefixes", ()),
        routes=table.get_prefix_map("routes"),
    )
    table.check_unknown()
    return result


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
    name = table.get_str("name", pattern=_MODEM_NAME,
                         what="1 to 32 of a-z, 0-9, _ and -",
                         missing="missing: every [[modem]] needs a name, like name = \"m1\"")
    port = table.get_str("port", missing="missing: every [[modem]] needs the port of its "
                         "AT commands, like port = \"/dev/serial/by-id/usb-...-if02-port0\"")
    if not os.path.isabs(port):
        raise table.error("port", f"must be an absolute device path like /dev/ttyUSB2, got {port!r}")
    result = ModemConfig(
        name=name,
        port=port,
        audio=_audio(table),
        roles=frozenset(table.get_word_list(
            "roles", ROLES, missing="missing: give the modem's roles, like "
            "roles = [\"trigger\", \"callback\", \"destination\"]")),
        sim_pin=_sim_pin(table),
        group=table.get_str("group", None, pattern=r"[A-Za-z0-9_.-]{1,32}",
                            what="1 to 32 of letters, digits, _ . -"),
        profile=table.get_choice("profile", PROFILES, "auto"),
    )
    table.check_unknown()
    return result


def _audio(table: Table) -> str:
    value = table.get_str("audio", missing="missing: every [[modem]] needs its voice audio, an "
                          "ALSA PCM name like \"plughw:CARD=modem1\" or \"serial:/dev/...\"")
    if value.startswith("serial:"):
        if not os.path.isabs(value[len("serial:"):]):
            raise table.error("audio", f"a serial voice port must be an absolute path like "
                              f"serial:/dev/ttyUSB1, got {value!r}")
        return value
    if not re.fullmatch(_ALSA_PCM, value):
        raise table.error("audio", "must be an ALSA PCM name (letters, digits and _ : = , . -) "
                          f"like hw:1,0, or serial:/dev/..., got {value!r}")
    return value


def _sim_pin(table: Table) -> str | None:
    value = table.get_any("sim_pin", None)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        raise table.error("sim_pin", "must be a quoted string like sim_pin = \"0123\" "
                          "(as a number, leading zeros would be lost)")
    if not isinstance(value, str):
        raise table.error("sim_pin", f"must be a quoted string of 4 to 8 digits, got {describe(value)}")
    # The reason never repeats the value: it is a secret even when mistyped.
    if not re.fullmatch(r"[0-9]{4,8}", value):
        raise table.error("sim_pin", "must be 4 to 8 digits")
    return value
