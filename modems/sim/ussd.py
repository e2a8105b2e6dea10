"""USSD on the virtual network: each code's answer, the SIM's credit, menus of several steps.

A modem's `ussd_replies` maps a code (`*100#`) to its answer: a text, a tuple
(m[, text, dcs]) as 27.007 §7.15 +CUSD writes it, or a function of the modem
giving either (the default `*100#` tells the SIM's `credit_minor`, so a test
can let the credit drop). An answer with <m> 1 ("further user action
required") opens a menu: the next AT+CUSD=1,"<str>",15 is a reply in that
session, answered by the entry `<code>><str>` (e.g. `*101#>1`), and a
deeper menu by `*101#>1>2`; AT+CUSD=2 ends the session. A reply nobody
wrote an answer for gets `+CUSD: 4` (not supported), and ends the session.
"""
from __future__ import annotations


def credit_answer(modem) -> str:
    """Gives the operator's answer to a balance query: the SIM's credit in major units."""
    minor = modem.credit_minor
    sign = "-" if minor < 0 else ""
    return f"Your balance is {sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def answer_line(modem, text: str) -> str:
    """Gives the +CUSD line answering `text`: a new code, or a reply in the open menu."""
    key = f"{modem.ussd_session}>{text}" if modem.ussd_session else text
    if modem.ussd_session and key not in modem.ussd_replies and text in modem.ussd_replies:
        key = text              # a new code while a menu was open: a new session
    reply = modem.ussd_replies.get(key)
    if callable(reply):
        reply = reply(modem)
    status = 0 if reply is None or isinstance(reply, str) else tuple(reply)[0]
    modem.ussd_session = key if status == 1 else None
    return cusd_line(reply)


def cancel(modem) -> None:
    """AT+CUSD=2: the menu is left."""
    modem.ussd_session = None


def cusd_line(reply) -> str:
    """Gives the +CUSD line (27.007 §7.15) for a reply: a text, or (m[, text, dcs]); none = 4.

    A newline in the text goes out as CR LF inside the quotes, as real networks' menus do;
    dcs 72 (UCS2, 3GPP 23.038 §5) sends the text as UCS2 hex, as modems show it."""
    if reply is None:
        return "+CUSD: 4"
    if isinstance(reply, str):
        reply = (0, reply)
    status, text, dcs = (tuple(reply) + (None, 15)[len(reply) - 1:])[:3]
    if text is None:
        return f"+CUSD: {status}"
    if dcs == 72:
        text = text.encode("utf-16-be").hex().upper()
    return f'+CUSD: {status},"{text}",{dcs}'.replace("\n", "\r\n")
