"""`make demo` as a newcomer meets it: a normal user (nobody, when the tests run as root), a
fresh clone of this checkout's HEAD in a folder of that user's, neither Chromium nor
PostgreSQL on the PATH, no package index: it sets itself up, reaches the login page with
the demo's two logins, and stops on Ctrl-C leaving nothing behind.

No network: pip installs from a folder of wheels packed from this venv (tools/wheelhouse.py,
as an owner does for a box offline) with PIP_NO_INDEX. The voice prompts are copied from
this checkout when made already (their manifest makes `make prompts` keep them): making
them all takes a minute of espeak-ng (tests/test_audio_prompts.py tests that)."""
from __future__ import annotations

from importlib import metadata
import os
from pathlib import Path
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from tests.test_demo import STOP_WITHIN, Output, free_port, group_alive

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
NOT_FOR_THE_DEMO = re.compile(r"(chromium.*|google-chrome.*|psql|postgres.*|pg_.*)")
BIN_FOLDERS = ("/usr/local/bin", "/usr/bin", "/bin")
SETUP_WITHIN = 120.0          # seconds to install, make prompts and start (about 30 alone)


def as_normal_user() -> list[str]:
    """Gives the command prefix that runs a command as a normal user; skips when none."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwuid(NOBODY)
    except KeyError:
        pytest.skip(f"running as root and there is no user {NOBODY} (nobody) to be instead")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def stripped_path(folder: Path) -> Path:
    """Gives a folder of links to every program on the usual PATH but Chromium's and
    PostgreSQL's."""
    folder.mkdir()
    for source in map(Path, BIN_FOLDERS):
        for program in sorted(source.iterdir()) if source.is_dir() else []:
            link = folder / program.name
            if not NOT_FOR_THE_DEMO.fullmatch(program.name) and not link.exists():
                link.symlink_to(program)
    return folder


def copy_prompts(clone: Path) -> None:
    for made in ("audio/prompts", "audio/phrases"):
        if (ROOT / made).is_dir():
            shutil.copytree(ROOT / made, clone / made, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".lock", ".make-*"))


@pytest.fixture
def newcomer():
    """Gives (the clone, its environment, the command prefix) in a folder the user owns."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    setuptools = int(metadata.version("setuptools").split(".")[0])
    if setuptools < 77:
        pytest.skip(f"this venv's setuptools {setuptools} cannot build callbox (77 or later "
                    "can): `make setup` upgrades it")
    prefix = as_normal_user()
    folder = Path(tempfile.mkdtemp(prefix="callbox-newcomer-"))
    try:
        clone = folder / "callbox"
        subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)],
                       check=True, timeout=60)
        copy_prompts(clone)
        wheels = folder / "wheels"
        subprocess.run([sys.executable, str(ROOT / "tools" / "wheelhouse.py"), str(wheels)],
                       check=True, timeout=60, capture_output=True)
        env = {"PATH": str(stripped_path(folder / "bin")), "HOME": str(folder),
               "LANG": "C.UTF-8", "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
               "PIP_FIND_LINKS": str(wheels)}
        python = subprocess.run(["python3", "-c", "import sys; print(sys.version_info[:2])"],
                                env=env, capture_output=True, text=True)
        if python.stdout.strip() != str(sys.version_info[:2]):
            pytest.skip(f"the PATH's python3 is not this venv's Python "
                        f"{sys.version_info[0]}.{sys.version_info[1]}: this venv's wheels "
                        f"would not fit it ({python.stdout.strip() or python.stderr.strip()})")
        if prefix:
            subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(folder)], check=True)
        yield clone, env, prefix
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def login_page(url: str, demo: Output) -> str:
    """Gives the login page once the web UI answers (asked until it does, the demo alive)."""
    deadline = time.monotonic() + SETUP_WITHIN
    while time.monotonic() < deadline and not demo.ended.is_set():
        try:
            with urllib.request.urlopen(url + "/login", timeout=5) as reply:
                return reply.read().decode()
        except (urllib.error.URLError, ConnectionError):
            demo.ended.wait(0.2)      # the port is not open yet: ask again
    raise AssertionError("no login page; the demo printed:\n" + demo.text())


@pytest.mark.timeout(240)
def test_make_demo_as_a_newcomer_reaches_the_login_page(newcomer):
    clone, env, prefix = newcomer
    for program in ("chromium", "psql", "postgres"):
        assert shutil.which(program, path=env["PATH"]) is None, program
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [*prefix, "make", "--no-print-directory", "demo", f"DEMO_LISTEN=127.0.0.1:{port}",
         "DEMO_ARGS=--no-scene"], cwd=clone, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    demo = Output(process.stdout)
    try:
        demo.wait_for(r"web UI on http://127\.0\.0\.1:\d+/", timeout=SETUP_WITHIN)
        page = login_page(f"http://127.0.0.1:{port}", demo)
        ready = time.monotonic() - started
        holder = demo.wait_for(r"^\s*account holder:\s+(\S+) / (\S+)", timeout=60)
        admin = demo.wait_for(r"^\s*admin:\s+(\S+) / (\S+)", timeout=5)
        for login in (holder, admin):
            assert f"<strong>{login[1]}</strong> / <code>{login[2]}</code>" in page
        before = "\n".join(demo.lines[:demo.lines.index(next(
            line for line in demo.lines if "web UI on" in line))])
        assert "installing Python packages into .venv: done" in before, before
        assert not re.search(r"WARNING|Deprecat|Collecting|Processing", before), before
        workdir = demo.wait_for(r"working folder (\S+)", timeout=5)[1]

        os.killpg(process.pid, signal.SIGINT)            # Ctrl-C, as a terminal sends it
        process.wait(STOP_WITHIN)
        deadline = time.monotonic() + STOP_WITHIN
        while group_alive(process.pid) and time.monotonic() < deadline:
            demo.ended.wait(0.1)       # make's children are reaped before make itself exits
        assert not group_alive(process.pid), "processes of the demo are left behind"
        demo.wait_for(r"callbox stopped", timeout=5)
        assert not Path(workdir).exists(), "the demo's working folder is left behind"
        print(f"make demo in a fresh clone: login page after {ready:.1f} s")
    finally:
        if group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
