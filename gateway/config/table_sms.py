"""The keys of [sms], [sms.aliases], [sms.replies], [sms.texts] and [sms.words] (see gateway/config/table.py, which
lists them with every other section)."""
from __future__ import annotations

from gateway.config.reader import Key, Section

RETRY_WAITS = (1, 10)   # a retry_backoff list holds at least and at most this many waits

SMS = Section("sms", help="""\
SMS commands: a user texts the box's number; the box acts and answers by
SMS. Commands (case-insensitive; words separated by spaces or commas):
  CB                    call me back          CB <number>  ... then <number>
  CONNECT <a> <b>       connect two numbers, billed to the sender
  REG <account> <pin>   register the sender's number for an account
  UNREG                 unregister it         BAL          the balance
  LANG <code>           the sender's language (LANG DE)
  HELP (or anything else)  the list of commands
Senders that are names or short codes never get an answer.
""", keys=(
    Key("empty_sms_is_callback", "bool", True,
        help="An empty SMS asks for a callback (false: it gets the help text)."),
    Key("help_interval", "float", 3600.0, unit="seconds", minval=0, maxval=7 * 86400,
        help="At most one help text per number within this time."),
    Key("incomplete_after", "float", 600.0, unit="seconds", minval=10, maxval=86400,
        help="A message in several parts whose last part has not come after this long is "
             "used with the parts it has (and marked incomplete)."),
    Key("retry_backoff", "numbers", (10.0, 60.0, 300.0, 1800.0), unit="seconds", minval=1,
        maxval=86400, note="(5 tries)",
        help="Waits before each new try of an SMS that could not be sent; after the last one "
             "it is marked failed (callbox sms list --failed; callbox sms retry ID). A list "
             f"of {RETRY_WAITS[0]} to {RETRY_WAITS[1]} waits."),
    Key("send_from", "names", (), note="(every modem)",
        help="Modems allowed to send SMS, by name. A reply goes out on the modem its command "
             "came in on when that modem is up and allowed, else on any allowed modem that "
             "is up."),
    Key("drain_interval", "float", 300.0, unit="seconds", minval=5, maxval=86400,
        help="Each SIM is read in full this often, besides when the modem comes up and when "
             "the modem announces a new SMS."),
    Key("sms_max_age", "float", 600.0, unit="seconds", minval=0, maxval=7 * 86400,
        note="(0: never too old; else at least 60)",
        help="A command older than this when the box gets to it (after an outage or a "
             "restart), counted from the SMS centre's time stamp, is not carried out: no "
             "callback starts, and the sender gets the too_late reply once. Needs the box's "
             "clock right (NTP): a clock far ahead would find every command too old."),
))

SMS_ALIASES = Section("sms.aliases", key_notes=False, help="""\
The words of each command: lists of single words (any case, no spaces or
commas, 1 to 20 characters); no word may belong to two commands. The
first word of each list is the one the replies show.""", keys=(
    Key("cb", "aliases", ("CB", "CALLBACK")),
    Key("connect", "aliases", ("CONNECT", "CONF")),
    Key("reg", "aliases", ("REG", "REGISTER")),
    Key("unreg", "aliases", ("UNREG", "UNREGISTER")),
    Key("bal", "aliases", ("BAL", "BALANCE")),
    Key("help", "aliases", ("HELP", "?")),
    Key("lang", "aliases", ("LANG", "LANGUAGE")),
))


def _reply(name: str, text: str, help: str, *placeholders: str) -> Key:
    """Gives the key of one reply text; `placeholders` are the ones only it may use."""
    return Key(name, "str", text, help=help, choices=placeholders)


