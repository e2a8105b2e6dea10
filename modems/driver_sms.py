"""The SMS and USSD half of a modem driver, as a mixin of `ModemDriver`.

It needs from the driver only `name`, `at_timeout`, `_write` (a command that
raises on ERROR) and `_require_link` (the open AT channel).
"""
from __future__ import annotations

import re

from gsmmodem.exceptions import CommandError, TimeoutException

from modems import sms as sms_codec
from modems.errors import ModemError
from modems.events import SmsReceived
from modems.numbers import sms_recipient, ussd_reply, ussd_string
from modems.ussd import CusdAnswer


_CPMS = re.compile(r"\+CPMS:\s*\"?\w*\"?,\s*(\d+),\s*(\d+)")


class SmsUssdMixin:
    """Sending, reading and deleting SMS; USSD codes."""

    def send_sms(self, number: str, text: str) -> list[int]:
        """Sends a text (split and encoded as needed); gives the message references."""
        return sms_codec.send(self._require_link(), sms_recipient(number), text, self.at_timeout)

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
