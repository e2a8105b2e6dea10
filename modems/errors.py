"""Errors of the modem layer, in plain words."""
from __future__ import annotations


class ModemError(Exception):
    """The modem cannot do what was asked; the message says why in plain words."""


class SimPinError(ModemError):
    """The SIM needs a PIN we do not have, or refused ours. Never retried:
    three wrong PINs lock the SIM."""


class PortLost(ModemError):
    """The modem's serial port went away (unplugged, re-enumerated, powered off)."""
