"""Tells systemd how the daemon is doing (sd_notify), with no library beyond socket.

systemd passes the socket in $NOTIFY_SOCKET: a filesystem path, or an
abstract-namespace name written with a leading '@'. Each message is one
datagram of `KEY=VALUE` lines. Without $NOTIFY_SOCKET (a run outside
systemd) every method does nothing, so the daemon calls them unconditionally.
Sending never raises: the box keeps running when systemd cannot be told.
"""
from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger("callbox.systemd")


class Notifier:
    """One daemon's channel to systemd."""

    def __init__(self, socket_path: str | None = None, watchdog_usec: str | None = None):
        """Reads $NOTIFY_SOCKET and $WATCHDOG_USEC unless they are given."""
        self.socket_path = socket_path if socket_path is not None \
            else os.environ.get("NOTIFY_SOCKET", "")
        self._watchdog_usec = watchdog_usec if watchdog_usec is not None \
            else os.environ.get("WATCHDOG_USEC", "")

    @property
    def enabled(self) -> bool:
        """True when there is a systemd to tell."""
        return bool(self.socket_path)

    def watchdog_interval(self) -> float | None:
        """Gives the seconds between watchdog pings (half systemd's limit), None if unset."""
        try:
            usec = int(self._watchdog_usec)
        except ValueError:
            return None
        return usec / 2 / 1_000_000 if usec > 0 else None

    def ready(self, status: str | None = None) -> bool:
        """Says start-up is done; gives whether the message went out."""
        return self._send("READY=1", status)

    def status(self, text: str) -> bool:
        """Sets the line `systemctl status` shows."""
        return self._send(None, text)

    def watchdog(self) -> bool:
        """Says the daemon is alive; systemd restarts it when this stops for WatchdogSec."""
        return self._send("WATCHDOG=1", None)

    def stopping(self, status: str | None = None) -> bool:
        """Says the daemon is shutting down."""
        return self._send("STOPPING=1", status)

    def reloading(self) -> bool:
        """Says the daemon is re-reading its configuration; send ready() after."""
        return self._send("RELOADING=1", None)

    def _send(self, state: str | None, status: str | None) -> bool:
        if not self.enabled:
            return False
        lines = [state] if state else []
        if status is not None:
            # A newline would start a new KEY=VALUE assignment.
            lines.append("STATUS=" + " ".join(status.splitlines()))
        address = self.socket_path
        if address.startswith("@"):
            address = "\0" + address[1:]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(address)
                sock.sendall("\n".join(lines).encode())
        except OSError as error:
            log.warning("cannot notify systemd at %s: %s", self.socket_path, error)
            return False
        return True
