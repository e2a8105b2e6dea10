"""`callbox config check` and `callbox run` with folders the box cannot write: one line
naming the key and what to do, exit 2, no traceback. Run as real subprocesses.

Tests run as root, for whom permission bits mean little: the unwritable folder
here is /sys, where the kernel refuses new files even to root."""
from __future__ import annotations

from pathlib import Path
import subprocess
import sys

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNWRITABLE = "/sys"


def callbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT)


def write_config(tmp_path: Path, state_dir: str, database: str = "callbox.db") -> Path:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{state_dir}"\ndatabase = "{database}"\n'
                    '[web]\nlisten = "127.0.0.1:0"\n')
    return path


def state_dirs(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Gives each kind of bad state_dir: (the path, what the error must say about it)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder\n")
    return {"missing": (str(tmp_path / "absent"), "does not exist"),
            "a file": (str(a_file), "is a file, not a folder"),
            "under a file": (str(a_file / "state"), f"{a_file} is a file, not a folder"),
            "unwritable": (UNWRITABLE, "is not writable by user ")}


@pytest.mark.parametrize("kind", ["missing", "a file", "under a file", "unwritable"])
@pytest.mark.parametrize("command", [("config", "check"), ("run", "--config")])
def test_a_state_dir_the_box_cannot_write_is_named_with_what_to_do(tmp_path, kind, command):
    state_dir, reason = state_dirs(tmp_path)[kind]
    config = write_config(tmp_path, state_dir, database=str(tmp_path / "callbox.db"))
    result = callbox(*command, str(config))
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{config}: gateway.state_dir: "), lines
    assert reason in lines[0] and state_dir in lines[0]
    assert f"`install -d -o callbox {state_dir}`" in lines[0]
    assert "or set state_dir to a folder that user can write" in lines[0]
    assert result.stdout == ""
    assert not (tmp_path / "callbox.db").exists()


@pytest.mark.parametrize("command", [("config", "check"), ("run", "--config")])
def test_an_sqlite_database_where_no_folder_can_be_made_names_the_database_key(tmp_path,
                                                                                  command):
    database = f"{UNWRITABLE}/callbox/callbox.db"
    config = write_config(tmp_path, str(tmp_path), database=database)
    result = callbox(*command, str(config))
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(
        f"{config}: gateway.database: cannot create {database}: the folder {UNWRITABLE} "
        "is not writable"), result.stderr
    assert "or set database to a folder that user can write" in result.stderr

