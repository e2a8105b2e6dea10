"""The virtual network's USB hub: switches a virtual modem's port off and on on request.

A power-cycle command (tests/fake_uhubctl, taking uhubctl's arguments) connects
to the unix socket `usb.sock` in the network's workdir (or the path in
$VIRTUAL_USB_HUB) and writes one line: `<action> <hub> <port>`, action off, on
or cycle; it reads back one line, `ok ...` or `error ...`. Each modem sits at
its `usb` location ("1-1.3": hub "1-1", port 3).
"""
from __future__ import annotations

import logging
import os
import socket
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

ACTIONS = {"0": "off", "1": "on", "2": "cycle", "off": "off", "on": "on", "cycle": "cycle"}


class UsbHub:
    """Listens on a unix socket; `requests` keeps every (action, hub, port) asked for."""

    def __init__(self, network, workdir: Path):
        self._net = network
        self.path = workdir / "usb.sock"
        if len(str(self.path)) > 100:        # sun_path holds 108 bytes
            self.path = Path(tempfile.mkdtemp(prefix="vusb-")) / "usb.sock"
        self.requests: list[tuple[str, str, str]] = []
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self, thread_name: str) -> None:
        if self.path.exists():
            self.path.unlink()
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        server.listen(4)
        self._server = server
        self._thread = threading.Thread(target=self._serve, name=thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        try:
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).connect(str(self.path))
        except OSError:
            pass    # nobody listens any more: the accept loop has ended already
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.path.exists():
            os.unlink(self.path)

    def _serve(self) -> None:
        while self._server is not None:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            if self._server is None:    # the wake-up of stop()
                connection.close()
                return
            with connection:
                connection.settimeout(5)
                try:
                    line = connection.makefile("r", encoding="utf-8").readline()
                    connection.sendall((self.handle(line) + "\n").encode())
                except OSError as error:
                    log.warning("virtual USB hub: a request failed: %s", error)

    def handle(self, line: str) -> str:
        """Gives the answer to one request line."""
        words = line.split()
        if len(words) != 3 or words[0] not in ACTIONS:
            return "error: expected `<off|on|cycle> <hub> <port>`"
        action, hub, port = ACTIONS[words[0]], words[1], words[2]
        self.requests.append((action, hub, port))
        location = f"{hub}.{port}" if "-" in hub else f"{hub}-{port}"
        modem = next((m for m in list(self._net.modems.values()) if m.usb == location), None)
        if modem is None:
            return f"error: no device at hub {hub} port {port}"
        log.info("virtual USB hub: %s port %s of hub %s (modem %s)", action, port, hub, modem.name)
        if action in ("off", "cycle"):
            modem.unplug()
        if action == "on":
            modem.replug()
        elif action == "cycle":
            self._net.scheduler.call_later(modem.reboot_seconds, modem._come_back)
        return f"ok: {action} port {port} of hub {hub}"
