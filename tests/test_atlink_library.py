"""modems/atlink.py overrides private parts of python-gsmmodem: this pins their shape.

The dependency is pinned to one exact version in pyproject.toml. If someone
moves the pin (or pip installs another version), these tests name the private
method or attribute whose shape changed, so the overrides are revisited
before a modem's reader thread breaks in the field.
"""
from __future__ import annotations

import inspect
import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from gsmmodem.modem import GsmModem
from gsmmodem.serial_comms import SerialComms

from modems.atlink import AtLink

ROOT = Path(__file__).resolve().parent.parent

# What AtLink calls, overrides or reads of the library, with the signature it was written against.
METHODS = {
    (SerialComms, "_handleLineRead"): "(self, line, checkForResponseTerm=True)",
    (SerialComms, "_readLoop"): "(self)",
    (SerialComms, "connect"): "(self)",
    (GsmModem, "write"): "(self, data, waitForResponse=True, timeout=10, parseError=True, "
                         "writeTerm='\\r', expectedResponseTermSeq=None)",
    (GsmModem, "_handleModemNotification"): "(self, lines)",
    (GsmModem, "_handleUssd"): "(self, lines)",
    (GsmModem, "_parseCusdResponse"): "(self, lines)",
    (GsmModem, "sendUssd"): "(self, ussdString, responseTimeout=15)",
}
# Attributes SerialComms.__init__ sets that AtLink reads or writes.
ATTRIBUTES = ("_txLock", "_responseEvent", "_expectResponseTermSeq", "alive", "port", "baudrate")


def _pinned_version() -> str:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in dependencies:
        match = re.fullmatch(r"python-gsmmodem-new==([\w.]+)", requirement.strip())
        if match:
            return match[1]
    raise AssertionError("pyproject.toml must pin python-gsmmodem-new to one exact version (==): "
                         "modems/atlink.py overrides its private methods")


def test_the_library_is_pinned_and_installed_at_the_pin():
    installed = metadata.version("python-gsmmodem-new")
    assert installed == _pinned_version(), (
        f"python-gsmmodem-new {installed} is installed but {_pinned_version()} is pinned: "
        "reinstall the pinned version or revisit modems/atlink.py first")


@pytest.mark.parametrize("owner,name", list(METHODS), ids=[f"{c.__name__}.{n}" for c, n in METHODS])
def test_overridden_library_method_keeps_its_shape(owner, name):
    method = getattr(owner, name, None)
    assert method is not None, (
        f"python-gsmmodem no longer has {owner.__name__}.{name}, which modems/atlink.py relies on")
    assert str(inspect.signature(method)) == METHODS[(owner, name)], (
        f"{owner.__name__}.{name} changed shape to {inspect.signature(method)}: "
        "modems/atlink.py calls or overrides it; revisit the override")


def test_library_attributes_the_link_uses_still_exist():
    link = SerialComms("/dev/null")
    missing = [name for name in ATTRIBUTES if not hasattr(link, name)]
    assert not missing, f"SerialComms no longer sets {missing}, which modems/atlink.py uses"


def test_our_overrides_sit_where_the_library_calls_them():
    """AtLink must come before SerialComms in the method order, or the library's own
    reader and notification handler would run instead of ours."""
    order = AtLink.__mro__
    for name in ("_readLoop", "_handleModemNotification", "write"):
        owner = next(cls for cls in order if name in vars(cls))
        assert owner.__module__ == "modems.atlink", f"{name} resolves to {owner.__qualname__}"
    # GsmModem.connect calls super().connect(): the serial port must open our way.
    serial_opener = order[order.index(GsmModem) + 1]
    assert serial_opener.__module__ == "modems.atlink", f"GsmModem's super() is {serial_opener}"
