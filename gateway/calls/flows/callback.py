"""The regular callback, as the user lives it.

    leg A = call the user back ; balance (at once for a known caller ID, else
    after account number and PIN) ; loop { destination by keys ; rate and
    maximum duration ; "you can talk for N minutes" ; leg B = dial it (the user
    hears ringback) ; bridge until a side hangs up, #11, or the time is up }

Keys typed ahead are kept, as an IVR's type-ahead does: a key pressed during
an informational prompt (the balance, "you can talk for", "the number is
busy") stops it and is the start of the next entry, whose prompt is then not
played. Only an error about what was typed (wrong PIN, a number that cannot
be called) clears the keys waiting, and its prompt says so.

`Hangup` (the user hung up) may come out of any wait; the caller of `run`
settles the bill in its `finally`. The flow touches the world only through
its `Box` and `CallSession` (gateway/calls/flows/seams.py).
"""
from __future__ import annotations

import logging

from gateway.calls.flows.seams import (AccountSeen, Box, CallLeg, CallSession, LegFailed,
                                       NoFreeModem)
from gateway.money.ledger import InsufficientCredit
from modems.numbers import EmergencyNumber, InvalidNumber, destination_e164

log = logging.getLogger(__name__)

PROMPT_FOR_CAUSE = {"busy": "destination_busy", "no answer": "no_answer",
                    "rejected": "destination_busy"}
HASH_ELEVEN = ["#", "1", "1"]
LEG_A_AFTER_BRIDGE = 10      # seconds of leg A kept paid for after a bridge (the prompts)


def run(context: Box, session: CallSession, number: str,
        destination: str | None = None) -> None:
    """Calls `number` back and serves it until it hangs up; `destination` skips the prompt."""
    config = context.config.callback
    account = context.account_by_caller_id(number)
    context.use_language(session, number, account)
    if account is not None:
        context.prepare_balance(account.id, session)    # its words are made while it rings
    try:
        session.dial("callback", number, config.answer_timeout)
    except NoFreeModem:
        log.warning("callback to %s: all lines are busy", number)
        return
    except LegFailed as failure:
        log.info("callback to %s not answered: %s (nothing billed)", number, failure)
        return
    offer_languages(context, session, number, account)
    if account is None:
        session.secret_keys = True      # account number and PIN: kept out of the timeline
        account = authorize(context, session, number)
        session.secret_keys = False
        if account is None:
            session.say(context.voice(session).say("goodbye"))
            return
    if not context.attach(session, account.id):
        session.say(context.voice(session).say("all_lines_busy", "goodbye"))
        return
    if not context.hold_leg_a(session, account.id):
        log.info("callback to %s: the balance does not cover the call back", number)
        session.say(context.voice(session).say("not_enough_credit", "goodbye"))
        return
    balance = context.available(account.id) + context.reserved(session)
    inform(context, session, "your_balance_is", context.money_words(balance, session))
    serve_destinations(context, session, account.id, destination)
    session.say(context.voice(session).say("goodbye"))


def authorize(context: Box, session: CallSession, number: str) -> AccountSeen | None:
    """Asks account number and PIN; gives the account, or None after too many tries."""
    config = context.config.callback
    for _ in range(config.pin_tries):
        account_number = collect(context, session, "enter_account", max_digits=10)
        if not account_number:
            continue
        account = context.account_by_number(account_number)
        if account is not None:
            context.prepare_balance(account.id, session)    # made while the PIN is typed
        pin = collect(context, session, "enter_pin", max_digits=8)
        now = context.now()
        if not pin:
            refuse(context, session, "wrong_pin")
            continue
        # A wrong account number is checked (and counted) like a wrong PIN.
        check = context.check_pin(account, pin, number, now)
        if check.locked:
            log.warning("PIN entry is locked (%s) for caller %s", check.scope, number)
            session.say(context.voice(session).say("pin_locked"))
            return None
        if check.ok and account.locked:
            log.warning("account %s is locked by an admin: no call for %s", account.name, number)
            session.say(context.voice(session).say("account_locked"))
            return None
        if check.ok:
            log.info("caller %s authorized for account %s by PIN", number, account.name)
            context.use_language(session, number, account)
            if config.save_caller_id_after_pin:
                context.save_caller_id(account, number, now)
            return account
        log.info("wrong account number or PIN from %s", number)
        refuse(context, session, "wrong_pin")
    return None


