"""A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, a
cluster made by initdb in a temporary folder, a free port on 127.0.0.1, a
unix socket in the same folder, and one fresh database per test.

The server refuses to run as root, so under root the cluster belongs to the
`postgres` user the Debian package creates (or `nobody`). For tests durability
is off (fsync, synchronous_commit): the cluster lives for one test run; the
benchmark asks for a durable one. Each test
database is copied from a template that is already migrated, which takes
milliseconds instead of creating every table again.
"""
from __future__ import annotations

import glob
import itertools
import os
from pathlib import Path
import pwd
import shutil
import socket
import subprocess
import tempfile

SUPERUSER = "callbox"
TEMPLATE = "callbox_template"
SERVER_SETTINGS = "-c max_connections=200 -c listen_addresses=127.0.0.1"
FAST_SETTINGS = " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresUnavailable(Exception):
    """No PostgreSQL server binaries here; says how to get them."""


def server_bindir() -> Path:
    """Gives the folder of initdb, pg_ctl and postgres (the newest Debian version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda path: int(Path(path).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise PostgresUnavailable("the PostgreSQL server is not installed "
                              "(Debian: apt-get install postgresql, which `make deps` runs)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    """Gives the user to run the server as when we are root, else None (ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresUnavailable("running as root and neither user postgres nor nobody exists")


class Cluster:
    """One running PostgreSQL server; `new_database()` gives a migrated database's URL."""

    def __init__(self, bindir: Path, durable: bool = False):
        self.bindir = bindir
        self.settings = SERVER_SETTINGS + ("" if durable else FAST_SETTINGS)
        self.user = _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="callbox-pg-"))
        self.data = self.folder / "data"
        self.port = 0
        self._names = itertools.count(1)

    def _run(self, *command: str) -> None:
        """Runs a server binary as the cluster's owner; raises with its output on failure."""
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.user is not None:
            argv = ["runuser", "-u", self.user.pw_name, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                                cwd=self.folder)
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(command[:2])} failed ({result.returncode}): "
                               f"{result.stdout}{result.stderr}{tail}")

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync")
        for attempt in range(3):     # another process may take the free port first
            self.port = free_port()
            try:
                self.start_server()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._make_template()

    def start_server(self) -> None:
        """Starts the server on `port` (first from start(), again after stop_server())."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-w", "-t", "60", "-o", f"-p {self.port} -k {self.folder} {self.settings}",
                  "start")

    def stop_server(self) -> None:
        """Stops the server as an admin would (its clients lose their connections)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE) as superuser."""
        import psycopg
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(sql)

    def _make_template(self) -> None:
        from gateway.store.db import connect_database
        from gateway.store.migrations import migrate

        self.execute(f"CREATE DATABASE {TEMPLATE}")
        database = connect_database(self.url(TEMPLATE))
        database.connect()
        try:
            migrate(database)
        finally:
            database.close()

    def new_database(self, migrated: bool = True) -> str:
        """Gives the URL of a new database: a copy of the migrated template, or empty."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drops a test database, ending connections a test left open."""
        self.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(durable: bool = False) -> Cluster:
    """Gives a running cluster (`durable`: fsync on every commit, as a real server);
    raises PostgresUnavailable when the server is not installed."""
    cluster = Cluster(server_bindir(), durable)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
