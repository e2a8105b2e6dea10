"""The folders a configuration names, checked against the disk before the box starts.

`load()` checks what a file says; this checks that the box can live with it on
this machine: `state_dir` (the outage journal, and by default the database and
the archive) must be a folder this user can write, and an SQLite database's
folder must be one or be creatable. `callbox run` and `callbox config check`
call it, so a wrong folder is one line naming the key, not a traceback from
the first file opened there.
"""
from __future__ import annotations

import os
import pwd
import tempfile

from gateway.config import Config, ConfigError


def check_folders(config: Config) -> None:
    """Gives nothing when the box can write where its configuration says; else
    raises ConfigError naming the key, the folder and what to do."""
    gateway = config.gateway
    problem = folder_problem(gateway.state_dir)
    if problem:
        raise ConfigError(config.path, "gateway.state_dir",
                          f"{problem}; {_remedy(gateway.state_dir, 'state_dir')}")
    if "://" in gateway.database:
        return
    folder = os.path.dirname(gateway.database)
    # The database's folder is created when missing (gateway.store.db.open_database):
    # then the nearest folder that exists must take it.
    existing = _nearest_existing(folder)
    problem = folder_problem(existing)
    if problem:
        raise ConfigError(config.path, "gateway.database",
                          f"cannot create {gateway.database}: {problem}; "
                          f"{_remedy(folder, 'database')}")


def folder_problem(path: str) -> str | None:
    """Gives why `path` is not a folder this process can create files in, or None."""
    if not os.path.exists(path):
        blocker = _nearest_existing(path)
        if not os.path.isdir(blocker):
            return f"{path} cannot exist: {blocker} is a file, not a folder"
        return f"the folder {path} does not exist"
    if not os.path.isdir(path):
        return f"{path} is a file, not a folder"
    # A real file, not os.access: as root os.access says yes to almost anything,
    # while a read-only mount or a kernel file system still refuses the write.
    try:
        handle, probe = tempfile.mkstemp(prefix=".callbox-write-check-", dir=path)
    except OSError as error:
        return f"the folder {path} is not writable by {_user()} ({error.strerror})"
    os.close(handle)
    os.unlink(probe)
    return None


def _nearest_existing(path: str) -> str:
    """Gives `path` or its nearest ancestor that exists (a file or a folder)."""
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def _remedy(folder: str, key: str) -> str:
    return (f"create it for the user the box runs as (e.g. `install -d -o callbox {folder}`), "
            f"or set {key} to a folder that user can write")


def _user() -> str:
    try:
        return f"user {pwd.getpwuid(os.geteuid()).pw_name}"
    except KeyError:
        return f"uid {os.geteuid()}"
