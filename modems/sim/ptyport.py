"""A pseudo-terminal that looks like a USB serial port behind a stable symlink."""
from __future__ import annotations

import errno
import logging
import os
import pathlib
import select
import threading
import time
import tty
from typing import Callable

log = logging.getLogger(__name__)

# A daemon that stops reading must not stall the network: after this long
# without room in the tty buffer the rest of a write is dropped.
WRITE_BUDGET_S = 0.5


class PtyPort:
    """One PTY: the daemon opens the slave via `link`, the sim owns the master.

    A reader thread hands every chunk the daemon writes to `on_data`. The sim
    keeps the slave open too, so the daemon closing and reopening the port is
    invisible to the master side, as with a real modem.
    """

    def __init__(self, link: pathlib.Path, thread_name: str,
                 on_data: Callable[[bytes], None]):
        self.link = link
        self._thread_name = thread_name
        self._on_data = on_data
        self._write_lock = threading.Lock()
        self._master = -1
        self._slave = -1
        self._wake_r = -1
        self._wake_w = -1
        self._thread: threading.Thread | None = None

    @property
    def is_open(self) -> bool:
        return self._master >= 0

    def open(self) -> None:
        """Creates the PTY and points the symlink at it."""
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        self._wake_r, self._wake_w = os.pipe()
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.link)
        self._thread = threading.Thread(target=self._read_loop, name=self._thread_name,
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Removes the symlink and closes the master: the daemon's port gets EIO."""
        if self.link.is_symlink():
            self.link.unlink()
        if self._master < 0:
            return
        os.write(self._wake_w, b"x")
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        with self._write_lock:
            for fd in (self._master, self._slave, self._wake_r, self._wake_w):
                os.close(fd)
            self._master = self._slave = self._wake_r = self._wake_w = -1

    def write(self, data: bytes) -> bool:
        """Writes all of `data` in one piece; False if the port is closed or stuck."""
        with self._write_lock:
            if self._master < 0:
                return False
            view = memoryview(data)
            deadline = time.monotonic() + WRITE_BUDGET_S
            while view:
                try:
                    view = view[os.write(self._master, view):]
                except BlockingIOError:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([], [self._master], [], left)[1]:
                        log.warning("%s: tty buffer full, %d bytes dropped", self.link.name,
                                    len(view))
                        return False
                except OSError as error:
                    log.warning("%s: write failed: %s", self.link.name, error)
                    return False
            return True

    def write_nowait(self, data: bytes) -> bool:
        """Writes what fits now (audio frames); False if any was dropped."""
        with self._write_lock:
            if self._master < 0:
                return False
            try:
                return os.write(self._master, data) == len(data)
            except (BlockingIOError, OSError):
                return False

    def _read_loop(self) -> None:
        poller = select.poll()
        poller.register(self._master, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        while True:
            events = dict(poller.poll())
            if self._wake_r in events:
                return
            try:
                data = os.read(self._master, 4096)
            except BlockingIOError:
                continue
            except OSError as error:
                if error.errno != errno.EIO:
                    log.exception("%s: read failed", self.link.name)
                return
            try:
                self._on_data(data)
            except Exception:
                log.exception("%s: handling %r failed", self.link.name, data[:80])
