"""The AT command line as a modem reads it (ITU-T V.250 5.2): parse, dispatch, reply."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger(__name__)


class AtError(Exception):
    """The command fails; `final` is the result code line."""

    def __init__(self, final: str = "ERROR"):
        super().__init__(final)
        self.final = final


class CmeError(AtError):
    def __init__(self, code: int):
        super().__init__(f"+CME ERROR: {code}")
        self.code = code


class CmsError(AtError):
    def __init__(self, code: int):
        super().__init__(f"+CMS ERROR: {code}")
        self.code = code


# +CME ERROR codes (3GPP TS 27.007 9.2)
CME_NOT_ALLOWED, CME_NOT_SUPPORTED, CME_SIM_PIN, CME_SIM_PUK = 3, 4, 11, 12
CME_SIM_NOT_INSERTED = 10
CME_WRONG_PASSWORD, CME_NOT_FOUND, CME_NO_SERVICE, CME_INVALID_INDEX = 16, 22, 30, 21
# +CMS ERROR codes (3GPP TS 27.005 3.2.5)
CMS_INVALID_PDU, CMS_INVALID_INDEX, CMS_MEMORY_FULL, CMS_NO_SERVICE = 304, 321, 322, 331
CMS_SIM_PIN = 311


@dataclass
class Request:
    """One command of a command line: name (`+CMGR`, `D`, `E`...), kind and raw argument."""

    name: str
    kind: str          # "exec" | "set" | "query" | "test"
    arg: str = ""

    def args(self) -> list[str]:
        """Gives the comma-separated arguments, quotes removed."""
        out, current, quoted = [], "", False
        for char in self.arg:
            if char == '"':
                quoted = not quoted
            elif char == "," and not quoted:
                out.append(current.strip())
                current = ""
            else:
                current += char
        if self.arg:
            out.append(current.strip())
        return out

    def int_arg(self, index: int, default: int | None = None) -> int:
        values = self.args()
        if index < len(values) and values[index] != "":
            try:
                return int(values[index])
            except ValueError:
                raise AtError() from None
        if default is None:
            raise AtError()
        return default


@dataclass
class Reply:
    """What a command answers: information lines, then the final result code.

    `after` runs once the reply is on the wire (call progress, URCs that
    follow OK). `prompt` switches the port to PDU entry (AT+CMGS).
    """

    lines: list[str] = field(default_factory=list)
    final: str = "OK"
    after: list[Callable[[], None]] = field(default_factory=list)
    prompt: Callable[[str | None], "Reply"] | None = None


def parse_line(line: str) -> list[Request]:
    """Gives the commands of one line after `AT`; raises AtError if it is malformed."""
    text = line.strip()
    if text[:2].upper() != "AT":
        raise AtError()
    body, i, requests = text[2:], 0, []
    while i < len(body):
        char = body[i].upper()
        if char in " ;":
            i += 1
        elif char in "+^$%*":
            end = i + 1
            while end < len(body) and (body[end].isalnum() or body[end] == "_"):
                end += 1
            name = body[i:end].upper()
            if body[end:end + 2] == "=?":
                requests.append(Request(name, "test"))
                i = end + 2
            elif body[end:end + 1] == "?":
                requests.append(Request(name, "query"))
                i = end + 1
            elif body[end:end + 1] == "=":
                arg_end, quoted = end + 1, False
                while arg_end < len(body) and (quoted or body[arg_end] != ";"):
                    quoted ^= body[arg_end] == '"'
                    arg_end += 1
                requests.append(Request(name, "set", body[end + 1:arg_end]))
                i = arg_end
            else:
                requests.append(Request(name, "exec"))
                i = end
        elif char == "D":
            requests.append(Request("D", "exec", body[i + 1:].strip()))
            break
        elif char == "S" and i + 1 < len(body) and body[i + 1].isdigit():
            end = i + 1
            while end < len(body) and body[end].isdigit():
                end += 1
            if body[end:end + 1] == "?":
                requests.append(Request("S" + body[i + 1:end], "query"))
                i = end + 1
            elif body[end:end + 1] == "=":
                value_end = end + 1
                while value_end < len(body) and body[value_end].isdigit():
                    value_end += 1
                requests.append(Request("S" + body[i + 1:end], "set", body[end + 1:value_end]))
                i = value_end
            else:
                raise AtError()
        elif char.isalpha() or char == "&":
            start = i
            i += 2 if char == "&" else 1
            name = body[start:i].upper()
            end = i
            while end < len(body) and body[end].isdigit():
                end += 1
            requests.append(Request(name, "exec", body[i:end]))
            i = end
        else:
            raise AtError()
    return requests


def frame_reply(reply: Reply) -> bytes:
    """Gives the reply in 27.007 verbose framing: CRLF, lines, CRLF, then the result code."""
    text = "\r\n" + "\r\n".join(reply.lines) + "\r\n" if reply.lines else ""
    if reply.final:
        text += f"\r\n{reply.final}\r\n"
    return text.encode("latin-1", "replace")


Handler = Callable[[object, Request], Reply]


def execute(modem, line: str, handlers: Callable[[str], Handler | None]) -> Reply:
    """Runs every command of `line`, stopping at the first failure; gives one Reply."""
    try:
        requests = parse_line(line)
    except AtError as error:
        return Reply(final=error.final)
    if len(requests) > 1 and modem.one_command_per_line:
        return Reply(final="ERROR")
    combined = Reply()
    for request in requests:
        handler = handlers(request.name)
        if handler is None:
            log.debug("%s: unknown command %s", modem.name, request.name)
            combined.final = "ERROR"
            return combined
        try:
            reply = handler(modem, request)
        except AtError as error:
            # +CME ERROR only after AT+CMEE=1/2; +CMS ERROR is always reported
            quiet = isinstance(error, CmeError) and not modem.settings.cmee
            combined.final = "ERROR" if quiet else error.final
            return combined
        combined.lines.extend(reply.lines)
        combined.after.extend(reply.after)
        if reply.prompt is not None:
            combined.prompt, combined.final = reply.prompt, ""
            return combined
        if reply.final != "OK":
            combined.final = reply.final
            return combined
    return combined
