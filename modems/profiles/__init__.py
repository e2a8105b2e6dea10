"""Vendor profiles: one module per vendor, each naming the models and symptoms it handles."""
from __future__ import annotations

from modems.profiles.base import CallHint, DtmfHint, Profile
from modems.profiles.generic import GenericProfile
from modems.profiles.huawei import HuaweiProfile
from modems.profiles.quectel import QuectelProfile
from modems.profiles.simcom import SimcomProfile

PROFILES: dict[str, type[Profile]] = {
    "generic": GenericProfile,
    "huawei": HuaweiProfile,
    "simcom": SimcomProfile,
    "quectel": QuectelProfile,
}

# Where each profile's modems carry call audio (`callbox probe` and the first-run page say it).
VOICE_PATHS = {"simcom": "serial voice port (SIM7600) or a sound card (SIM800, A7670)",
               "quectel": "USB audio (ALSA)",
               "huawei": "serial voice port", "generic": "unknown"}


def detect(manufacturer: str, model: str) -> Profile:
    """Gives the profile for what AT+CGMI/AT+CGMM said; generic when unknown."""
    for profile in (HuaweiProfile, SimcomProfile, QuectelProfile):
        if profile.matches(manufacturer, model):
            return profile()
    return GenericProfile()


def by_name(name: str) -> Profile:
    try:
        return PROFILES[name]()
    except KeyError:
        raise ValueError(f"unknown modem profile {name!r}; known: {', '.join(PROFILES)}") from None


__all__ = ["CallHint", "DtmfHint", "Profile", "PROFILES", "detect", "by_name"]
