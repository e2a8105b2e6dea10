"""`callbox at PORT`: an interactive AT terminal on plain pyserial, not the driver.

Works on a modem the daemon does not run, from a terminal (readline history),
from a serial console, or from a pipe: `printf 'AT\\nAT+CSQ\\n' | callbox at PORT`
sends each line after the previous one was answered and exits at the end of
input once the last answer is in (or nothing arrived for the quiet period).

Lines from the modem are printed as they arrive:
    < +CSQ: 20,99     an answer to the line you sent
    ! RING            an unsolicited line (no command was waiting)
and, when input is not a terminal, each line sent is shown as `> AT+CSQ`.
The modem's echo of the line just sent is not printed again.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time

import serial

from callbox.cli import number_argument, seconds_argument
from modems import at_guard

FINAL_RESULT = re.compile(r"OK|ERROR|\+CM[ES] ERROR:.*|NO CARRIER|BUSY|NO ANSWER|NO DIALTONE"
                          r"|CONNECT.*")
HISTORY_FILE = os.path.expanduser("~/.callbox_at_history")
PROMPT = "AT> "


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "at", help="AT command terminal on a serial port",
        description=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", metavar="PORT", help="serial device, e.g. /dev/ttyUSB2")
    parser.add_argument("--baud", type=number_argument("the baud rate", 50, 4_000_000),
                        default=115200, help="baud rate (default: 115200)")
    parser.add_argument("--quiet", type=seconds_argument("--quiet", 0.1, 60), default=2.0,
                        metavar="S",
                        help="seconds without a line from the modem after which an answer "
                        "counts as complete when no OK/ERROR came (default: 2)")
    parser.set_defaults(func=terminal)


def refusal(line: str) -> str | None:
    """Gives why a typed line may not be sent, or None when it may."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in line):
        return "refused: the line contains control characters"
    if not line.isascii():
        return "refused: AT commands are ASCII only"
    return None


def setup_warning(line: str) -> str | None:
    """Gives a warning for a line that undoes the box's modem set-up (modems/at_guard.py),
    or None. Only a warning: this terminal sends what an expert types, on a port the
    daemon is not using, and the web console is where the box guards its modems."""
    try:
        verdict = at_guard.judge(line)
    except at_guard.AtLineError:
        return None          # the modem answers ERROR or reads it its own way: its answer shows
    names = verdict.names(at_guard.Effect.UNDOES_SETUP)
    if not names:
        return None
    return (f"at: warning: {', '.join('AT' + name for name in names)} undoes the box's modem "
            "set-up: the box may miss calls or SMS on this modem until the modem is reset")


class Screen:
    """Prints lines from two threads without tearing the line being typed."""

    def __init__(self, interactive: bool):
        self.interactive = interactive
        self._lock = threading.Lock()
        self._prompting = False
        self.readline = None
        if interactive:
            # Imported here (optional): a Python may be built without readline, and a
            # pipe or a serial console without a terminal does not need it.
            import readline
            self.readline = readline

    def show(self, text: str) -> None:
        with self._lock:
            if self.readline is None or not self._prompting:
                print(text, flush=True)
                return
            # Clear the prompt line, print, and draw the prompt and what was typed again.
            typed = self.readline.get_line_buffer()
            sys.stdout.write(f"\r\x1b[K{text}\n{PROMPT}{typed}")
            sys.stdout.flush()

    def ask(self) -> str | None:
        """Gives the next typed line, or None at Ctrl-D."""
        with self._lock:
            self._prompting = True
        try:
            return input(PROMPT)
        except EOFError:
            print()
            return None
        finally:
            with self._lock:
                self._prompting = False

    def error(self, text: str) -> None:
        with self._lock:
            print(text, file=sys.stderr, flush=True)


