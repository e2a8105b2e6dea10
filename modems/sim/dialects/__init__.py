"""AT dialects of the virtual modems, one module per vendor."""
from __future__ import annotations

from modems.sim.dialects.base import Dialect
from modems.sim.dialects.generic import GenericDialect
from modems.sim.dialects.huawei import HuaweiDialect
from modems.sim.dialects.quectel import QuectelDialect
from modems.sim.dialects.simcom import SimcomDialect

DIALECTS: dict[str, type[Dialect]] = {
    "generic": GenericDialect,
    "huawei": HuaweiDialect,
    "simcom": SimcomDialect,
    "quectel": QuectelDialect,
}


def get_dialect(profile: str) -> Dialect:
    """Gives the dialect for a profile name; ValueError names the known ones."""
    try:
        return DIALECTS[profile]()
    except KeyError:
        raise ValueError(f"unknown modem profile {profile!r}; known: {', '.join(DIALECTS)}") from None
