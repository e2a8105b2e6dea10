"""The demo's "Virtual phones" page: a visitor plays the subscribers of the virtual network.

Present only when the daemon runs on the virtual GSM network: `callbox demo`
gives the daemon its phones (`Daemon(phones=...)`) and `make_app` finds them
in its services. Any logged-in user may use it (it is a demo); every POST
carries the session's CSRF token in the X-CSRF-Token header.

    GET  /phones                            the page (static/phones.js polls the list)
    GET  /api/phones                        each phone: number, state, the other party,
                                            seconds in call, inbox, prompts heard, and its
                                            last calls (keys typed, prompts heard in each)
    POST /api/phones/<name>/dial            {"number": ...}  default: the box's access number
    POST /api/phones/<name>/answer | reject | hangup
    POST /api/phones/<name>/press           {"keys": "0-9 * # A-D"}
    POST /api/phones/<name>/sms             {"text": ..., "to": ...}  default to: the box

A refused action answers 409 with a plain English sentence and a `code` the page
words in the reader's language (REFUSALS); a bad input answers 400 naming its field.

Threads: `phone-<name>-ears`, one per phone, reads what its phone heard since
the last look every LISTEN_INTERVAL seconds and finds the box's prompts in it
(audio.match), so the transcript is made once however many pages poll it.
Finding costs about a tenth of a core per phone while it hears sound, so
silence (most of a bridged call in the demo) is not searched.

The box speaks each caller's language (audio/texts/<lang>.py), so the ears know
every language's prompts: until a call's first prompt is heard they look for all
prompts of the box's language and for the prompts a call opens with in every other
language (OPENINGS: the balance, the PIN or account question, a language menu's);
the first one heard makes its language the call's, and from then on only that
language's prompts are looked for (a language menu's choice still switches). A
prompt is shown in the words of the language it was heard in. A new call starts in
the box's language again. (Every language's openings cost about twice the CPU of
one language's prompts, for the first seconds of a call only.)
"""
from __future__ import annotations

from collections import deque
import json
import logging
import threading
import time

import bottle
import numpy as np

from audio.match import PIECES_GATE, find, score
from audio.pcm import RATE, samples
from audio.player import PromptError, load_prompt
from audio.prompts import LANGUAGES
from modems.numbers import InvalidNumber, to_e164
from modems.sim import PhoneActionError
from webui.inputs import json_body as body, json_error

log = logging.getLogger(__name__)

LISTEN_INTERVAL = 1.0     # seconds between two looks at what a phone heard
# the longest stall of the box's sound inside a prompt (a busy machine) that still
# shows the prompt as heard: the caller did hear it, with a break
STALL_S = 0.5
STALL_BYTES = 2 * round(RATE * STALL_S)
SILENCE = 64              # peak sample value below which a stretch is not searched
TRANSCRIPT_MAX = 30       # prompts kept per phone
INBOX_MAX = 20            # SMS shown per phone
SMS_MAX = 480             # characters: three concatenated parts
KEYS_MAX = 32
KEYS = frozenset("0123456789*#ABCD")
NUMBER_MAX = 40
ACTIONS = ("dial", "answer", "reject", "hangup", "press", "sms")
NAME = "<name:re:[a-z][a-z0-9_-]{0,19}>"
CALLS_MAX = 5             # calls kept per phone, each with its keys and prompts
# why a phone refused an action, by action: the code the page words, and plain English
REFUSALS = {
    "dial": ("in_call", "This phone is already in a call: hang up first."),
    "answer": ("no_call_to_answer", "There is no incoming call to answer."),
    "reject": ("no_call_to_reject", "There is no incoming call to reject."),
    "press": ("keys_need_a_call", "Keys work during a call only: dial or answer first."),
}
# what a call opens with: heard in another language, it tells the call's language
OPENINGS = ("your_balance_is", "enter_account", "enter_pin", "connecting_you_to",
            "voicetest_intro")


def opening(name: str) -> bool:
    """Tells whether a prompt may be the first a call hears (or a language menu's)."""
    return name in OPENINGS or name.startswith("language")