def offer_languages(context: Box, session: CallSession, number: str,
                    account: AccountSeen | None) -> None:
    """The language menu ([callback] language_menu), for a caller with no language of
    their own: "For English press 1, für Deutsch drücken Sie 2, ...". The key pressed
    picks the language, kept with the calling number; keys after it stay typed ahead. A
    key that is no option starts the next entry instead, and no language is kept."""
    if not context.config.callback.language_menu or context.has_language(number, account):
        return
    options = context.menu_languages()
    if len(options) < 2:
        return
    if not session.keys:
        session.say(context.language_menu(options), barge_in=True)
        deadline = session.clock() + context.config.callback.interdigit_timeout
        session.wait_until(deadline, lambda: bool(session.keys))
    key = session.keys[0] if session.keys else ""
    if key.isdigit() and 1 <= int(key) <= len(options):
        session.keys.pop(0)
        context.choose_language(session, number, options[int(key) - 1])
    else:
        log.info("caller %s chose no language in the menu (%s)", number,
                 f"key {key} is no option" if key else "no key")


def collect(context: Box, session: CallSession, prompt: str | None, max_digits: int) -> str:
    """Gives the keys typed up to # (or a pause) after a prompt; `*` erases one.

    Keys waiting already (typed ahead) start the entry, and the prompt is then not
    played; a key stops the prompt. Keys after the # stay for the next entry."""
    config = context.config.callback
    if prompt and not session.keys:
        session.say(context.voice(session).say(prompt), barge_in=True)
    typed: list[str] = []
    deadline = session.clock() + config.interdigit_timeout + (0 if session.keys else 3)
    while True:
        while session.keys:
            key = session.keys.pop(0)
            if key == "#":
                return "".join(typed)
            if key == "*":
                if typed:
                    typed.pop()
            elif key.isdigit():
                typed.append(key)
            if len(typed) >= max_digits + 1:
                session.take_keys()     # the rest of an entry far too long
                return ""
            deadline = session.clock() + config.interdigit_timeout
        if not session.wait_until(deadline, lambda: bool(session.keys)):
            return "".join(typed)


def inform(context: Box, session: CallSession, *parts: str | list[str]) -> None:
    """Says something the user may cut short: a key stops it and is kept for the next
    entry; with keys typed ahead already, it is not said at all."""
    if session.keys:
        log.debug("keys typed ahead: %s not said", parts[0])
        return
    said: list[str] = []
    for part in parts:
        said.extend([part] if isinstance(part, str) else part)
    voice = context.voice(session)
    waiting = next((at for at, part in enumerate(said) if not voice.ready(part)), 0)
    if waiting:
        # a phrase still being made (a long time limit, a balance on a loaded box): the
        # prompts before it are said meanwhile, so the caller hears no wait; it is
        # ready by their end (bench/phrases.py)
        log.debug("%s said while its phrase is made", said[0])
        if session.say(voice.say(said[:waiting], pause_after=True), barge_in=True):
            return
        said = said[waiting:]
    session.say(voice.say(said), barge_in=True)


def refuse(context: Box, session: CallSession, prompt: str) -> None:
    """Says an error about what was typed and forgets the keys pressed while it is said
    (the prompt's words say so): what was typed after a wrong entry is not the next
    entry. The next prompt follows at once, and keys pressed once it has ended are kept."""
    session.say(context.voice(session).say(prompt), clear_keys=True)


def serve_destinations(context: Box, session: CallSession, account_id: int,
                       fixed: str | None) -> None:
    """The destination loop: until the user hangs up or runs out of tries."""
    config = context.config.callback
    tries = 0
    while tries < config.destination_tries:
        if fixed is not None:
            number, fixed_used = fixed, True
            if not context.destination_allowed(number):    # asked by SMS: same lists
                log.info("destination %s refused by the prefix lists", number)
                session.say(context.voice(session).say("number_not_allowed"))
                return
        else:
            try:
                number, fixed_used = choose_destination(context, session), False
            except EmergencyNumber:
                return      # said: hang up and call it yourself; the box says goodbye
        if number is None:
            tries += 1
            continue
        outcome = call_destination(context, session, account_id, number)
        if outcome == "refused":
            tries += 1
        if fixed_used:
            return


