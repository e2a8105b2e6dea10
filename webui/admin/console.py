"""The AT console (admins only): send one AT command to a modem the box runs, see its
answer, and see the modem's unsolicited lines live.

Commands go through the modem's own driver (`ModemDriver.command`), so they
queue with the box's own AT traffic instead of fighting it for the port. A
command while the modem is in a call can end or disturb that call: the
console refuses it with 409 until the admin confirms. Only read-only queries
are sent as typed (modems/at_guard.py reads the line as the modem would:
spaces, case, `;`-joined and concatenated commands); anything else waits for
the admin to confirm that very line as an expert, with a loud warning when
it undoes the box's modem set-up (ATZ, ATE1, AT+CMGF=1, ...). Each modem's feed
keeps its last lines - commands, answers and unsolicited lines (RING,
+CLIP, ...), the latter from a listener on the driver - and the page polls
it every second.
"""
from __future__ import annotations

import collections
import functools
import itertools
import threading
import time

import bottle

from modems import at_guard
from modems.errors import ModemError
from webui import gateway_texts
from webui.admin.common import Refused, query_text
from webui.inputs import query_number

COMMAND_MAX = 200
COMMAND_TIMEOUT = 20.0      # seconds; a network scan (AT+COPS=?) takes this long
KEPT_LINES = 200            # per modem
MARKS = {"sent": ">", "answer": "<", "urc": "!", "error": "?"}


class ExpertNeeded(Refused):
    """A command that is not a read-only query: sent only when the admin confirms this very
    line as an expert; `setup` when it undoes the box's modem set-up."""

    def __init__(self, message: str, setup: bool):
        super().__init__(409, message)
        self.setup = setup


def command_problem(line: str) -> str | None:
    """Gives why a typed command is never sent, or None when it may be (perhaps only as an
    expert: see expert_warning)."""
    if not line:
        return "type a command, e.g. AT+CSQ"
    if len(line) > COMMAND_MAX:
        return f"a command has at most {COMMAND_MAX} characters"
    if any(not 0x20 <= ord(char) <= 0x7E for char in line):
        return "only printable ASCII: no line breaks, Ctrl-Z or other control characters"
    try:
        waiting = at_guard.prompting(line)
    except at_guard.AtLineError as error:
        return str(error)
    if waiting:
        return (f"AT{waiting[0]} waits for a second line after a prompt, which the console "
                "cannot send: send SMS with `callbox sms send`")
    return None


def expert_warning(line: str) -> ExpertNeeded | None:
    """Gives what the admin must confirm before a well-formed line is sent, or None for a
    line of read-only queries (modems/at_guard.py says which those are)."""
    verdict = at_guard.judge(line)
    if verdict.effect == at_guard.Effect.UNDOES_SETUP:
        names = ", ".join("AT" + name for name in verdict.names(at_guard.Effect.UNDOES_SETUP))
        return ExpertNeeded(
            f"Warning: {names} undoes the box's modem set-up (reset, echo, result codes, SMS "
            "mode and reports, caller ID, radio, port speed, call reports): the box may stop "
            "answering calls or SMS until the modem is reset on the Modems page. Send it only "
            "as an expert who means it.", setup=True)
    if verdict.effect == at_guard.Effect.CHANGES:
        names = ", ".join("AT" + name for name in verdict.names(at_guard.Effect.CHANGES))
        return ExpertNeeded(
            f"{names} is not a read-only query: the modem may act on it (dial, hang up, "
            "change a setting, delete messages). Send it as an expert?", setup=False)
    return None


class ConsoleFeed:
    """The last lines of each modem as the console shows them, numbered in order."""

    def __init__(self, pool):
        self.pool = pool
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self._lines: dict[str, collections.deque] = {}
        self._followed: dict[str, object] = {}       # modem name -> driver listened to

    def follow(self, name: str) -> None:
        """Listens to the modem's current driver (a reopened modem has a new one)."""
        driver = self.pool.driver(name) if self.pool is not None else None
        with self._lock:
            if driver is None or self._followed.get(name) is driver:
                return
            self._followed[name] = driver
        driver.add_line_listener(functools.partial(self.add, name, "urc"))

    def add(self, name: str, kind: str, text: str, at: float | None = None) -> None:
        """Keeps a line: kind is 'urc', 'sent', 'answer' or 'error'."""
        with self._lock:
            lines = self._lines.setdefault(name, collections.deque(maxlen=KEPT_LINES))
            lines.append({"id": next(self._numbers), "at": at or time.time(), "kind": kind,
                          "text": text})

    def since(self, name: str, after: int = 0) -> list[dict]:
        with self._lock:
            return [line for line in self._lines.get(name, ()) if line["id"] > after]