class Ears:
    """What one phone heard, as the box's prompts found in it, in order."""

    def __init__(self, name: str, phone, needles: dict[str, dict[str, bytes]],
                 texts: dict[str, dict[str, str]], stopping: threading.Event, default: str):
        """`needles` and `texts`: prompt name -> sound and words, by language; `default`:
        the language a call is taken to speak until one of its openings is heard."""
        self.phone = phone
        self.needles = needles
        self.texts = texts
        self.default = default if default in needles else next(iter(needles), default)
        self.lang = self.default               # the language of the call heard now
        self.settled = False                   # a prompt of the call heard: lang is its
        self._stopping = stopping
        self._lock = threading.Lock()
        self._heard: deque = deque(maxlen=TRANSCRIPT_MAX)
        self._read = 0                         # bytes of the phone's audio looked at so far
        self._tail = b""                       # the last of them, enough to hold any prompt
        self._keep = max((len(needle) for of_lang in needles.values()
                          for needle in of_lang.values()), default=0) + STALL_BYTES
        self._sound_until = 0                  # where the tail stops holding sound
        self._found: dict[str, int] = {}       # prompt -> sample where it was last found
        self._calls: deque = deque(maxlen=CALLS_MAX)   # this phone's last calls, oldest first
        self._counted = phone.call_count       # the phone's calls before these
        self._new_call = False                 # a call began since the last look
        self.thread = threading.Thread(target=self._run, name=f"phone-{name}-ears", daemon=True)

    def transcript(self) -> list[dict]:
        with self._lock:
            return list(self._heard)

    def calls(self) -> list[dict]:
        """Gives the phone's last calls, newest first: when each began, with whom, the keys
        typed and the prompts heard in it."""
        self.notice()
        with self._lock:
            return [dict(call, keys="".join(call["keys"]), heard=list(call["heard"]))
                    for call in reversed(self._calls)]

    def notice(self) -> None:
        """Starts a new call when the phone made or got one since the last look (each
        second, and before anything is shown or typed; calls shorter than that between two
        looks count as one)."""
        peer, _ = self.phone.peer()
        count = self.phone.call_count
        with self._lock:
            if count != self._counted:
                number = self._calls[-1]["number"] + 1 if self._calls else 1
                self._calls.append({"number": number, "peer": peer, "at": time.time(),
                                    "keys": [], "heard": []})
                self._counted = count
                self.lang, self.settled = self.default, False   # a new call's is not known
                self._new_call = True          # what was heard before it is not searched

    def typed(self, keys: str) -> None:
        """Notes keys the page typed in the current call."""
        self.notice()
        with self._lock:
            if self._calls:
                self._calls[-1]["keys"].append(keys)

    def _run(self) -> None:
        while not self._stopping.wait(LISTEN_INTERVAL):
            try:
                self.listen()
            except Exception:
                log.exception("listening to virtual phone %s failed", self.phone.number)

    def searched(self) -> list[tuple[str, str, bytes]]:
        """Gives the (language, prompt, sound) looked for now: every prompt of the call's
        language, and until its language is known the openings of the others."""
        return [(lang, name, needle) for lang, of_lang in self.needles.items()
                for name, needle in of_lang.items()
                if lang == self.lang or (opening(name) and not self.settled)]

    def listen(self) -> None:
        """Looks for prompts in what the phone heard since the last look."""
        self.notice()
        with self._lock:
            new_call, self._new_call = self._new_call, False
        if new_call:       # a prompt of the call before must not be found again in this one
            self._tail, self._found = b"", {}
        total, fresh = self.phone.heard_from(self._read)    # counts on through clear_heard
        if not fresh:
            return
        window = self._tail + fresh
        window_start = self._read - len(self._tail)
        self._read = total
        self._tail = window[max(0, len(window) - self._keep):]
        if np.abs(samples(fresh)).max() >= SILENCE:
            self._sound_until = total + self._keep
        if total > self._sound_until:
            return
        found = []
        for lang, name, needle in self.searched():
            piece = window[-(len(needle) + STALL_BYTES + len(fresh)):]
            scores = score(piece, needle)      # one correlation: cheap enough for every prompt
            if not len(scores) or scores.max() < PIECES_GATE:
                continue
            offset = find(piece, needle, max_drift_s=STALL_S)   # also in pieces: frames
                                                                # lost or late on the way
            if offset is None:
                continue
            sample = (window_start + len(window) - len(piece)) // 2 + offset
            last = self._found.get(name)
            if last is not None and sample < last + len(needle) // 4:
                continue                       # the same prompt, seen again in this window
            self._found[name] = sample
            found.append((sample, name, lang))
        now = time.time()
        with self._lock:
            for _, name, lang in sorted(found):
                self.lang = lang
                self.settled = not name.startswith("language")   # a menu: a choice follows
                item = {"prompt": name, "text": self.texts[lang][name], "lang": lang, "at": now}
                self._heard.append(item)
                if self._calls:                # heard in (or just after) the last call
                    self._calls[-1]["heard"].append(item)