def choose_destination(context: Box, session: CallSession) -> str | None:
    """Asks for a destination; gives it in E.164 if it may be dialled, else says why.
    An emergency number ends the service (EmergencyNumber): the caller is told to hang
    up and call it from their own phone, at once, not asked for another number."""
    typed = collect(context, session, "enter_destination", max_digits=20)
    if not typed:
        return None
    try:
        number = destination_e164(typed, context.config.gateway.country)
    except EmergencyNumber:
        log.warning("%s asked for the emergency number %s: told to call it from their own "
                    "phone", session.leg_a.number, typed)
        session.take_keys()
        session.say(context.voice(session).say("emergency_number"))
        raise
    except InvalidNumber as error:
        log.info("destination %r refused: %s", typed, error.reason)
        refuse(context, session, "number_not_allowed")
        return None
    if not context.destination_allowed(number):
        log.info("destination %s refused by the prefix lists", number)
        refuse(context, session, "number_not_allowed")
        return None
    return number


def call_destination(context: Box, session: CallSession, account_id: int, number: str) -> str:
    """Rates, announces, dials and bridges one destination; gives what happened."""
    config = context.config.callback
    leg_a = session.leg_a
    rate_a, rate_b = context.rate(leg_a.number), context.rate(number)
    if rate_b is None or rate_a is None:
        log.info("no rate for %s", number if rate_b is None else leg_a.number)
        refuse(context, session, "no_rate")
        return "refused"
    budget = context.available(account_id) + context.reserved(session)
    seconds = context.talk_budget(budget, rate_a, leg_a.talk_seconds, rate_b, LEG_A_AFTER_BRIDGE)
    if seconds < config.min_call_seconds:
        log.info("not enough credit for a call to %s (%d s affordable)", number, seconds)
        inform(context, session, "not_enough_credit")
        return "refused"
    talk_time = context.duration_words(seconds, session)    # made while we reserve
    try:
        context.hold(session, account_id, rate_a, rate_b, seconds)
    except InsufficientCredit:
        inform(context, session, "not_enough_credit")
        return "refused"
    inform(context, session, "you_can_talk_for", talk_time)
    try:
        leg_b = session.dial("destination", number, config.answer_timeout, ringback=True)
    except NoFreeModem:
        inform(context, session, "all_lines_busy")
        return "failed"
    except LegFailed as failure:
        inform(context, session, PROMPT_FOR_CAUSE.get(str(failure), "call_failed"))
        return "failed"
    return bridge(context, session, leg_b, seconds)


def bridge(context: Box, session: CallSession, leg_b: CallLeg, seconds: int) -> str:
    """Joins the user with leg B until B hangs up, #11, or the time is up."""
    config = context.config.callback
    leg_a = session.leg_a
    joined = session.bridge(leg_a, leg_b)
    if joined is None:
        log.error("no audio for the bridge: ending the call to %s", leg_b.number)
        session.hangup(leg_b)
        return "failed"
    log.info("bridged %s with %s for at most %d s", leg_a.number, leg_b.number, seconds)
    start = session.clock()
    end = start + seconds
    warn = end - config.warning_before_end if config.warning_before_end < seconds else None
    session.take_keys()
    typed: list[str] = []
    outcome = "ended"
    session.secret_keys = True        # keys for the other side (its PIN, perhaps)
    try:
        while leg_b.ended_at is None:
            now = session.clock()
            if warn is not None and now >= warn:
                session.beep(leg_a)       # to the user only, mixed into what B says
                warn = None
            if now >= end:
                outcome = "time is up"
                break
            session.next_event(min(end, warn or end) - now)
            typed = (typed + session.take_keys())[-3:]
            if typed == HASH_ELEVEN:
                outcome = "#11"
                break
    finally:
        session.secret_keys = False
        joined.stop()
        if leg_b.ended_at is None:
            session.hangup(leg_b)
    log.info("call to %s ended: %s after %.0f s", leg_b.number, outcome, leg_b.talk_seconds)
    if outcome == "time is up":
        inform(context, session, "time_is_up")
    return outcome
