"""The [[sim]] tables: what the box looks after on each SIM, found by its ICCID.

    [[sim]]
    iccid = "89490200001234567890"
    max_minutes_per_day = 120
    balance_ussd = "*100#"
    low_balance = 5.0

Keyed by the card, not the slot: a SIM moved to another modem keeps its
limits, its credit history and its keep-alive (gateway/care/ reads these).
"""
from __future__ import annotations

from dataclasses import dataclass
import re

from gateway.config.reader import ConfigError, Table
from gateway.config.table import SIM
from modems.numbers import InvalidNumber, sms_destination


@dataclass(frozen=True)
class SimConfig:
    """One [[sim]] table (table.SIM has the units, ranges and defaults)."""

    iccid: str
    max_minutes_per_day: int = 0        # 0: no limit
    max_minutes_per_month: int = 0
    max_calls_per_day: int = 0
    max_sms_per_day: int = 0
    reset_hour: int = 0
    balance_ussd: str = ""              # "": no credit check
    balance_regex: str = r"(\d+[.,]\d{1,2})"
    balance_check_hours: float = 24.0
    low_balance_minor: int = 0          # low_balance in minor units (cents); 0: no alert
    keepalive_days: int = 0             # 0: no keep-alive
    keepalive_to: str = ""              # E.164, or an operator's short code as written
    keepalive_text: str = "keep-alive"


def parse_sims(value: object, path, country: str) -> tuple[SimConfig, ...]:
    if isinstance(value, dict):
        raise ConfigError(path, "sim", "write each SIM as a [[sim]] table (double brackets)")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ConfigError(path, "sim", "must be [[sim]] tables")
    sims: list[SimConfig] = []
    for number, data in enumerate(value, start=1):
        sim = _sim(Table(path, f"sim[{number}]", data), country)
        for earlier_number, earlier in enumerate(sims, start=1):
            if earlier.iccid == sim.iccid:
                raise ConfigError(path, f"sim[{number}].iccid",
                                  f"{sim.iccid!r} is already the ICCID of sim[{earlier_number}]")
        sims.append(sim)
    return tuple(sims)


def _sim(table: Table, country: str) -> SimConfig:
    values = table.get_section(SIM)
    try:
        re.compile(values["balance_regex"])
    except re.error as error:
        raise table.error("balance_regex", f"is not a regular expression: {error}") from None
    values["low_balance_minor"] = round(values.pop("low_balance") * 100)
    if values["keepalive_to"]:
        try:
            values["keepalive_to"] = sms_destination(values["keepalive_to"], country)
        except InvalidNumber as error:
            raise table.error("keepalive_to", str(error)) from None
    elif values["keepalive_days"]:
        raise table.error("keepalive_to", "is needed with keepalive_days: the number the "
                          "keep-alive SMS goes to")
    table.check_unknown()
    return SimConfig(**values)
