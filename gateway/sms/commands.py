"""SMS commands: what a text asks for, and doing it once.

    CB                      call me back (also an empty SMS, if configured)
    CB <number>             call me back, then straight to <number> (words after CB
                            that are no number, "CB please", are ignored)
    CONNECT <a> <b>         connect two numbers, billed to the sender (alias CONF)
    REG <account> <pin>     authorize the sender's number for an account
    UNREG                   remove the sender's number
    BAL                     the balance, in words and digits
    LANG <code>             the account's language (LANG DE; "LANG -": the default again)
    HELP, or anything else  the list of commands (at most one per number per help_interval)

What a text asks for is read in gateway/sms/parsing.py; a command word is accepted in
every language, in any case, with or without accents ([sms.aliases] in English, the
other languages' in gateway/config/sms_texts/ and [sms.words.<code>]). The reply
is in the sender's language (gateway/money/languages.py `language_for`: the
account's, else the country calling code's, else the box's), money written as
that language writes it (gateway/sms/wording.py). A command,
its changes (a caller ID with its audit record, PIN failures), its reply and its
`done` state commit in one transaction, so it is executed at most once. `REG` and
`UNREG` are the actions of gateway/actions/callerids.py: `REG` never moves a number
another account holds (the phone sends `UNREG` first). A call it asks for is a
call intent written in that transaction (gateway/sms/actions.py),
started by the call service only once committed.

A command older than `sms_max_age` when the box gets to it (its SMS centre
time stamp, which carries its own UTC offset, against the box's clock) is
not carried out: its state is `stale`, and the sender gets the `too_late`
reply, once, in that same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
from typing import Callable, Protocol

from peewee import DatabaseError

from audio.prompts import spoken_languages
from gateway.actions import accounts as account_actions, callerids
from gateway.actions.audit import Actor
from gateway.actions.accounts import InvalidValue
from gateway.meters import Meters
from gateway.money import accounts
from gateway.money.languages import language_for
from gateway.sms import store
from gateway.sms.models import SmsCommand, SmsIn
from gateway.sms.parsing import Request, number_words, parse, text_words
from gateway.sms.wording import (age_text, age_words, amount_text, amount_words, language_name,
                                  reason, reason_text)
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared
from modems.numbers import (EmergencyNumber, InvalidNumber, destination_e164,
                            is_alphanumeric_sender)

log = logging.getLogger(__name__)

PIN_MASK = "****"
# run for every command, prepared (gateway/store/prepared.py)
_COMMAND = Prepared(lambda: SmsCommand.select().where(SmsCommand.id == Param("id")).limit(1))
_DONE = Prepared(lambda: SmsCommand.update(state=Param("state"), result=Param("result"),
                                           done_at=Param("now"))
                 .where(SmsCommand.id == Param("id")))



class Actions(Protocol):
    """What the SMS commands ask of the call side (the daemon's call service).

    Called on the `sms-in` thread inside the command's transaction (database
    writes made here commit or roll back with the command): return at once,
    and never wait for another thread's database write (SQLite holds the
    write lock until the command commits)."""

    def callback(self, number: str, destination: str | None) -> str | None:
        """Starts a callback to `number` (then to `destination`); None, or why not."""

    def connect(self, account_id: int, sender: str, a: str, b: str,
                notify: Callable[[str], None]) -> str | None:
        """Starts connecting `a` and `b` for the account; None, or why not.
        `notify(text)` texts the sender later (the summary when the call ends)."""

    def balance(self, account_id: int) -> int:
        """Gives the account's balance in minor units."""

    def committed(self) -> None:
        """Called after each command's transaction has committed (no transaction open):
        what the command recorded may start now."""


@dataclass(frozen=True)
class Outcome:
    result: str                     # what happened, for the SMS log
    reply: str | None = None
    kind: str = "reply"             # reply | help
    state: str = "done"             # done | dropped | stale | failed


