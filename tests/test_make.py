"""The Makefile's newcomer path, checked dry: `make deps` (what the demo needs) asks for
neither Chromium nor PostgreSQL, `make test-deps` does, a normal user is told which
packages are missing and how to install them; pip's output goes to a log behind one
progress line (tools/quietly.py)."""
from __future__ import annotations

import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
TEST_ONLY = ("chromium", "postgresql", "prometheus")


def fake_dpkg_query(folder: Path, missing: tuple[str, ...]) -> Path:
    """A dpkg-query on PATH that reports every package installed except `missing`."""
    folder.mkdir(exist_ok=True)
    folder.parent.chmod(0o755)
    script = folder / "dpkg-query"
    script.write_text("#!/bin/sh\nfor p; do :; done\ncase \" %s \" in *\" $p \"*) exit 1;; esac\n"
                      "printf 'install ok installed'\n" % " ".join(missing))
    script.chmod(0o755)
    folder.chmod(0o755)
    return folder


def make(target: str, bin_folder: Path) -> subprocess.CompletedProcess:
    """Runs `make TARGET` as a normal user (nobody, when the tests run as root), on a copy
    of the Makefile that user can read (a checkout may be root's alone, as a mktemp one)."""
    prefix = (["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
              if os.geteuid() == 0 else [])
    checkout = bin_folder.parent / "checkout"
    checkout.mkdir(exist_ok=True)
    shutil.copy(ROOT / "Makefile", checkout / "Makefile")
    checkout.chmod(0o755)
    (checkout / "Makefile").chmod(0o644)
    env = {**os.environ, "PATH": f"{bin_folder}:{os.environ['PATH']}", "HOME": "/tmp"}
    return subprocess.run([*prefix, "make", "--no-print-directory", "-C", str(checkout), target],
                          capture_output=True, text=True, timeout=30, env=env)


@pytest.fixture
def bin_folder():
    """A folder a normal user can reach (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="callbox-make-"))
    yield folder / "bin"
    shutil.rmtree(folder)


def test_the_demo_needs_neither_chromium_nor_postgresql(bin_folder):
    result = make("deps", fake_dpkg_query(bin_folder, TEST_ONLY))
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_tests_name_what_they_miss_and_how_to_install_it(bin_folder):
    result = make("test-deps", fake_dpkg_query(bin_folder, TEST_ONLY))
    assert result.returncode != 0
    assert ("the test suite needs Debian packages that are not installed: chromium "
            "postgresql prometheus") in result.stdout
    assert "sudo apt-get install chromium postgresql prometheus" in result.stdout


def test_without_chart_js_the_demo_goes_on_and_says_the_charts_are_off(bin_folder):
    result = make("deps", fake_dpkg_query(bin_folder, ("libjs-chart.js",)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("without Debian packages libjs-chart.js, the admin dashboard's charts are off "
            "(sudo apt-get install libjs-chart.js)") in result.stdout


def test_a_package_the_demo_needs_is_named(bin_folder):
    result = make("deps", fake_dpkg_query(bin_folder, ("espeak-ng", "chromium")))
    assert result.returncode != 0
    assert "the demo needs Debian packages that are not installed: espeak-ng\n" in result.stdout
    assert "chromium" not in result.stdout


def quietly(tmp_path: Path, script: str) -> tuple[subprocess.CompletedProcess, str]:
    log = tmp_path / "pip.log"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "quietly.py"), str(log),
                             "installing", sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=30)
    return result, log.read_text()


def test_pip_noise_goes_to_the_log_behind_one_line(tmp_path):
    result, log = quietly(tmp_path, "print('Collecting numpy'); "
                          "print('SetuptoolsDeprecationWarning: project.license')")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "installing: done"
    assert "Deprecation" not in result.stdout and "SetuptoolsDeprecationWarning" in log


def test_a_failing_install_shows_the_logs_tail_and_its_code(tmp_path):
    result, log = quietly(tmp_path, "import sys; print('ERROR: no matching distribution'); "
                          "sys.exit(3)")
    assert result.returncode == 3
    assert "installing: FAILED (exit code 3)" in result.stdout
    assert "  ERROR: no matching distribution" in result.stdout and "ERROR" in log
