"""install.sh laid out into a directory tree with --root, and the systemd unit checked."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / "install.sh"
UNIT = ROOT / "systemd" / "callbox.service"
NO_INDEX = ("Could not find a version", "No matching distribution", "Failed to establish",
            "Temporary failure in name resolution", "Network is unreachable")


def install(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(INSTALL), *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd="/")


def tree(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*")}


def test_dry_run_changes_nothing(tmp_path):
    target = tmp_path / "box"
    result = install("--root", str(target), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert not target.exists()
    assert "skipped under --root: useradd --system" in result.stdout
    assert "skipped under --root: env DEBIAN_FRONTEND=noninteractive apt-get install" in result.stdout
    assert re.search(r"\+ .*venv/bin/pip install .*", result.stdout)
    assert "audio.prompts --out" in result.stdout


def test_root_install_lays_out_the_tree(tmp_path):
    target = tmp_path / "box"
    result = install("--root", str(target), "--no-venv")
    assert result.returncode == 0, result.stderr
    assert {"opt/callbox", "etc/callbox/callbox.toml", "var/lib/callbox",
            "etc/systemd/system/callbox.service",
            "etc/udev/rules.d/99-callbox.rules"} <= tree(target)
    assert (target / "etc/callbox/callbox.toml").read_text() == (ROOT / "config/callbox.toml").read_text()
    assert (target / "etc/systemd/system/callbox.service").read_text() == UNIT.read_text()
    assert oct((target / "var/lib/callbox").stat().st_mode & 0o777) == "0o750"
    todo = (target / "opt/callbox/postinst.todo").read_text().splitlines()
    assert any(line.startswith("useradd --system") and line.endswith("callbox") for line in todo)
    assert "chown callbox:callbox /var/lib/callbox" in todo
    assert "systemctl enable callbox.service" in todo


def test_second_run_upgrades_and_keeps_config_and_data(tmp_path):
    target = tmp_path / "box"
    assert install("--root", str(target), "--no-venv").returncode == 0
    config = target / "etc/callbox/callbox.toml"
    config.write_text(config.read_text() + "# marker: the admin's own settings\n")
    database = target / "var/lib/callbox/callbox.db"
    database.write_bytes(b"the box's data")
    result = install("--root", str(target), "--no-venv")
    assert result.returncode == 0, result.stderr
    assert config.read_text().endswith("# marker: the admin's own settings\n")
    assert (target / "etc/callbox/callbox.toml.dist").read_text() == (ROOT / "config/callbox.toml").read_text()
    assert database.read_bytes() == b"the box's data"
    # Each run writes its own list of pending system commands, not an ever longer one.
    todo = (target / "opt/callbox/postinst.todo").read_text().splitlines()
    assert sum(line.startswith("useradd") for line in todo) == 1


def test_uninstall_keeps_config_and_data_purge_removes_them(tmp_path):
    target = tmp_path / "box"
    assert install("--root", str(target), "--no-venv").returncode == 0
    (target / "var/lib/callbox/callbox.db").write_bytes(b"data")
    result = install("--root", str(target), "--uninstall")
    assert result.returncode == 0, result.stderr
    files = tree(target)
    assert "opt/callbox" not in files
    assert "etc/systemd/system/callbox.service" not in files
    assert "etc/udev/rules.d/99-callbox.rules" not in files
    assert {"etc/callbox/callbox.toml", "var/lib/callbox/callbox.db"} <= files
    assert "systemctl disable --now callbox.service" in (target / "callbox-uninstall.todo").read_text()
    result = install("--root", str(target), "--purge")
    assert result.returncode == 0, result.stderr
    assert not (target / "etc/callbox").exists() and not (target / "var/lib/callbox").exists()
    assert "userdel callbox" in (target / "callbox-uninstall.todo").read_text()


def test_unsupported_system_is_refused(tmp_path):
    os_release = tmp_path / "os-release"
    os_release.write_text('ID=fedora\nID_LIKE="rhel centos"\n')
    env = dict(os.environ, CALLBOX_OS_RELEASE=str(os_release))
    result = install("--root", str(tmp_path / "box"), "--no-venv", env=env)
    assert result.returncode != 0
    assert "unsupported system: fedora" in result.stderr
    assert not (tmp_path / "box").exists()


def test_old_python_is_refused(tmp_path):
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\n[ \"$1\" = -V ] && echo 'Python 3.9.2' && exit 0\nexit 1\n")
    old.chmod(0o755)
    env = dict(os.environ, PYTHON=str(old))
    result = install("--root", str(tmp_path / "box"), "--no-venv", env=env)
    assert result.returncode != 0
    assert "Python 3.9.2 is too old" in result.stderr


def test_unknown_option_is_refused():
    result = install("--frobnicate")
    assert result.returncode != 0 and "unknown option --frobnicate" in result.stderr


def test_systemd_unit_verifies():
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    text = UNIT.read_text()
    for setting in ("Type=notify", "WatchdogSec=30", "Restart=always", "NotifyAccess=main",
                    "DevicePolicy=closed", "RestartPreventExitStatus=2", "User=callbox"):
        assert re.search(rf"^{re.escape(setting)}$", text, re.M), setting
    # verify checks that ExecStart exists: point it at a program this machine has.
    unit = Path(os.environ.get("TMPDIR", "/tmp")) / f"callbox-verify-{os.getpid()}" / "callbox.service"
    unit.parent.mkdir(exist_ok=True)
    try:
        unit.write_text(text.replace("/opt/callbox/venv/bin/callbox", "/bin/true"))
        result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                                text=True, timeout=60)
    finally:
        shutil.rmtree(unit.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"Unknown|Failed to parse|Invalid|unsupported", output), output


@pytest.mark.timeout(300)
def test_full_install_with_virtualenv(tmp_path):
    """The one slow test: a real virtualenv, the package installed, prompts generated."""
    target = tmp_path / "box"
    result = install("--root", str(target), timeout=280)
    if result.returncode != 0 and any(text in result.stdout + result.stderr for text in NO_INDEX):
        pytest.skip("no Python package index reachable for pip")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    callbox = target / "opt/callbox/venv/bin/callbox"
    version = subprocess.run([str(callbox), "--version"], capture_output=True, text=True,
                             timeout=60)
    assert version.stdout.startswith("callbox "), version.stderr
    assert os.readlink(target / "usr/local/bin/callbox") == "/opt/callbox/venv/bin/callbox"
    prompts = subprocess.run([str(target / "opt/callbox/venv/bin/python"), "-c",
                              "import audio.prompts as p; print(p.DEFAULT_DIR)"],
                             capture_output=True, text=True, timeout=60, cwd="/")
    assert list((Path(prompts.stdout.strip()) / "en").glob("*.wav"))
