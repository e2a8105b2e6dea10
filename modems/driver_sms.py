"""The SMS and USSD half of a modem driver, as a mixin of `ModemDriver`.

It needs from the driver only `name`, `at_timeout`, `_write` (a command that
raises on ERROR) and `_require_link` (the open AT channel).
"""
from __future__ import annotations

import re

from gsmmodem.exceptions import TimeoutException

from modems import sms as sms_codec
from modems.errors import ModemError
from modems.events import SmsReceived
from modems.numbers import sms_recipient, ussd_string


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
        safe = ussd_string(code)
        try:
            return self._require_link().sendUssd(safe, responseTimeout=timeout).message or ""
        except TimeoutException:
            raise ModemError(f"{self.name}: no USSD answer to {code}") from None
