"""The brain of the box: config, database, call flows, SMS commands, daemon, CLI."""
from importlib.metadata import PackageNotFoundError, version

from gateway.store import driverless

driverless.load()     # before any module of ours imports peewee: see gateway/store/driverless.py

try:
    __version__ = version("callbox")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "unknown"
