"""USSD answers as real modems write them: 3GPP TS 27.007 §7.15 +CUSD: <m>[,<str>,<dcs>].

python-gsmmodem's pattern needs <str> and <dcs> on one line. Real answers also come
as `+CUSD: 4` (operation not supported) or `+CUSD: 2` (ended by the network) with no
text, with CR LF inside the quoted text of a network's menu (the library's issue 20),
and, for a UCS2 <dcs>, with the text as UCS2 hex.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CUSD = re.compile(r'\+CUSD:\s*(\d+)\s*(?:,\s*"(.*?)"\s*(?:,\s*(\d+))?)?', re.DOTALL)

# 27.007 §7.15 <m>
STATUS_WORDS = {
    0: "answered", 1: "answered, a reply is expected", 2: "ended by the network",
    3: "answered by another local client", 4: "not supported by the network",
    5: "timed out in the network",
}
MAX_TEXT_LINES = 12   # 182 characters at most (23.038): a longer run is a broken line


@dataclass(frozen=True)
class CusdAnswer:
    status: int
    text: str | None     # decoded; None when the modem sent no <str>


def decode_text(text: str, dcs: int | None) -> str:
    """Gives the text of <str>: UCS2 hex when <dcs> says UCS2 (23.038 §5, group 01xx with
    alphabet bits 10, e.g. 72), as it is otherwise or when it is not hex."""
    if dcs is not None and (dcs & 0xC0) == 0x40 and (dcs & 0x0C) == 0x08:
        try:
            return bytes.fromhex(text).decode("utf-16-be", errors="replace")
        except ValueError:
            return text
    return text


def parse_cusd(lines: list[str]) -> CusdAnswer | None:
    """Gives the answer of +CUSD line(s): the first with text and <m> 0 or 1, else the first
    with text (a network may end the session with its answer, <m> 2), else the last (some
    modems add a bare `+CUSD: 2` for the end of the session); None if no line parses."""
    answers = [match for line in lines if (match := _CUSD.match(line))]
    with_text = [match for match in answers if match[2] is not None]
    if not answers:
        return None
    chosen = next((match for match in with_text if match[1] in ("0", "1")),
                  with_text[0] if with_text else answers[-1])
    dcs = int(chosen[3]) if chosen[3] else None
    text = decode_text(chosen[2], dcs) if chosen[2] is not None else None
    return CusdAnswer(int(chosen[1]), text)


class TextJoiner:
    """Joins a +CUSD line whose quoted text goes on over further lines (reader thread only).

    A text whose closing quote never comes must not swallow what follows: a final result
    code or a line shaped like a URC ends it, and so does MAX_TEXT_LINES."""

    def __init__(self):
        self._parts: list[str] | None = None

    def take(self, line: str) -> list[str]:
        """Gives the lines to route now: none while a split text goes on, then the joined
        line (parts joined with LF), followed by `line` itself when it ended a broken text."""
        if self._parts is None:
            if line.startswith("+CUSD:") and line.count('"') % 2:
                self._parts = [line]
                return []
            return [line]
        if _ENDS_BROKEN_TEXT.match(line):
            return [self._joined(), line]
        self._parts.append(line)
        if line.count('"') % 2 == 0 and len(self._parts) < MAX_TEXT_LINES:
            return []
        return [self._joined()]

    def _joined(self) -> str:
        joined, self._parts = "\n".join(self._parts), None
        return joined


# V.250 final result codes and 27.007 result lines (`+CME ERROR: 3`, `^CEND:...`, `RING`).
_ENDS_BROKEN_TEXT = re.compile(r"(OK|ERROR|RING|NO CARRIER|BUSY|NO ANSWER|[+^][A-Z]{2,}:.*)$")
