"""The SMS and USSD half of a modem driver, as a mixin of `ModemDriver`.

It needs from the driver only `name`, `country`, `at_timeout`, `_write` (a command
that raises on ERROR), `_try` (one that gives None on ERROR), `_emit` and
`_require_link` (the open AT channel).

Status reports (3GPP TS 27.005 3.4.1 +CNMI <ds>): python-gsmmodem sets
`AT+CNMI=2,1,0,2` (<ds>=2: the modem stores a report and says `+CDSI: <mem>,<index>`)
and falls back to `2,1,0,1,0` (<ds>=1: `+CDS: <length>` with the PDU on the next
line) on a modem that refuses it; both are read here. A modem in +CSMS service 1
(27.005 3.2.1) wants each +CDS and +CMT acknowledged with AT+CNMA (3.4.4), or it
stops routing them; one in service 0 (the default) answers AT+CNMA with an error.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
import logging
import re

from gsmmodem.exceptions import CommandError, TimeoutException

from modems import sms as sms_codec
from modems.errors import ModemError
from modems.events import SmsReceived, SmsStatusReport, StatusReportStored
from modems.numbers import sms_recipient, ussd_reply, ussd_string
from modems.ussd import CusdAnswer

log = logging.getLogger(__name__)

_CPMS = re.compile(r"\+CPMS:\s*\"?\w*\"?,\s*(\d+),\s*(\d+)")
_CPMS_MEM1 = re.compile(r'\+CPMS:\s*"?([A-Z]{2})"?,')
_CSMS = re.compile(r"\+CSMS:\s*(\d+)")
# 27.005 3.4.1: +CDSI: <mem>,<index>; <mem> may come without quotes or (as +CMTI on
# Quectel) empty, meaning the preferred memory.
_CDSI = re.compile(r'\+CDSI:\s*(?:"([^"]*)"|([^,"]*)),\s*(\d+)')
_CDS = re.compile(r"\+CDS:\s*(\d+)$")
_CMT = re.compile(r"\+CMT:\s*[^,]*,\s*(\d+)$")
_MEMORY = re.compile(r"[A-Z]{2}")


class SmsUssdMixin:
    """Sending, reading and deleting SMS; USSD codes."""

    def send_sms(self, number: str, text: str, report: bool = False) -> list[int]:
        """Sends a text (split and encoded as needed), asking for a status report of each
        part with `report`; gives the message references, one per part."""
        return sms_codec.send(self._require_link(), sms_recipient(number), text,
                              self.at_timeout, report)

    def read_sms(self, index: int, memory: str | None = None) -> SmsReceived:
        """Reads one stored SMS without deleting it. An undecodable PDU comes back
        with `error` set and the raw PDU kept."""
        response = self._write(f"AT+CMGR={int(index)}")
        return sms_codec.from_cmgr(self.name, int(index), response)

    def list_sms(self) -> list[SmsReceived]:
        """Gives every SMS stored on the modem, read or not, without deleting."""
        return sms_codec.from_cmgl(self.name, self._write("AT+CMGL=4", timeout=30))

    def delete_sms(self, index: int) -> None:
        self._write(f"AT+CMGD={int(index)}")

    def take_status_report(self, index: int, memory: str | None,
                           keep: Callable[[SmsStatusReport], None]) -> None:
        """Reads a stored status report, hands it to `keep` (which records it), then deletes
        it, all in one switch of the memory read from: 4 commands (5 the first time, which
        asks the memory to go back to) where a read and a delete that each switched took 8.
        When `keep` raises, the report stays in the modem's memory and the exception goes
        on."""
        with self._read_memory(memory):
            keep(self._report_at(index, memory))
            self._write(f"AT+CMGD={int(index)}")

    def _report_at(self, index: int, memory: str | None) -> SmsStatusReport:
        """Reads the status report at `index` of the memory read from now; an undecodable
        PDU comes back with `error` set."""
        response = self._write(f"AT+CMGR={int(index)}")
        for position, line in enumerate(response[:-1]):
            if line.startswith("+CMGR:"):
                return sms_codec.decode_report(self.name, response[position + 1], self.country,
                                               index=int(index), memory=memory)
        return SmsStatusReport(self.name, index=int(index), memory=memory,
                               error=f"no status report at index {index}")

    @contextmanager
    def _read_memory(self, memory: str | None):
        """Reads and deletes in `memory` (27.005 3.2.2 +CPMS <mem1>), then in the memory
        read before; the caller holds the modem's SMS lock, so no other read lands
        between. The memory read before is asked once per opening: only this switch
        changes it, and it always sets it back. Raises ModemError for a memory name that
        is not two letters."""
        if memory and not _MEMORY.fullmatch(memory):
            raise ModemError(f"{self.name}: {memory!r} is not an SMS memory")
        before = getattr(self, "_read_from", None) if memory else None
        if memory and before is None:
            before = next((match[1] for line in (self._try("AT+CPMS?") or [])
                           if (match := _CPMS_MEM1.match(line))), None)
            self._read_from = before
        if not memory or before in (None, memory):
            yield
            return
        self._write(f'AT+CPMS="{memory}"')
        try:
            yield
        finally:
            if self._try(f'AT+CPMS="{before}"') is None:
                self._read_from = None     # not set back: ask again next time

    # -- pushed messages and reports (dispatcher thread) ---------------------------------

    def _ask_sms_service(self) -> None:
        """Notes whether the modem wants +CMT and +CDS acknowledged (+CSMS service 1)."""
        self._sms_acknowledge = any(match and match[1] == "1" for match in (
            _CSMS.match(line) for line in (self._try("AT+CSMS?") or [])))

    def _on_sms_urc(self, line: str) -> bool:
        """Handles a +CDS, +CDSI or +CMT line (the first two with the PDU after a line
        break, as AtLink joins them); gives False for any other line."""
        head, _, pdu = line.partition("\n")
        if match := _CDSI.match(head):
            memory = (match[1] if match[1] is not None else match[2]).strip() or None
            self._emit(StatusReportStored(self.name, memory=memory, index=int(match[3])))
            return True
        if (cds := _CDS.match(head)) or _CMT.match(head):
            if not pdu:
                log.warning("%s: %r came without its PDU; ignored", self.name, head)
                return True
            if cds:
                self._emit(sms_codec.decode_report(self.name, pdu, self.country,
                                                   length=int(cds[1])))
            else:
                self._emit(sms_codec.decode(self.name, None, pdu, self.country))
            if getattr(self, "_sms_acknowledge", False):
                self._acknowledge(head)
            return True
        return False

    def _acknowledge(self, head: str) -> None:
        try:
            self._write("AT+CNMA")
        except (CommandError, TimeoutException, ModemError) as error:
            log.warning("%s: AT+CNMA after %r failed: %s", self.name, head, error)

    def sms_storage_usage(self) -> tuple[int, int] | None:
        """Gives (used, total) of the memory SMS are read from, or None when the modem
        does not say (27.005 3.2.2: +CPMS: <mem1>,<used1>,<total1>,...)."""
        for line in self._write("AT+CPMS?"):
            match = _CPMS.match(line)
            if match:
                return int(match[1]), int(match[2])
        return None

    def send_ussd(self, code: str, timeout: float = 15.0) -> str:
        """Sends a USSD code (e.g. a balance query) and gives the network's answer."""
        return self.ussd(code, timeout).text or ""

    def ussd(self, text: str, timeout: float = 15.0, *, reply: bool = False) -> CusdAnswer:
        """Gives the network's answer (<m> and text) to a USSD code or, with `reply`, to a
        reply in the menu the previous answer left open.

        27.007 §7.15: an answer with <m> 1 ("further user action required") keeps the
        session open, and the next AT+CUSD=1,"<str>",15 is sent in it as the reply; any
        other <m> ends it. A reply with no menu open is refused here: the network would
        take it for a new code."""
        if reply and not getattr(self, "ussd_menu_open", False):
            raise ModemError(f"{self.name}: no USSD menu waits for a reply (send a code first)")
        safe = ussd_reply(text) if reply else ussd_string(text)
        self.ussd_menu_open = False
        try:
            answer = self._require_link().sendUssd(safe, responseTimeout=timeout)
        except TimeoutException:
            raise ModemError(f"{self.name}: no USSD answer to {text}") from None
        except CommandError as error:     # +CME ERROR: e.g. 30, no network service
            raise ModemError(f"{self.name}: USSD {text} refused by the modem: {error}") from None
        status = getattr(answer, "status", None)
        self.ussd_menu_open = status == 1
        return CusdAnswer(status if status is not None else 0, answer.message or "")