class Panel:
    """The virtual phones, the box's access number, and each phone's ears."""

    def __init__(self, phones: dict, config, stopping: threading.Event):
        self.phones = dict(phones)
        self.country = config.gateway.country
        self.access_number = access_number(config, self.phones)
        texts = {lang: language.texts for lang, language in LANGUAGES.items()}
        needles = prompt_needles(texts)
        self.ears = {name: Ears(name, phone, needles, texts, stopping,
                                config.callback.language)
                     for name, phone in self.phones.items()}
        for ears in self.ears.values():
            ears.thread.start()

    def rows(self) -> list[dict]:
        """Gives what the page shows of each phone, plain values only."""
        rows = []
        for name, phone in self.phones.items():
            peer, seconds = phone.peer()
            state = phone.state.value
            now_wall, now_mono = time.time(), time.monotonic()
            inbox = [{"from": sms.sender, "text": sms.text,
                      "at": now_wall - (now_mono - sms.received_at)}
                     for sms in list(phone.inbox)[-INBOX_MAX:]]
            rows.append({"name": name, "number": phone.number, "state": state, "peer": peer,
                         "seconds": int(seconds), "cause": phone.last_cause or "",
                         "inbox": inbox[::-1], "transcript": self.ears[name].transcript(),
                         "calls": self.ears[name].calls()})
        return rows

    def act(self, name: str, action: str, data: dict) -> None:
        """Makes phone `name` do `action`; raises Invalid (bad input) or PhoneActionError."""
        ears = self.ears[name]
        ears.notice()                          # a call that rings here, with its number
        try:
            self._act(name, action, data)
        finally:
            ears.notice()                      # a call begun here has its number at once

    def _act(self, name: str, action: str, data: dict) -> None:
        phone = self.phones[name]
        if action == "dial":
            number = self.number(data, "number")
            log.info("virtual phone %s dials %s (web page)", name, number)
            phone.call(number)
        elif action == "answer":
            phone.answer()
        elif action == "reject":
            phone.reject()
        elif action == "hangup":
            phone.hangup()
        elif action == "press":
            keys = data.get("keys")
            if not isinstance(keys, str) or not keys:
                raise Invalid("keys", "press at least one key")
            keys = keys.upper()
            if len(keys) > KEYS_MAX or not set(keys) <= KEYS:
                raise Invalid("keys", f"keys are 0-9, *, #, A-D, at most {KEYS_MAX} at once")
            phone.press(keys)
            self.ears[name].typed(keys)
        elif action == "sms":
            text = data.get("text")
            if not isinstance(text, str) or not text.strip():
                raise Invalid("text", "write a text")
            if len(text) > SMS_MAX:
                raise Invalid("text", f"at most {SMS_MAX} characters")
            if any(ord(char) < 0x20 and char != "\n" for char in text):
                raise Invalid("text", "no control characters")
            to = self.number(data, "to")
            log.info("virtual phone %s texts %s (web page)", name, to)
            phone.send_sms(to, text)

    def number(self, data: dict, field: str) -> str:
        """Gives the E.164 number in `data[field]`, the access number if none was given."""
        written = data.get(field)
        if written is None or written == "":
            return self.access_number
        if not isinstance(written, str):
            raise Invalid(field, "give the number as a string")
        if len(written) > NUMBER_MAX:
            raise Invalid(field, f"at most {NUMBER_MAX} characters")
        try:
            return to_e164(written, self.country)
        except InvalidNumber as error:
            raise Invalid(field, error.reason) from None


def prompt_needles(texts: dict[str, dict[str, str]],
                   prompt_dir=None) -> dict[str, dict[str, bytes]]:
    """Gives the sound of each prompt the ears look for, by language: phrases only, as
    single words (numbers) sound alike."""
    needles: dict[str, dict[str, bytes]] = {}
    for lang, of_lang in texts.items():
        for name, text in of_lang.items():
            if " " not in text.strip() and not text.endswith("."):
                continue
            try:
                needles.setdefault(lang, {})[name] = load_prompt(name, lang, prompt_dir)
            except PromptError as error:
                log.warning("virtual phones will not recognize a prompt: %s", error)
    return needles


class Invalid(ValueError):
    """An input of a phone action that is not acceptable, with the field it came from."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def access_number(config, phones: dict) -> str:
    """Gives the number a subscriber calls or texts: the first trigger SIM's."""
    network = next(iter(phones.values())).network if phones else None
    if network is None:
        return ""
    sims = {name: modem.number for name, modem in network.modems.items()}
    for modem in config.modems:
        if "trigger" in modem.roles and modem.name in sims:
            return sims[modem.name]
    return next(iter(sims.values()), "")


def install(app: bottle.Bottle, web, phones: dict | None) -> None:
    """Adds the page and its API when the box runs with virtual phones."""
    if not phones:
        return
    panel = Panel(phones, web.config, web.stopping)
    web.phones = panel

    @app.get("/phones")
    def phones_page():
        session = web.login_required()
        return web.render("phones", session, phones=panel.rows(),
                          access_number=panel.access_number)

    @app.get("/api/phones")
    def api_phones():
        web.login_required(api=True)
        return {"access_number": panel.access_number, "phones": panel.rows()}

    @app.post(f"/api/phones/{NAME}/<action>")
    def api_phone_action(name, action):
        session = web.login_required(api=True)
        web.check_csrf(session, api=True)
        if name not in panel.phones or action not in ACTIONS:
            raise json_error(404, "no such phone or action")
        data = body() if action in ("dial", "press", "sms") else {}
        try:
            panel.act(name, action, data)
        except Invalid as error:
            raise bottle.HTTPResponse(json.dumps({"error": str(error),
                                                  "fields": {error.field: str(error)}}),
                                      status=400, headers={"Content-Type": "application/json"})
        except PhoneActionError as error:
            code, text = REFUSALS.get(action, ("refused", str(error)))
            log.info("virtual phone %s: %s refused (%s)", name, action, error)
            raise bottle.HTTPResponse(json.dumps({"error": text, "code": code}), status=409,
                                      headers={"Content-Type": "application/json"}) from None
        return {"ok": True}