class ModemLines:
    """The reader thread (`at-rx`) and what it knows: is an answer still coming?"""

    def __init__(self, port: serial.Serial, screen: Screen):
        self.port = port
        self.screen = screen
        self._changed = threading.Condition()
        self._waiting = False          # a command was sent and its final result is not in
        self._last_sent: str | None = None
        self._last_line_at = time.monotonic()
        self._stopping = False
        self.lost: str | None = None
        self._thread = threading.Thread(target=self._read, name="at-rx", daemon=True)
        self._thread.start()

    def send(self, line: str) -> None:
        with self._changed:
            self._waiting = True
            self._last_sent = line
            self._last_line_at = time.monotonic()
        self.port.write(line.encode("ascii") + b"\r")
        self.port.flush()

    def wait_answer(self, quiet: float) -> None:
        """Waits for the final result of the last command, or `quiet` seconds of silence."""
        with self._changed:
            while self._waiting and self.lost is None:
                remaining = self._last_line_at + quiet - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)

    def stop(self) -> None:
        self._stopping = True
        self.port.cancel_read()
        self._thread.join(timeout=2)

    def _read(self) -> None:
        pending = b""
        while not self._stopping:
            try:
                data = self.port.read(self.port.in_waiting or 1)
            except (serial.SerialException, OSError) as error:
                self._lose(f"the port failed: {error}")
                return
            if not data:
                if pending:   # a prompt without line end, like "> " of AT+CMGS
                    self._line(pending.decode("ascii", "replace"))
                    pending = b""
                continue
            pending += data
            *lines, pending = re.split(rb"[\r\n]", pending)
            for raw in lines:
                if raw.strip():
                    self._line(raw.decode("ascii", "replace").strip())

    def _line(self, line: str) -> None:
        with self._changed:
            self._last_line_at = time.monotonic()
            answer = self._waiting
            echo = answer and line == self._last_sent
            if echo:
                self._last_sent = None
            elif answer and FINAL_RESULT.fullmatch(line):
                self._waiting = False
            self._changed.notify_all()
        if not echo:
            self.screen.show(("< " if answer else "! ") + line)

    def _lose(self, reason: str) -> None:
        with self._changed:
            self.lost = reason
            self._changed.notify_all()
        if not self._stopping:
            self.screen.error(f"at: {reason}")


def terminal(args: argparse.Namespace) -> int:
    try:
        port = serial.Serial(args.port, args.baud, timeout=0.2, rtscts=False, dsrdtr=False,
                             exclusive=True)
    except (serial.SerialException, OSError, ValueError) as error:
        hint = " (is the daemon using it?)" if "lock" in str(error) else ""
        print(f"at: cannot open {args.port}: {error}{hint}", file=sys.stderr)
        return 1
    interactive = sys.stdin.isatty()
    screen = Screen(interactive)
    lines = ModemLines(port, screen)
    if interactive:
        _load_history(screen)
        screen.show(f"connected to {args.port}; type AT commands, `exit` or Ctrl-D to quit")
    try:
        return _converse(lines, screen, interactive, args.quiet)
    finally:
        lines.stop()
        port.close()
        if interactive:
            _save_history(screen)


def _converse(lines: ModemLines, screen: Screen, interactive: bool, quiet: float) -> int:
    """Sends each line typed; gives the exit code."""
    while True:
        text = screen.ask() if interactive else _read_stdin_line()
        if text is None or text.strip(" ") in ("exit", "quit"):
            lines.wait_answer(quiet)
            return 0 if lines.lost is None else 1
        reason = refusal(text)
        if reason:
            screen.error(reason)
            continue
        text = text.strip(" ")
        if not text:
            continue
        if lines.lost is not None:
            screen.error(f"at: not sent, {lines.lost}")
            return 1
        warning = setup_warning(text)
        if warning:
            screen.error(warning)
        if not interactive:
            screen.show(f"> {text}")
        try:
            lines.send(text)
        except (serial.SerialException, OSError) as error:
            screen.error(f"at: not sent, the port failed: {error}")
            return 1
        lines.wait_answer(quiet)


def _read_stdin_line() -> str | None:
    """Gives the next line of a pipe or file without its line end; None at its end."""
    line = sys.stdin.readline()
    return line.removesuffix("\n").removesuffix("\r") if line else None


def _load_history(screen: Screen) -> None:
    try:
        screen.readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass  # no history yet, or an unreadable one: start with none


def _save_history(screen: Screen) -> None:
    try:
        screen.readline.set_history_length(1000)
        screen.readline.write_history_file(HISTORY_FILE)
    except OSError as error:
        screen.error(f"at: history not saved: {error}")