def send_command(pool, feed: ConsoleFeed, modem: str, line: str, confirmed: bool,
                 now: float, expert: str = "") -> list[str]:
    """Gives the modem's answer to one typed command, kept in the feed with the command.
    Refused says why it was not sent: 400 a bad command; 409 ExpertNeeded for a line that
    is not all read-only queries unless `expert` is that very line (the admin confirmed it
    as an expert); 409 the modem is not up or is in a call and the admin has not confirmed
    (`confirm` set); 502 the modem did not answer."""
    problem = command_problem(line)
    if problem:
        raise Refused(400, problem)
    warning = expert_warning(line)
    if warning is not None and expert != line:
        raise warning
    driver = pool.driver(modem) if pool is not None else None
    if driver is None:
        raise Refused(409, f"{modem} is not up: no command can reach it now")
    if driver.in_call and not confirmed:
        raise Refused(409, f"{modem} is in a call: a command may end or disturb it. "
                      "Send it anyway?", confirm=True)
    feed.follow(modem)
    feed.add(modem, "sent", line, now)
    try:
        answer = driver.command(line, timeout=COMMAND_TIMEOUT)
    except ModemError as error:     # no answer, or the port went away
        feed.add(modem, "error", str(error), now)
        raise Refused(502, str(error)) from None
    for text in answer:
        feed.add(modem, "answer", text, now)
    return answer


def install(app: bottle.Bottle, web) -> None:
    feed = ConsoleFeed(web.pool)
    app.console_feed = feed

    def modems() -> list:
        return web.pool.status() if web.pool is not None else []

    def page(session, modem: str, command: str = "", answer=(), error: str = "",
             refusal: Refused | None = None, expert: str = "", status: int = 200):
        """The console; after a refusal that the admin may confirm, the form confirms it
        (`expert` carries the line confirmed as an expert, so an edited line asks again)."""
        bottle.response.status = status
        if modem:
            feed.follow(modem)
        lines = feed.since(modem)
        asks_expert = isinstance(refusal, ExpertNeeded)
        return web.render("console", session, modems=modems(), modem=modem, command=command,
                          answer=list(answer), error=error,
                          confirm=bool(refusal and refusal.confirm), asks_expert=asks_expert,
                          setup_warning=asks_expert and refusal.setup,
                          expert=command if asks_expert else expert, lines=lines,
                          last=lines[-1]["id"] if lines else 0, marks=MARKS,
                          said=gateway_texts.translate)

    @app.get("/admin/console")
    def console_page():
        session = web.admin_required()
        names = [status.name for status in modems()]
        modem = query_text("modem", 64)
        if modem and modem not in names:
            bottle.abort(404, "no such modem")
        return page(session, modem or (names[0] if names else ""))

    @app.post("/admin/console")
    def console_send():
        session = web.admin_required()
        web.check_csrf(session)
        forms = bottle.request.forms
        modem = (forms.getunicode("modem") or "")[:64]
        line = (forms.getunicode("command") or "").strip(" ")
        if modem not in [status.name for status in modems()]:
            return page(session, "", line[:COMMAND_MAX], error="pick a modem", status=400)
        expert = forms.getunicode("expert") or ""
        try:
            answer = send_command(web.pool, feed, modem, line, forms.getunicode("confirm") == "1",
                                  web.now(), expert=expert)
        except Refused as refusal:
            return page(session, modem, line[:COMMAND_MAX], error=str(refusal),
                        refusal=refusal, expert=expert if expert == line else "",
                        status=refusal.status)
        return page(session, modem, line, answer=answer)

    @app.get("/admin/console/lines")
    def console_lines():
        web.admin_required(api=True)
        modem = query_text("modem", 64)
        feed.follow(modem)
        driver = web.pool.driver(modem) if web.pool is not None and modem else None
        return {"lines": feed.since(modem, query_number("after") or 0),
                "up": driver is not None, "in_call": bool(driver and driver.in_call)}
