"""What a real modem lists besides our voice calls, the optional fields it adds, and raw
lines a test makes it write.

A Quectel EG25-G was seen keeping a finished data call in its call list
(`+CLCC: 1,1,0,1,0,"",128`, 27.007 §7.18 <mode> 1) beside the voice call. A
virtual modem lists such a line, with the vendor's call URC for it, so tests can
prove the box leaves it alone; voice calls then take the next free call id.
"""
from __future__ import annotations

from dataclasses import dataclass

# 27.007 §7.18 <mode>
DATA, FAX, UNKNOWN = 1, 2, 9


@dataclass(frozen=True)
class OtherCall:
    """A non-voice line of the modem's call list, in +CLCC terms."""

    call_id: int
    mode: int = DATA
    direction: int = 1      # 1 mobile terminated, as the EG25-G listed it
    stat: int = 0           # 0 active
    number: str = ""
    type_of_address: int = 128

    def clcc_fields(self, stat: int | None = None) -> str:
        """Gives `id,dir,stat,mode,mpty,"number",type` as in +CLCC."""
        return (f'{self.call_id},{self.direction},{self.stat if stat is None else stat},'
                f'{self.mode},0,"{self.number}",{self.type_of_address}')


class OtherCallsMixin:
    """Non-voice lines and raw URCs of a `VirtualModem` (needs `_net`, `urc`, `dialect`)."""

    # Written after <type> on every voice +CLCC line (list, SIMCom URC, Quectel ccinfo): the
    # optional 27.007 §7.18 fields, e.g. ',""' as SIMCom SIM900/SIM800 end lines with an empty
    # <alpha>, or ',"Alice",0,1' for <alpha>,<priority>,<CLI validity>.
    clcc_tail = ""

    def list_other_call(self, call_id: int = 1, mode: int = DATA, *, direction: int = 1,
                        stat: int = 0, number: str = "", type_of_address: int = 128) -> OtherCall:
        """Lists a data, fax or unknown-mode call (ValueError for voice or a taken id)."""
        if mode == 0:
            raise ValueError("mode 0 is a voice call: place one through the network")
        other = OtherCall(call_id, mode, direction, stat, number, type_of_address)
        with self._net.lock:
            if call_id in self._calls or call_id in self.other_calls:
                raise ValueError(f"call id {call_id} is taken")
            self.other_calls[call_id] = other
            self.dialect.other_call_state(self, other, released=False)
        return other

    def end_other_call(self, call_id: int) -> None:
        """Takes a non-voice line off the list, with the vendor's URC for its end."""
        with self._net.lock:
            other = self.other_calls.pop(call_id, None)
            if other is not None:
                self.dialect.other_call_state(self, other, released=True)

    def send_urc(self, line: str) -> None:
        """Writes one unsolicited line exactly as given (a form a real modem sends)."""
        with self._net.lock:
            self.urc(line)

    def _free_call_id(self) -> int:
        call_id = 1
        while call_id in self._calls or call_id in self.other_calls:
            call_id += 1
        return call_id
