"""The AT channel of one modem: python-gsmmodem with its weak spots replaced.

We keep the library's command/response, init sequence, PDU codec and SMS
sending. These overrides are ours, each for a defect we would otherwise ship:

- `_readLoop`: the library reads one byte per system call and dies on the
  first byte that is not UTF-8 (garbage on a USB line kills its reader thread
  for good). Ours reads what is waiting, strips bytes that are not printable
  ASCII, and survives.
- Line routing: while a command waits for its response, the library appends
  *every* line to that response, so a `RING` or `+CMTI` that arrives during
  `AT+CSQ` is lost. As oFono's gatchat does, a line is unsolicited when the
  profile says its prefix is a URC and the pending command does not expect
  that prefix in its own response. `+CMT: [<alpha>],<length>` and `+CDS: <length>`
  (27.005 3.4.1, PDU mode) carry their PDU on the next line, which has no prefix:
  the two reach the dispatcher joined by a line break, even while a command waits
  (the library would have appended the PDU to that command's response).
- `_handleModemNotification`: the library starts a new thread per URC, so two
  URCs can be handled out of order. Ours puts each line on one queue that a
  single dispatcher thread per modem drains in order; it also runs work handed to it
  (`call_soon`) and timed work (`call_later`), so no thread is started per event.
- `_parseCusdResponse` and `sendUssd`: the library needs `+CUSD: <m>,"<str>",<dcs>`
  on one line; `+CUSD: 4` (27.007 §7.15: not supported) raised in the dispatcher
  and left the caller waiting out its timeout. Ours reads every form of
  `modems/ussd.py`, joins a text split over lines, and raises ModemError with
  the network's reason when an answer has no text.
- `connect` of the serial port: no RTS/CTS or DSR/DTR flow control (USB CDC
  ports ignore it; pseudo-terminals and some FTDI adapters stall on it), and
  named threads. Our reader blocks until bytes come: no read timeout wakes it
  for nothing (a box idles most of its life); `close` ends its wait with
  pyserial's `cancel_read`, as serial.threaded's ReaderThread stops. It polls the
  port's descriptor and that pipe itself and reads what came in one call.

Because these reach into private methods, pyproject.toml pins python-gsmmodem-new
to one exact version, and tests/test_atlink_library.py names any private method
or attribute whose shape differs in the installed version.
"""
from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue
import re
import select
import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator, NamedTuple

import serial
from gsmmodem.exceptions import CommandError, TimeoutException
from gsmmodem.modem import GsmModem, Ussd
from gsmmodem.serial_comms import SerialComms

from modems.errors import ModemError, PortLost
from modems.ussd import STATUS_WORDS, TextJoiner, parse_cusd

log = logging.getLogger(__name__)

