"""peewee and the playhouse modules we use, loaded without the PostgreSQL driver.

peewee tries `import psycopg2` and `import psycopg` at its own import, and
playhouse.postgres_ext (which playhouse.migrate and playhouse.db_url import) tries
psycopg again: with psycopg installed, every process of ours would load it, its
own copies of libpq, libssl and libcrypto, and asyncio: 10.7 MB of the daemon's
resident memory (bench/memory.py), for nothing on a box with an SQLite file.

`load()` imports them with both drivers hidden, so peewee records that it has
none; gateway/store/engine.py's PostgreSQL database imports psycopg itself when a
postgresql:// database is opened. gateway/__init__.py calls it, and the callbox and
webui packages import gateway first, so it runs before any module of ours imports
peewee. A process that imported peewee before (a tool, a test) keeps its copy:
engine.py works with either.
"""
from __future__ import annotations

import importlib
import sys

DRIVERS = ("psycopg2", "psycopg")
HIDDEN_FROM = ("peewee", "playhouse.db_url", "playhouse.migrate")


def load() -> None:
    """Imports peewee, playhouse.db_url and playhouse.migrate without a PostgreSQL
    driver, unless peewee is loaded already."""
    if "peewee" in sys.modules:
        return
    saved = {name: sys.modules[name] for name in DRIVERS if name in sys.modules}
    for name in DRIVERS:
        sys.modules[name] = None      # `import name` raises ImportError (the import system's rule)
    try:
        for module in HIDDEN_FROM:
            importlib.import_module(module)
    finally:
        for name in DRIVERS:
            del sys.modules[name]
        sys.modules.update(saved)