SMS_REPLIES = Section("sms.replies", key_notes=False, help="""\
The texts the box answers with. {placeholders} are filled in; each text
may use its own (listed) and {cb} {connect} {reg} {unreg} {bal}
{help}, the first word of each command. Write {{ and }} for a literal
brace. Texts over 160 characters (70 with characters outside the GSM
alphabet) go out as several parts.""", keys=(
    _reply("callback", "Calling you back now.", "answer to CB"),
    _reply("callback_to", "Calling you back now, then {destination}.",
           "answer to CB <number>; {destination}", "destination"),
    _reply("connect", "Connecting {a} and {b}. A summary follows by SMS when the call ends.",
           "answer to CONNECT <a> <b>; {a}, {b}", "a", "b"),
    _reply("refused", "Sorry, not now: {reason}", "the call side said no; {reason} is its reason",
           "reason"),
    _reply("register_first", "Register first: {reg} <account> <pin>",
           "an unregistered number asked for CB, CONNECT or BAL"),
    _reply("registered", "This phone ({number}) is now registered for account {account}.",
           "REG succeeded; {number} (the sender), {account} (its name)", "number", "account"),
    _reply("wrong_pin", "Wrong account or PIN.",
           "REG with a wrong account or PIN (the same words for both)"),
    _reply("pin_locked", "Too many wrong PINs: PIN entry is locked, try again later.",
           "REG while PIN entry of the account is locked"),
    _reply("unregistered", "This phone ({number}) is no longer registered.",
           "UNREG succeeded; {number}", "number"),
    _reply("not_registered", "This phone is not registered.",
           "UNREG from a number that is not registered"),
    _reply("balance", "Your balance is {amount} ({words}).",
           "answer to BAL; {amount} in digits (12.34 EUR), {words} in words", "amount", "words"),
    _reply("invalid_number", "{number} is not a number the box can call.",
           "a number that cannot be called; {number} as written", "number"),
    _reply("emergency_number", "{number} is an emergency number: the box does not call it. "
           "Call {number} from your own phone.",
           "CB or CONNECT with an emergency number (112, 911, ...); {number} as written",
           "number"),
    _reply("usage_connect", "Write {connect} <number> <number>.", "CONNECT without two numbers"),
    _reply("usage_reg", "Write {reg} <account> <pin>.", "REG without account and PIN"),
    _reply("help", "Commands: {cb} = call me back. {cb} <number> = call me, then that number. "
           "{connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register this "
           "phone. {unreg} = unregister it. {bal} = balance. {lang} <code> = language. "
           "{help} = this list.",
           "answer to HELP and to anything that is not a command"),
    _reply("too_late", "Your message came too late ({age} old) and was not carried out. "
           "Please send it again.",
           "a command older than sms_max_age; {age} in words (2 hours 5 minutes)", "age"),
    _reply("language_set", "Your language is now {language}.",
           "LANG <code> succeeded, said in the new language; {language}: its name in itself "
           "(Deutsch)", "language"),
    _reply("usage_lang", "Write {lang} <code>, one of: {codes}.",
           "LANG without a code; {codes}: the codes the box speaks (en, de, ...)", "codes"),
    _reply("connect_summary", "{a}: {a_state}. {b}: {b_state}. Talk time {talk_time}, cost "
           "{cost}.", "the SMS after a connect two; {a}, {b} the numbers, {a_state}, {b_state} "
           "how each call ended, {talk_time} (m:ss), {cost} in digits", "a", "a_state", "b",
           "b_state", "talk_time", "cost"),
    _reply("not_connected", "Not connected: {reason}.",
           "the SMS after a connect two the box did not start; {reason}", "reason"),
    _reply("language_unknown", "{code} is not a language here. Write {lang} <code>, one of: "
           "{codes}.", "LANG with a code the box does not speak; {code} as written, {codes}",
           "code", "codes"),
))

SMS_TEXTS = Section("sms.texts", keys=(), help="""\
The replies in other languages: a sender gets them in the language of their
account (else of their country calling code, else the box's language).
English is [sms.replies]; de fr es it pl tr ru ar have texts built in. Each
[sms.texts.<code>] table overrides texts of one language, with the keys and
placeholders of [sms.replies], e.g.
  [sms.texts.de]
  balance = "Guthaben: {amount}"
A text a language lacks is said in English.""")

SMS_WORDS = Section("sms.words", keys=(), help="""\
The command words in other languages, accepted from every sender besides the
English ones of [sms.aliases]: case and accents do not matter (RÜCKRUF =
rueckruf = Ruckruf). de fr es it pl tr ru ar have words built in (GUTHABEN,
SOLDE, SALDO, BAKİYE, БАЛАНС, رصيد ...). Each [sms.words.<code>] table
replaces the words of one language's commands, with the keys of
[sms.aliases], e.g.
  [sms.words.de]
  bal = ["GUTHABEN", "KONTOSTAND"]
No word may name two commands in any two languages.""")