_FINAL_DIAL_RESULTS = ("NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "CONNECT")
_PDU_FOLLOWS = re.compile(r"\+CMT:\s*[^,]*,\s*\d+$|\+CDS:\s*\d+$")
_HEX_LINE = re.compile(r"[0-9A-Fa-f]+")
_NOT_PRINTABLE = bytes(byte for byte in range(256) if not 0x20 <= byte < 0x7F)   # noise
_STOP = object()


class _Later(NamedTuple):
    """Work for the dispatcher when `due` (time.monotonic()) comes: AtLink.call_later."""
    due: float
    work: Callable[[], None]


class _OwnSerialPort(SerialComms):
    """Sits between GsmModem and SerialComms in the method order, so that the
    library's `super().connect()` opens the port our way."""

    def connect(self) -> None:
        self.connect_port()


class AtLink(GsmModem, _OwnSerialPort):
    """GsmModem whose unsolicited lines reach `on_urc(line)` in modem order."""

    def __init__(self, name: str, port: str, *, on_urc: Callable[[str], None],
                 is_urc: Callable[[str, str | None], bool], on_fatal: Callable[[Exception], None]):
        super().__init__(port, baudrate=115200,
                         smsReceivedCallbackFunc=self._no_library_sms_handling)
        self.name = name
        self._on_urc = on_urc
        self._is_urc = is_urc
        self._on_fatal = on_fatal
        self._lost_lock = threading.Lock()
        self._lost = False                  # the port's loss was reported (once)
        self._pending_command: str | None = None
        self._urc_queue: queue.Queue = queue.Queue()
        self._dispatcher: threading.Thread | None = None
        # pyserial's close is not thread-safe: two threads in it close the descriptor
        # twice, the second time maybe a file someone opened in between
        self._close_lock = threading.Lock()
        self.garbage_bytes = 0
        # for the metrics: commands the modem refused (ERROR, +CME ERROR: 27.007 §9.2) or
        # left unanswered; refusals count once connected, and never of optional commands
        self.at_errors = 0
        self.at_timeouts = 0
        self._counting = False
        self._optional = False
        self._ussd_text = TextJoiner()
        self._pdu_head: str | None = None      # a +CMT/+CDS line waiting for its PDU line

    @staticmethod
    def _no_library_sms_handling(sms) -> None:
        """Never called: +CMTI reaches our own handler, not the library's
        processStoredSms path (which deletes before handing over)."""

    # -- serial port and threads -------------------------------------------------

    def connect_port(self) -> None:
        """Opens the serial port and starts the reader and dispatcher threads."""
        self.serial = serial.Serial(port=self.port, baudrate=self.baudrate, timeout=None,
                                    rtscts=False, dsrdtr=False, exclusive=True)
        # A process killed between AT+CMGS and its PDU leaves the modem reading
        # PDU text: ESC cancels that, and is harmless otherwise.
        self.serial.write(b"\x1b")
        self.alive = True
        self.rxThread = threading.Thread(target=self._readLoop, name=f"{self.name}-rx", daemon=True)
        self._dispatcher = threading.Thread(target=self._dispatch_loop, name=f"{self.name}-urc",
                                            daemon=True)
        self.rxThread.start()
        self._dispatcher.start()

    def close(self) -> None:
        """Stops both threads and closes the port; safe to call twice."""
        self.alive = False
        rx = getattr(self, "rxThread", None)
        if rx is not None and rx is not threading.current_thread():
            self._wake_reader()
            rx.join(timeout=2)
        self._urc_queue.put(_STOP)
        if self._dispatcher is not None and self._dispatcher is not threading.current_thread():
            self._dispatcher.join(timeout=2)
        port = getattr(self, "serial", None)
        with self._close_lock:
            if port is not None and port.is_open:
                try:
                    port.close()
                except OSError as error:   # the device may already be gone (unplugged)
                    log.debug("%s: closing port: %s", self.name, error)

    def connect(self, *args, **kwargs) -> None:
        """The library's start (its probes may be refused), then refusals count."""
        super().connect(*args, **kwargs)
        self._counting = True

    def _wake_reader(self) -> None:
        """Ends the reader's wait for bytes (it then sees `alive` false and stops)."""
        port = getattr(self, "serial", None)
        with self._close_lock:
            if port is None or not port.is_open:
                return
            try:
                port.cancel_read()
            except OSError as error:   # the port is being closed: the reader ends anyway
                log.debug("%s: waking the reader: %s", self.name, error)

    @property
    def urc_thread(self) -> threading.Thread | None:
        return self._dispatcher

    # -- commands -----------------------------------------------------------------

    def write(self, data, waitForResponse=True, timeout=10, parseError=True, writeTerm="\r",
              expectedResponseTermSeq=None):
        with self._txLock:
            if not self.alive:
                raise PortLost(f"{self.name}: the modem's port is gone")
            self._pending_command = data if waitForResponse else None
            try:
                return super().write(data, waitForResponse=waitForResponse, timeout=timeout,
                                     parseError=parseError, writeTerm=writeTerm,
                                     expectedResponseTermSeq=expectedResponseTermSeq)
            except TimeoutException:
                self.at_timeouts += 1
                raise
            except CommandError:
                if self._counting and not self._optional:
                    self.at_errors += 1
                raise
            except (serial.SerialException, OSError, IndexError) as error:
                # IndexError: the library indexes an empty response when the
                # reader released it because the port vanished.
                if isinstance(error, IndexError):
                    if self.alive:
                        raise
                elif self.alive:        # the write failed: not a port we closed ourselves
                    self._port_lost(error)
                raise PortLost(f"{self.name}: the modem's port is gone") from None
            finally:
                self._pending_command = None

    @contextmanager
    def optional(self) -> Iterator[None]:
        """Commands written inside may be refused without counting as AT errors."""
        with self._txLock:
            self._optional = True
            try:
                yield
            finally:
                self._optional = False

    # -- reading --------------------------------------------------------------------

    def _readLoop(self) -> None:
        buffer = bytearray()
        port = self.serial
        # pyserial's read(in_waiting or 1) took an ioctl, a select and a read, each behind
        # its Python, twice for most replies (the first byte, then the rest): a third of the
        # reader's CPU. Waiting on the port and on the pipe its cancel_read writes to, then
        # reading what came, is one poll and one read.
        waiting = select.poll()
        waiting.register(port.fd, select.POLLIN)
        waiting.register(port.pipe_abort_read_r, select.POLLIN)
        try:
            while self.alive:
                # blocks until bytes come (or close() cancels the read: empty)
                chunk = _read_waiting(waiting, port)
                if not chunk:
                    continue
                buffer += chunk
                buffer = self._consume_lines(buffer)
        except (serial.SerialException, OSError) as error:
            self._port_lost(error)

    def _port_lost(self, error: Exception) -> None:
        """The port is gone: stops the link, releases a waiting command (it reads as a
        failure) and reports the loss once, whichever thread saw it first: a command's
        write can fail before the reader is scheduled to see the hang-up."""
        with self._lost_lock:
            if self._lost:
                return
            self._lost = True
        self.alive = False
        if self._responseEvent is not None:
            self._responseEvent.set()
        self._on_fatal(error)

    def _consume_lines(self, buffer: bytearray) -> bytearray:
        while True:
            end = buffer.find(b"\r\n")
            prompt = self._expectResponseTermSeq
            if end < 0:
                if prompt and buffer.endswith(bytes(prompt)):
                    self._handleLineRead(self._clean(bytes(buffer)), checkForResponseTerm=False)
                    return bytearray()
                return buffer
            raw, buffer = bytes(buffer[:end]), buffer[end + 2:]
            for line in self._ussd_text.take(self._clean(raw)):
                if line:
                    self._route(line)

    def _clean(self, raw: bytes) -> str:
        printable = raw.translate(None, _NOT_PRINTABLE)
        if len(printable) != len(raw):
            self.garbage_bytes += len(raw) - len(printable)
            log.debug("%s: skipped %d bytes of line noise", self.name, len(raw) - len(printable))
        return printable.decode("ascii").strip()

    def _route(self, line: str) -> None:
        if self._pdu_head is not None and self._joined_pdu(line):
            return
        pending = self._pending_command
        waiting = self._responseEvent is not None and not self._responseEvent.is_set()
        if not waiting:
            self._unsolicited(line)
            return
        if pending and pending.upper().startswith("ATD") and line in _FINAL_DIAL_RESULTS:
            self._handleLineRead(line, checkForResponseTerm=False)
            return
        if self._is_urc(line, pending):
            self._unsolicited(line)
            return
        self._handleLineRead(line)

    def _unsolicited(self, line: str) -> None:
        if _PDU_FOLLOWS.match(line):
            self._pdu_head = line          # its PDU is the next line
        else:
            self._urc_queue.put(line)

    def _joined_pdu(self, line: str) -> bool:
        """Hands a held +CMT/+CDS line to the dispatcher with `line` as its PDU; gives
        False when `line` is no PDU (the head goes alone, and `line` is routed)."""
        head, self._pdu_head = self._pdu_head, None
        if _HEX_LINE.fullmatch(line):
            self._urc_queue.put(f"{head}\n{line}")
            return True
        self._urc_queue.put(head)
        return False

    # -- USSD ----------------------------------------------------------------------

    def _parseCusdResponse(self, lines) -> Ussd:
        """Gives the library's Ussd for +CUSD line(s), with `status` (<m>) added."""
        answer = parse_cusd(lines)
        ussd = Ussd(self, answer is not None and answer.status == 1,
                    answer.text if answer else None)
        ussd.status = answer.status if answer else None
        return ussd

    def sendUssd(self, ussdString, responseTimeout=15):
        """Gives the network's answer to a USSD code; ModemError when it came without text."""
        ussd = super().sendUssd(ussdString, responseTimeout=responseTimeout)
        if ussd.message is None:
            reason = STATUS_WORDS.get(ussd.status, "an answer without text")
            raise ModemError(f"{self.name}: USSD {ussdString}: {reason} (+CUSD: {ussd.status})")
        return ussd

    def _handleModemNotification(self, lines) -> None:
        for line in lines:
            self._urc_queue.put(line)

    def call_soon(self, work: Callable[[], None]) -> None:
        """Runs `work` on the dispatcher thread, after the lines queued so far."""
        self._urc_queue.put(work)

    def call_later(self, delay: float, work: Callable[[], None]) -> None:
        """Runs `work` on the dispatcher thread `delay` seconds from now (after the lines
        queued by then), without a thread of its own; not at all once the link is closed."""
        self._urc_queue.put(_Later(time.monotonic() + delay, work))

    def run_in_dispatcher(self, work: Callable[[], object], timeout: float) -> object:
        """Runs `work` on the dispatcher thread, waits for it, gives its result."""
        if threading.current_thread() is self._dispatcher:
            return work()
        done = threading.Event()
        failure: list[BaseException] = []
        result: list[object] = []

        def wrapped() -> None:
            try:
                result.append(work())
            except Exception as error:   # handed back to the waiting thread
                failure.append(error)
            finally:
                done.set()

        self._urc_queue.put(wrapped)
        if not done.wait(timeout):
            raise TimeoutException()
        if failure:
            raise failure[0]
        return result[0]

    def _dispatch_loop(self) -> None:
        later: list[tuple[float, int, Callable[[], None]]] = []    # a heap, by when due
        order = itertools.count()
        while True:
            wait = later[0][0] - time.monotonic() if later else None
            if wait is not None and wait <= 0:
                # due: queued behind the lines that came before it (a +CLIP read before the
                # wait for it ended is handled first), as a timer thread's call_soon did
                self._urc_queue.put(heapq.heappop(later)[2])
                continue
            try:    # no timeout unless a call_later waits: an idle modem sleeps
                item = self._urc_queue.get(timeout=wait)
            except queue.Empty:
                continue
            if item is _STOP:
                return
            if isinstance(item, _Later):
                heapq.heappush(later, (item.due, next(order), item.work))
                continue
            try:
                if callable(item):
                    item()
                    continue
                if item.startswith("+CUSD"):
                    self._handleUssd([item])
                self._on_urc(item)
            except Exception:   # one bad URC must not stop the modem's event stream
                log.exception("%s: handling %r failed", self.name, item)


def _read_waiting(waiting: select.poll, port: serial.Serial) -> bytes:
    """Waits for bytes on the port and gives all that came; empty when `cancel_read` woke
    it. Raises SerialException as pyserial's read does when the device is gone."""
    ready = [fd for fd, _ in waiting.poll()]
    if port.pipe_abort_read_r in ready:
        os.read(port.pipe_abort_read_r, 1000)
        return b""
    try:
        chunk = os.read(port.fd, 4096)
    except BlockingIOError:          # another reader took them (pyserial's O_NONBLOCK)
        return b""
    if not chunk:       # Linux: an unplugged device is always ready and gives nothing
        raise serial.SerialException("the device reports data but gives none (unplugged?)")
    return chunk


def response_prefix(command: str) -> tuple[str, ...]:
    """Gives the prefixes of a command line's own response lines: AT+CLCC -> ("+CLCC",);
    a line of several (V.250 5.2.1.1) has each one's: AT+CSQ;+CREG? -> ("+CSQ", "+CREG")."""
    return tuple(_COMMAND_NAME.findall(command.upper()))


_COMMAND_NAME = re.compile(r"(?:^AT|;)([+^][A-Z]+)")


__all__ = ["AtLink", "TimeoutException", "response_prefix"]
