"""callbox.systemd against a real AF_UNIX datagram socket standing in for systemd."""
from __future__ import annotations

import os
from pathlib import Path
import socket
import subprocess
import sys

import pytest

from callbox.systemd import Notifier

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def systemd_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(5)
    yield str(path), sock
    sock.close()


def receive(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


def test_messages_arrive_as_datagrams(systemd_socket):
    path, sock = systemd_socket
    notifier = Notifier(path)
    assert notifier.enabled
    assert notifier.ready("2/2 modems up")
    assert receive(sock) == "READY=1\nSTATUS=2/2 modems up"
    notifier.status("1/2 modems up\nm2 down")
    assert receive(sock) == "STATUS=1/2 modems up m2 down"
    notifier.watchdog()
    assert receive(sock) == "WATCHDOG=1"
    notifier.stopping()
    assert receive(sock) == "STOPPING=1"


def test_abstract_namespace_socket():
    name = f"callbox-test-{os.getpid()}-{id(object())}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        assert Notifier("@" + name).watchdog()
        assert receive(sock) == "WATCHDOG=1"
    finally:
        sock.close()


def test_environment_in_a_subprocess(systemd_socket):
    path, sock = systemd_socket
    code = ("from callbox.systemd import Notifier; n = Notifier(); "
            "print(n.watchdog_interval()); n.ready()")
    environment = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="30000000")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "15.0"
    assert receive(sock) == "READY=1"


def test_without_systemd_nothing_is_sent():
    notifier = Notifier("", "")
    assert not notifier.enabled
    assert not notifier.ready()
    assert notifier.watchdog_interval() is None


def test_watchdog_interval_is_half_the_limit():
    assert Notifier("", "10000000").watchdog_interval() == 5.0
    assert Notifier("", "0").watchdog_interval() is None
    assert Notifier("", "junk").watchdog_interval() is None


def test_a_missing_socket_is_not_fatal(tmp_path):
    assert not Notifier(str(tmp_path / "gone")).ready()
