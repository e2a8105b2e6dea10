"""What the daemon loads: no PostgreSQL driver for an SQLite box, and the driver loaded
on demand still serves a postgresql:// database (gateway/store/driverless.py)."""
from __future__ import annotations

import json
import subprocess
import sys

# Dependencies a daemon may load only on the path that needs them (bench/memory.py
# measures each): the PostgreSQL driver and asyncio (it comes only with psycopg), and
# the alert and metrics libraries (loaded when [alerts] or [metrics] are configured).
ON_DEMAND = ("psycopg", "psycopg2", "asyncio", "apprise", "prometheus_client")


def loaded_after(code: str) -> set[str]:
    """Gives what a fresh interpreter has imported after running `code`."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_the_daemon_and_the_command_import_no_on_demand_dependency():
    for entry in ("import callbox.daemon", "import callbox.cli", "import webui.app"):
        modules = loaded_after(entry)
        assert "peewee" in modules, entry      # the probe did load the data layer
        assert not modules & set(ON_DEMAND), (entry, modules & set(ON_DEMAND))


def test_postgresql_works_in_a_process_whose_peewee_found_no_driver(pg_cluster):
    url = pg_cluster.new_database()
    try:
        result = subprocess.run([sys.executable, "-c", f"""
import sys
from gateway.store.db import SchemaVersion, close_database, open_database
import peewee
assert peewee.psycopg is None and "psycopg" not in sys.modules
open_database({url!r})
print(SchemaVersion.select().count(), "psycopg" in sys.modules)
close_database()
"""], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        migrations, driver_loaded = result.stdout.split()
        assert int(migrations) >= 12 and driver_loaded == "True"
    finally:
        pg_cluster.drop_database(url)