class CommandRunner:
    """Executes pending SMS commands; each in one transaction."""

    def __init__(self, config, actions: Actions, now: Callable[[], float],
                 notifier: Callable[[str, str], Callable[[str], None]],
                 meters: Meters | None = None):
        """`notifier(sender, modem)` gives the function that texts a sender later; `meters`
        counts the commands run by kind (the box's metrics)."""
        self.config = config
        self.meters = meters or Meters()
        self.sms = config.sms
        self.actions = actions
        self.now = now
        self.notifier = notifier
        self._unmasked: dict[int, str] = {}   # command id -> its text before the PIN was masked

    def execute(self, command_id: int) -> bool:
        """Runs one pending command and queues its reply; False if it was not pending."""
        self._mask_pin(command_id)
        with db.atomic():
            command = _COMMAND.first(id=command_id)
            if command is None:
                raise SmsCommand.DoesNotExist(f"no SMS command {command_id}")
            if command.state != "pending":
                self._unmasked.pop(command_id, None)
                return False
            command.text = self._unmasked.get(command_id, command.text)   # read, never saved
            try:
                with db.atomic():          # a savepoint: a failing command leaves no trace
                    outcome = self._outcome(command)
            except DatabaseError:
                raise                      # left pending; the caller tries again
            except Exception as error:     # our bug: the command must not be retried forever
                log.exception("SMS command %d failed", command.id)
                outcome = Outcome(f"failed: {error!r}", state="failed")
            now = self.now()
            reply_id = None
            if outcome.reply:
                reply_id = store.enqueue(command.box, command.sender, outcome.reply, now,
                                         kind=outcome.kind, modem_hint=command.modem,
                                         command=command.id)
            _DONE.run(state=outcome.state, result=outcome.result[:500], now=now, id=command.id)
            kind = "stale" if outcome.state == "stale" else self._kind(command)
        self.meters.sms_commands.inc(kind)
        self.actions.committed()
        self._unmasked.pop(command_id, None)
        log.info("SMS command %d from %s: %s%s", command_id, command.sender, outcome.result,
                 f" (reply {reply_id})" if reply_id else "")
        return True

    def _outcome(self, command: SmsCommand) -> Outcome:
        sender = command.sender
        if is_alphanumeric_sender(sender) or not sender.startswith("+"):
            return Outcome(f"sender {sender!r} is a name or short code: dropped, no reply",
                           state="dropped")
        lang = self._language(sender)
        late = self._too_late(command, lang)
        if late is not None:
            return late
        request = parse(command.text, self.sms)
        if command.incomplete:
            log.warning("SMS command %d is missing parts; running it as it is", command.id)
        handler = getattr(self, f"_{request.command}")
        return handler(command, request, lang)

    def _language(self, sender: str) -> str:
        """Gives the language the sender's replies are written in."""
        return language_for(sender, accounts.by_caller_id(sender), self.config)

    def _too_late(self, command: SmsCommand, lang: str) -> Outcome | None:
        """Gives the outcome of a command older than sms_max_age, or None for one in time
        (or whose age cannot be told: no time stamp, or one ahead of the box's clock)."""
        limit = self.sms.sms_max_age
        sent = store.smsc_sent_at(command.id) if limit else None
        if sent is None or self.now() - sent <= limit:
            return None
        age = self.now() - sent
        return Outcome(f"too late: sent {age_words(age)} ago, more than sms_max_age "
                       f"({limit:.0f} s); not carried out",
                       self._reply("too_late", lang, age=age_text(age, lang)), state="stale")

    def _kind(self, command: SmsCommand) -> str:
        """Gives the command's kind for the metrics: cb, connect, reg, unreg, bal, lang, help,
        unknown (no command word), dropped (from a name or short code); `execute` adds
        stale (older than sms_max_age: not carried out)."""
        if is_alphanumeric_sender(command.sender) or not command.sender.startswith("+"):
            return "dropped"
        request = parse(command.text, self.sms)
        return request.command if request.known else "unknown"

    def _reply(self, name: str, lang: str, **values) -> str:
        return self.sms.reply(name, lang, **values)

    def _bad_number(self, command: str, written: str, error: InvalidNumber,
                    lang: str) -> Outcome:
        """The reply to a number the box does not call: an emergency number gets its own
        words (call it from your own phone, now), any other the plain refusal."""
        reply = "emergency_number" if isinstance(error, EmergencyNumber) else "invalid_number"
        return Outcome(f"{command} refused: {written!r} is {error.reason}",
                       self._reply(reply, lang, number=written[:30]))

    # -- the commands -----------------------------------------------------------------------

    def _help(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        what = "help asked" if request.known else "not a command"
        if store.help_sent_since(command.sender, self.now() - self.sms.help_interval):
            return Outcome(f"{what}; help already sent within {self.sms.help_interval:.0f} s")
        return Outcome(f"{what}; help sent", self._reply("help", lang), kind="help")

    def _emergency(self, command: str, words: tuple[str, ...], lang: str) -> Outcome | None:
        """The reply to an emergency number among the words, from anyone: a phone that is
        not registered is told to call it itself too, not to register first."""
        for written in (number_words(words), *words):
            try:
                destination_e164(written or "", self.config.gateway.country)
            except EmergencyNumber as error:
                return self._bad_number(command, written, error, lang)
            except InvalidNumber:
                continue
        return None

    def _cb(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        account = accounts.by_caller_id(command.sender)
        if account is None:
            return (self._emergency("callback", request.words, lang)
                    or Outcome("callback refused: not registered",
                               self._reply("register_first", lang)))
        destination = None
        if request.words and any(char.isdigit() for char in request.words[0]):
            written = number_words(request.words) or request.words[0]
            try:
                destination = destination_e164(written, self.config.gateway.country)
            except InvalidNumber as error:
                return self._bad_number("callback", written, error, lang)
        refusal = self._act(command, lambda: self.actions.callback(command.sender, destination))
        if refusal is not None:
            return Outcome(f"callback refused: {refusal}",
                           self._reply("refused", lang, reason=reason_text(refusal, lang)))
        if destination is None:
            return Outcome("callback started", self._reply("callback", lang))
        return Outcome(f"callback to {destination} started",
                       self._reply("callback_to", lang, destination=destination))

    def _connect(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        account = accounts.by_caller_id(command.sender)
        if account is None:
            return (self._emergency("connect", request.words, lang)
                    or Outcome("connect refused: not registered",
                               self._reply("register_first", lang)))
        if len(request.words) != 2:
            return Outcome("connect refused: needs two numbers", self._reply("usage_connect", lang))
        numbers = []
        for written in request.words:
            try:
                numbers.append(destination_e164(written, self.config.gateway.country))
            except InvalidNumber as error:
                return self._bad_number("connect", written, error, lang)
        a, b = numbers
        notify = self.notifier(command.sender, command.modem)
        refusal = self._act(command, lambda: self.actions.connect(account.id, command.sender,
                                                                  a, b, notify))
        if refusal is not None:
            return Outcome(f"connect refused: {refusal}",
                           self._reply("refused", lang, reason=reason_text(refusal, lang)))
        return Outcome(f"connecting {a} and {b}", self._reply("connect", lang, a=a, b=b))

    def _reg(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        if len(request.words) != 2:
            return Outcome("register refused: needs account and PIN",
                           self._reply("usage_reg", lang))
        name, pin = request.words
        if pin == PIN_MASK:     # masked, then the box restarted before it ran: ask again
            return Outcome("register not run: its PIN was masked before it could run",
                           self._reply("usage_reg", lang))
        try:
            account = callerids.register_by_pin(self._actor(command), name, pin,
                                                command.sender, self.now(),
                                                self.config.gateway.box)
        except callerids.PinLocked as locked:
            return Outcome(f"register refused: PIN entry locked ({locked.scope})",
                           self._reply("pin_locked", lang))
        except callerids.WrongPin as wrong:
            return Outcome(f"register refused: wrong PIN for {wrong.account.name}"
                           if wrong.account is not None
                           else f"register refused: no account {name[:30]!r}",
                           self._reply("wrong_pin", lang))
        except callerids.AccountLocked as locked:
            return Outcome(f"register refused: account {locked.account.name} is locked",
                           self._reply("refused", lang, reason=reason("locked", lang)))
        except callerids.CallerIdTaken as taken:
            # The phone's holder frees it with UNREG; the other account is not named.
            return Outcome(f"register refused: {command.sender} is authorized for account "
                           f"{taken.owner.name}", self._reply("refused", lang, reason=reason(
                               "phone_taken", lang, unreg=self.sms.word("unreg", lang))))
        return Outcome(f"registered for {account.name}",
                       self._reply("registered", self._language(command.sender),
                                   number=command.sender, account=account.name))

    def _unreg(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        account = callerids.unregister(self._actor(command), command.sender, self.now())
        if account is None:
            return Outcome("unregister: was not registered", self._reply("not_registered", lang))
        return Outcome(f"unregistered from {account.name}",
                       self._reply("unregistered", lang, number=command.sender))

    def _bal(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        account = accounts.by_caller_id(command.sender)
        if account is None:
            return Outcome("balance refused: not registered",
                           self._reply("register_first", lang))
        amount = self.actions.balance(account.id)
        currency = self.config.gateway.currency
        return Outcome("balance sent", self._reply(
            "balance", lang, amount=amount_text(amount, currency, lang),
            words=amount_words(amount, currency, lang)))

    def _lang(self, command: SmsCommand, request: Request, lang: str) -> Outcome:
        """Sets the account's language by the action the CLI and the web use (audited);
        the reply is in the new language."""
        account = accounts.by_caller_id(command.sender)
        if account is None:
            return Outcome("language refused: not registered",
                           self._reply("register_first", lang))
        codes = ", ".join(spoken_languages())
        if not request.words:
            return Outcome("language not set: no code given",
                           self._reply("usage_lang", lang, codes=codes))
        code = request.words[0][:20]
        try:
            account_actions.set_language(self._actor(command), account.id, code, self.now())
        except InvalidValue:
            return Outcome(f"language not set: no language {code!r}",
                           self._reply("language_unknown", lang, code=code, codes=codes))
        new = self._language(command.sender)
        return Outcome(f"language of {account.name} set to {new}",
                       self._reply("language_set", new, language=language_name(new)))

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _actor(command: SmsCommand) -> Actor:
        """Gives who acts by this text, for the audit record: the sender, by the modem."""
        return Actor(command.sender, "sms", command.modem or "")

    def _act(self, command: SmsCommand, action: Callable[[], str | None]) -> str | None:
        """Runs a command's action; it writes only in the command's transaction, so a
        retried transaction runs it again and what it recorded stays once."""
        try:
            return action()
        except DatabaseError:
            raise                  # the command's transaction is lost: retried whole
        except Exception:   # the call side's failure is the sender's refusal, not our crash
            log.exception("SMS command %d: the action failed", command.id)
            return "the box cannot do that right now"

    def _mask_pin(self, command_id: int) -> None:
        """Takes the PIN out of a pending REG command's stored text, its parts' texts and
        PDUs, committed before the command runs: no failure after can leave it in the
        log. The text stays in memory for the run (and its retries in this process)."""
        if command_id in self._unmasked:
            return
        with db.atomic():
            command = _COMMAND.first(id=command_id)
            if command is None or command.state != "pending":
                return
            masked = masked_text(command.text, self.sms)
            if masked is None or masked == command.text:
                return
            SmsCommand.update(text=masked).where(SmsCommand.id == command_id).execute()
            SmsIn.update(text=masked, pdu="").where(SmsIn.command == command_id).execute()
        self._unmasked[command_id] = command.text


def masked_text(text: str, sms_config) -> str | None:
    """Gives a REG command's text with its PIN masked, or None when it carries no PIN."""
    request = parse(text, sms_config)
    if request.command != "reg" or len(request.words) < 2:
        return None
    return f"{text_words(text)[0]} {request.words[0][:64]} {PIN_MASK}"
