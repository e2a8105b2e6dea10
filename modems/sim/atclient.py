"""A small blocking AT client over pyserial, for tests and the bench to talk to ports."""
from __future__ import annotations

import logging
import re
import threading

import serial

log = logging.getLogger(__name__)

FINAL = re.compile(r"^(OK|ERROR|\+CME ERROR: .*|\+CMS ERROR: .*|NO CARRIER|BUSY|NO ANSWER)$")


class AtClient:
    """Opens a port, collects every line it says and sends commands.

    `lines` holds all non-empty lines received (echo, responses and URCs)
    in order; `raw` every byte.
    """

    def __init__(self, port: str, timeout: float = 5.0):
        self.timeout = timeout
        self.serial = serial.Serial(port, 115200, timeout=None)
        self.raw = bytearray()
        self.lines: list[str] = []
        self.error: Exception | None = None
        self._partial = bytearray()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read_loop, name=f"atclient-{port}",
                                        daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.serial.cancel_read()
        self._thread.join(timeout=5)
        self.serial.close()

    def __enter__(self) -> "AtClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _read_loop(self) -> None:
        while self.serial.is_open:
            try:
                data = self.serial.read(max(1, self.serial.in_waiting))
            except (serial.SerialException, OSError, TypeError) as error:
                with self._cond:
                    self.error = error
                    self._cond.notify_all()
                return
            if not data:
                return               # cancel_read() was called
            with self._cond:
                self.raw += data
                self._partial += data
                *complete, rest = self._partial.split(b"\n")
                self._partial = bytearray(rest)
                if self._partial.startswith(b"> "):
                    del self._partial[:2]    # the SMS text prompt is not a line
                for line in complete:
                    text = line.decode("latin-1").strip("\r")
                    for piece in text.split("\r"):
                        if piece.strip() not in ("", ">"):
                            self.lines.append(piece.strip())
                self._cond.notify_all()

    def write(self, data: bytes) -> None:
        self.serial.write(data)

    def command(self, line: str, timeout: float | None = None) -> list[str]:
        """Sends `line` and gives every line up to and including its final result."""
        with self._cond:
            start = len(self.lines)
        self.serial.write(line.encode("latin-1") + b"\r")
        return self.lines_until(FINAL, start, timeout)

    def lines_until(self, regex, start: int = 0, timeout: float | None = None) -> list[str]:
        """Gives lines[start:] up to the first one matching `regex`; TimeoutError if none."""
        pattern = re.compile(regex) if isinstance(regex, str) else regex
        found: list[int] = []
        def seen() -> bool:
            found[:] = [i for i in range(start, len(self.lines)) if pattern.search(self.lines[i])][:1]
            return bool(found) or self.error is not None
        with self._cond:
            if not self._cond.wait_for(seen, timeout or self.timeout) or not found:
                raise TimeoutError(f"no line matching {pattern.pattern!r} after {self.lines[start:]}"
                                   f" ({self.error})")
            return self.lines[start: found[0] + 1]

    def wait_line(self, regex, start: int = 0, timeout: float | None = None) -> str:
        """Gives the first line at or after `start` matching `regex`."""
        return self.lines_until(regex, start, timeout)[-1]

    def wait_raw(self, data: bytes, start: int = 0, timeout: float | None = None) -> None:
        """Waits until `data` was received at or after byte offset `start`."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.raw.find(data, start) >= 0,
                                       timeout or self.timeout):
                raise TimeoutError(f"{data!r} not received; got {bytes(self.raw[-200:])!r}")

    def send_pdu(self, length: int, pdu_hex: str, end: bytes = b"\x1a") -> list[str]:
        """Sends AT+CMGS=<length>, waits for the prompt, sends the PDU; gives the reply lines."""
        offset = len(self.raw)
        self.serial.write(f"AT+CMGS={length}\r".encode())
        self.wait_raw(b"> ", offset)
        start = self.mark()
        self.serial.write(pdu_hex.encode() + end)
        return self.lines_until(FINAL, start)

    def mark(self) -> int:
        """Gives the index the next received line will have."""
        with self._cond:
            return len(self.lines)
