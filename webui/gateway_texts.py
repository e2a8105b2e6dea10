"""What gateway and the modems say on the admin pages, in the page's language.

Gateway knows no language: the Modems page's modem states and reasons (modems/pool.py,
modems/recovery.py), SMS health (gateway/sms/health.py), SIM use (gateway/care/usage.py),
last recovery (modems/recovery.py) and the voice tests' progress, figures and advice
(gateway/calls/voicetest.py, gateway/care/voicetests.py) come in English, with their
values in them; so do the AT console's refusals and the System page's facts
(webui/admin/console.py, webui/admin/system.py: made where a JSON route needs them too),
and the form errors and refusals of gateway's actions and of the web's forms (their
patterns in webui/form_texts.py). Each English sentence is a pattern here with its values
caught by name and its translation marked for the catalogue; `translate` gives a text in
the request's language, a text made of several (joined by "; " or ", ") piece by piece,
and any text not known here as it is (it still says what is going on). The pages that
refresh in the browser get the same table (`js_table`) for their scripts, so what a
script writes is the same as what the page was served with.
"""
from __future__ import annotations

import json
import re
from typing import Callable

from babel import numbers

from webui.form_texts import FORM_TEXTS
from webui.i18n import N_, current, gettext

_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_AGE = rf"{_NUMBER} (?:s|min|h)"
_UP_TO_NEXT = r"(?:(?!; ).)*"        # a value that runs to the next "; " of a joined text

# (the English with its values as named groups, its text for the catalogue)
TEXTS = tuple((re.compile(pattern), text) for pattern, text in (
    # SMS health, gateway/sms/health.py describe
    (r"SIM use unknown", N_("SIM use unknown")),
    (rf"(?P<on>[0-9]+) of (?P<capacity>[0-9]+) on the SIM", N_("{on} of {capacity} on the SIM")),
    (r"(?P<on>[0-9]+) on the SIM", N_("{on} on the SIM")),
    (r"the SIM has not been read yet", N_("the SIM has not been read yet")),
    (rf"last read (?P<age>{_AGE}) ago", N_("last read {age} ago")),
    (rf"read (?P<age>{_AGE}) ago", N_("read {age} ago")),
    (rf"1 failure since the last clean read, last (?P<age>{_AGE}) ago: "
     rf"(?P<error>{_UP_TO_NEXT})",
     N_("1 failure since the last clean read, last {age} ago: {error}")),
    (rf"(?P<count>[0-9]+) failures since the last clean read, last (?P<age>{_AGE}) ago: "
     rf"(?P<error>{_UP_TO_NEXT})",
     N_("{count} failures since the last clean read, last {age} ago: {error}")),
    (r"the SIM is full: new SMS wait at the network",
     N_("the SIM is full: new SMS wait at the network")),
    (r"(?P<count>[0-9]+) quarantined \(see the SMS page\)",
     N_("{count} quarantined (see the SMS page)")),
    # SIM use against its limits, gateway/care/usage.py SimUsage
    (r"minutes today (?P<used>[0-9/]+)", N_("minutes today {used}")),
    (r"calls (?P<used>[0-9/]+)", N_("calls {used}")),
    (r"month (?P<used>[0-9/]+)", N_("month {used}")),
    (r"SMS (?P<used>[0-9/]+)", N_("SMS {used}")),
    # the last recovery step, modems/recovery.py
    (r"reset: (?P<reason>.*) \(back\)", N_("reset: {reason} (back)")),
    (r"reset: (?P<reason>.*) \(failed\)", N_("reset: {reason} (failed)")),
    (r"power-cycle: (?P<reason>.*) \(back\)", N_("power-cycle: {reason} (back)")),
    (r"power-cycle: (?P<reason>.*) \(failed\)", N_("power-cycle: {reason} (failed)")),
    (rf"gave up: (?P<reason>{_UP_TO_NEXT})", N_("gave up: {reason}")),
    (r"(?P<resets>[0-9]+) reset\(s\) did not help", N_("{resets} reset(s) did not help")),
    (r"(?P<resets>[0-9]+) reset\(s\) and a USB power cycle did not help",
     N_("{resets} reset(s) and a USB power cycle did not help")),
    (r"reset (?P<count>[0-9]+)", N_("reset {count}")),
    # a SIM's keep-alive SMS, webui/admin/credit.py credit_cell (its time in the page's form)
    (r"last keep-alive (?P<time>.+)", N_("last keep-alive {time}")),
    (r"no keep-alive sent yet", N_("no keep-alive sent yet")),
    (r"power-cycle (?P<count>[0-9]+)", N_("power-cycle {count}")),
    (r"gave up (?P<count>[0-9]+)", N_("gave up {count}")),
    # a modem's state and why (modems/pool.py, modems/recovery.py, modems/driver.py), its
    # registration and SIM (modems/signal.py)
    (r"up", N_("up")),
    (r"down", N_("down")),
    (r"opening", N_("opening")),
    (r"recovering", N_("recovering")),
    (r"sim error", N_("sim error")),
    (r"not opened yet", N_("not opened yet")),
    (r"internal error, restarting", N_("internal error, restarting")),
    (r"port (?P<port>\S+) not present", N_("port {port} not present")),
    (r"not registered on the network for (?P<seconds>[0-9]+) s \((?P<registration>[^()]*)\)",
     N_("not registered on the network for {seconds} s ({registration})")),
    (r"its port (?P<port>\S+) has been gone for (?P<seconds>[0-9]+) s",
     N_("its port {port} has been gone for {seconds} s")),
    (r"no answer to AT commands \((?P<answer>.*)\)", N_("no answer to AT commands ({answer})")),
    (r"reset by an admin", N_("reset by an admin")),
    (r"port vanished \((?P<error>.*)\)", N_("port vanished ({error})")),
    (r"cannot open the port: (?P<error>.*)", N_("cannot open the port: {error}")),
    (r"the port went away \((?P<error>.*)\)", N_("the port went away ({error})")),
    (r"no answer", N_("no answer")),
    (r"not registered", N_("not registered")),
    (r"home", N_("home")),
    (r"searching", N_("searching")),
    (r"denied", N_("denied")),
    (r"unknown", N_("unknown")),
    (r"roaming", N_("roaming")),
    (r"ready", N_("ready")),
    (r"no SIM", N_("no SIM")),
    # how a modem's sound reaches the box (modems/profiles VOICE_PATHS)
    (r"serial voice port \(SIM7600\) or a sound card \(SIM800, A7670\)",
     N_("serial voice port (SIM7600) or a sound card (SIM800, A7670)")),
    (r"USB audio \(ALSA\)", N_("USB audio (ALSA)")),
    (r"serial voice port", N_("serial voice port")),
    # a voice test's progress, gateway/calls/voicetest.py
    (r"saying what the test does", N_("saying what the test does")),
    (r"playing the test signal", N_("playing the test signal")),
    (r"asking for a sentence and the keys 1 2 3", N_("asking for a sentence and the keys 1 2 3")),
    (r"listening", N_("listening")),
    (r"the far end hung up: the figures are of what came before",
     N_("the far end hung up: the figures are of what came before")),
    (r"measuring", N_("measuring")),
    (r"calling (?P<number>\S+) from (?P<modem>\S+)", N_("calling {number} from {modem}")),
    (r"ringing", N_("ringing")),
    (r"answered after (?P<seconds>[0-9]+) s", N_("answered after {seconds} s")),
    (r"hung up", N_("hung up")),
    (r"stopped: (?P<error>.*)", N_("stopped: {error}")),
    # a voice test's figures, gateway/care/voicetests.py describe
    (r"round-trip delay", N_("round-trip delay")),
    (r"not measured: no echo came back to time", N_("not measured: no echo came back to time")),
    (r"echo return loss", N_("echo return loss")),
    (rf"at least (?P<db>{_NUMBER}) dB \(the echo was lost in the noise\) without the canceller",
     N_("at least {db} dB (the echo was lost in the noise) without the canceller")),
    (rf"(?P<db>{_NUMBER}) dB without the canceller", N_("{db} dB without the canceller")),
    (rf"at least (?P<db>{_NUMBER}) dB with the canceller \(tail (?P<tail>[0-9]+) ms, on for "
     r"calls\)", N_("at least {db} dB with the canceller (tail {tail} ms, on for calls)")),
    (rf"at least (?P<db>{_NUMBER}) dB with the canceller \(tail (?P<tail>[0-9]+) ms, OFF for "
     r"calls\)", N_("at least {db} dB with the canceller (tail {tail} ms, OFF for calls)")),
    (rf"(?P<db>{_NUMBER}) dB with the canceller \(tail (?P<tail>[0-9]+) ms, on for calls\)",
     N_("{db} dB with the canceller (tail {tail} ms, on for calls)")),
    (rf"(?P<db>{_NUMBER}) dB with the canceller \(tail (?P<tail>[0-9]+) ms, OFF for calls\)",
     N_("{db} dB with the canceller (tail {tail} ms, OFF for calls)")),
    (r"audio slips", N_("audio slips")),
    (r"(?P<count>[0-9]+) \(a frame late, the box being busy; taken out of the canceller's "
     r"figure\)", N_("{count} (a frame late, the box being busy; taken out of the canceller's "
                    "figure)")),
    (r"noise floor", N_("noise floor")),
    (r"below -90 dBFS \(silence\)", N_("below -90 dBFS (silence)")),
    (r"speech level", N_("speech level")),
    (r"no speech heard", N_("no speech heard")),
    (r"clipping", N_("clipping")),
    (r"none", N_("none")),
    (rf"(?P<count>[0-9]+) samples at full scale \((?P<share>{_NUMBER}) %\)",
     N_("{count} samples at full scale ({share} %)")),
    (r"keys in-band", N_("keys in-band")),
    (r"keys the modem reported", N_("keys the modem reported")),
    # what a voice test's figures suggest, gateway/care/voicetests.py advice
    (r"The echo comes back after (?P<trip>[0-9]+) ms, past the canceller's tail of "
     r"(?P<tail>[0-9]+) ms: set echo_tail_ms = (?P<wanted>[0-9]+) for this modem\.",
     N_("The echo comes back after {trip} ms, past the canceller's tail of {tail} ms: set "
        "echo_tail_ms = {wanted} for this modem.")),
    (r"The line echoes and echo_cancel is off for this modem: set echo_cancel = true\.",
     N_("The line echoes and echo_cancel is off for this modem: set echo_cancel = true.")),
    (r"The canceller leaves an echo one may hear \(under 40 dB\): the module's own echo "
     r"canceller \(module_echo_cancel\) may help\.",
     N_("The canceller leaves an echo one may hear (under 40 dB): the module's own echo "
        "canceller (module_echo_cancel) may help.")),
    (r"The line is noisy \(noise floor above -50 dBFS\): try noise_suppression = true\.",
     N_("The line is noisy (noise floor above -50 dBFS): try noise_suppression = true.")),
    (r"No speech was heard after the tone: was the far end's microphone muted\?",
     N_("No speech was heard after the tone: was the far end's microphone muted?")),
    (r"The voice comes quiet: set rx_gain_db to about (?P<change>[-+][0-9]+) for this modem\.",
     N_("The voice comes quiet: set rx_gain_db to about {change} for this modem.")),
    (r"The voice comes loud: set rx_gain_db to about (?P<change>[-+][0-9]+) for this modem\.",
     N_("The voice comes loud: set rx_gain_db to about {change} for this modem.")),
    (r"The sound from the modem reaches full scale \(it is distorted before the box gets "
     r"it\): lower the module's own volume \(speaker_volume\), not rx_gain_db\.",
     N_("The sound from the modem reaches full scale (it is distorted before the box gets "
        "it): lower the module's own volume (speaker_volume), not rx_gain_db.")),
    (r"The keys 1 2 3 were not all heard in-band \(the modem reported them\)\.",
     N_("The keys 1 2 3 were not all heard in-band (the modem reported them).")),
    (r"The keys 1 2 3 were not all heard in-band\.",
     N_("The keys 1 2 3 were not all heard in-band.")),
    # the Modems page's notices (webui/admin/pages.py, credit.py, voicetests.py)
    (r"(?P<modem>\S+) is not up: the box opens it again by itself when it can",
     N_("{modem} is not up: the box opens it again by itself when it can")),
    (r"(?P<modem>\S+) is in a call: a reset ends it\.",
     N_("{modem} is in a call: a reset ends it.")),
    (r"(?P<modem>\S+) went down meanwhile", N_("{modem} went down meanwhile")),
    (r"(?P<modem>\S+) reset: it is closed and opened again within seconds",
     N_("{modem} reset: it is closed and opened again within seconds")),
    (r"(?P<modem>\S+): the credit is asked now; it shows here within seconds",
     N_("{modem}: the credit is asked now; it shows here within seconds")),
    (r"(?P<modem>\S+): voice test calling (?P<number>\S+); its progress and figures show below",
     N_("{modem}: voice test calling {number}; its progress and figures show below")),
    (r"(?P<reason>.+): give the number to call", N_("{reason}: give the number to call")),
    (r"(?P<modem>\S+) is not up: the box cannot call from it now",
     N_("{modem} is not up: the box cannot call from it now")),
    (r"(?P<modem>\S+) is in a call; test it when the call ends",
     N_("{modem} is in a call; test it when the call ends")),
    (r"(?P<modem>\S+) is in a call; ask again when it ends",
     N_("{modem} is in a call; ask again when it ends")),
    (r"its SIM's ICCID is not read yet \(is the modem up\?\)",
     N_("its SIM's ICCID is not read yet (is the modem up?)")),
    (r"SIM (?P<iccid>\S+) has no balance_ussd in a \[\[sim\]\] table",
     N_("SIM {iccid} has no balance_ussd in a [[sim]] table")),
    # why a voice test failed (gateway/calls/voicetest.py, gateway/care/requests.py)
    (r"(?P<modem>\S+) is not free: it is in a call or lent to a session, not registered, or "
     r"its SIM is at a limit", N_("{modem} is not free: it is in a call or lent to a session, "
                                  "not registered, or its SIM is at a limit")),
    (r"the call could not be placed: (?P<error>.*)", N_("the call could not be placed: {error}")),
    (r"the call was not answered \((?P<cause>[^()]*)\)",
     N_("the call was not answered ({cause})")),
    (r"no answer within (?P<seconds>[0-9]+) s", N_("no answer within {seconds} s")),
    (r"the modem's audio cannot be opened: (?P<error>.*)",
     N_("the modem's audio cannot be opened: {error}")),
    (r"no sound comes from the modem's audio port",
     N_("no sound comes from the modem's audio port")),
    (r"the box is stopping", N_("the box is stopping")),
    (r"(?P<modem>\S+) went down: (?P<reason>.*)", N_("{modem} went down: {reason}")),
    (r"the modem's audio stopped", N_("the modem's audio stopped")),
    (r"the test failed on the box \(its log says why\)",
     N_("the test failed on the box (its log says why)")),
    (r"the asker stopped waiting", N_("the asker stopped waiting")),
    (r"the box did not serve it in time", N_("the box did not serve it in time")),
    (r"the box stopped while serving it", N_("the box stopped while serving it")),
    # the System page's facts (webui/admin/system.py facts: English for the JSON API too)
    (r"Version", N_("Version")),
    (r"Box", N_("Box")),
    (r"Daemon", N_("Daemon")),
    (r"Uptime", N_("Uptime")),
    (r"CPU load", N_("CPU load")),
    (r"Memory", N_("Memory")),
    (r"Disk", N_("Disk")),
    (r"Database", N_("Database")),
    (r"pid (?P<pid>[0-9]+), (?P<status>.*), started (?P<started>.*?), heartbeat "
     r"(?P<seconds>[0-9]+) s ago",
     N_("pid {pid}, {status}, started {started}, heartbeat {seconds} s ago")),
    (r"(?P<up>[0-9]+)/(?P<of>[0-9]+) modems up", N_("{up}/{of} modems up")),
    (r"stopped", N_("stopped")),
    (r"web UI up (?P<duration>[0-9dhmin ]+) \(no daemon row in the database\)",
     N_("web UI up {duration} (no daemon row in the database)")),
    (r"(?P<load>[0-9.]+ / [0-9.]+ / [0-9.]+) \(1 / 5 / 15 min\) on (?P<cores>[0-9]+) cores",
     N_("{load} (1 / 5 / 15 min) on {cores} cores")),
    (r"(?P<free>[0-9.]+ [MG]B) free of (?P<total>[0-9.]+ [MG]B)", N_("{free} free of {total}")),
    (r"(?P<free>[0-9.]+ [MG]B) free of (?P<total>[0-9.]+ [MG]B) \((?P<folder>.*)\)",
     N_("{free} free of {total} ({folder})")),
    (r"cannot read (?P<folder>\S+): (?P<error>.*)", N_("cannot read {folder}: {error}")),
    (r"kept on the database server", N_("kept on the database server")),
    # the AT console's refusals (webui/admin/console.py), said before anything is sent
    (r"pick a modem", N_("pick a modem")),
    (r"type a command, e\.g\. AT\+CSQ", N_("type a command, e.g. AT+CSQ")),
    (r"a command has at most (?P<most>[0-9]+) characters",
     N_("a command has at most {most} characters")),
    (r"only printable ASCII: no line breaks, Ctrl-Z or other control characters",
     N_("only printable ASCII: no line breaks, Ctrl-Z or other control characters")),
    (r"AT(?P<command>\S+) waits for a second line after a prompt, which the console cannot "
     r"send: send SMS with `callbox sms send`",
     N_("AT{command} waits for a second line after a prompt, which the console cannot send: "
        "send SMS with `callbox sms send`")),
    (r"Warning: (?P<names>.+) undoes the box's modem set-up \(reset, echo, result codes, SMS "
     r"mode and reports, caller ID, radio, port speed, call reports\): the box may stop "
     r"answering calls or SMS until the modem is reset on the Modems page\. Send it only as "
     r"an expert who means it\.",
     N_("Warning: {names} undoes the box's modem set-up (reset, echo, result codes, SMS mode "
        "and reports, caller ID, radio, port speed, call reports): the box may stop answering "
        "calls or SMS until the modem is reset on the Modems page. Send it only as an expert "
        "who means it.")),
    (r"(?P<names>.+) is not a read-only query: the modem may act on it \(dial, hang up, "
     r"change a setting, delete messages\)\. Send it as an expert\?",
     N_("{names} is not a read-only query: the modem may act on it (dial, hang up, change a "
        "setting, delete messages). Send it as an expert?")),
    (r"(?P<modem>\S+) is not up: no command can reach it now",
     N_("{modem} is not up: no command can reach it now")),
    (r"(?P<modem>\S+) is in a call: a command may end or disturb it\. Send it anyway\?",
     N_("{modem} is in a call: a command may end or disturb it. Send it anyway?")),
    # an SMS's delivery report, gateway/sms/reports.py status_words (23.040 9.2.3.15)
    (r"(?P<reason>.+) \(status (?P<code>0x[0-9a-f]{2})\)", N_("{reason} (status {code})")),
    (r"still trying: (?P<reason>.+)", N_("still trying: {reason}")),
    (r"failed: (?P<reason>.+)", N_("failed: {reason}")),
    (r"received by the phone", N_("received by the phone")),
    (r"forwarded, delivery not confirmed", N_("forwarded, delivery not confirmed")),
    (r"replaced by the service centre", N_("replaced by the service centre")),
    (r"congestion", N_("congestion")),
    (r"the phone is busy", N_("the phone is busy")),
    (r"no answer from the phone", N_("no answer from the phone")),
    (r"service rejected", N_("service rejected")),
    (r"quality of service not available", N_("quality of service not available")),
    (r"error in the phone", N_("error in the phone")),
    (r"remote procedure error", N_("remote procedure error")),
    (r"incompatible destination \(no such number\?\)",
     N_("incompatible destination (no such number?)")),
    (r"connection rejected by the phone", N_("connection rejected by the phone")),
    (r"not obtainable", N_("not obtainable")),
    (r"no interworking available", N_("no interworking available")),
    (r"validity period expired", N_("validity period expired")),
    (r"deleted by the sender", N_("deleted by the sender")),
    (r"deleted by the service centre", N_("deleted by the service centre")),
    (r"the message does not exist", N_("the message does not exist")),
    (r"a status the service centre defines", N_("a status the service centre defines")),
    *FORM_TEXTS,
    # "<modem>: <why>", the modem's name before a refusal above (the Modems page's notices)
    (r"(?P<modem>[^\s:]+): (?P<reason>.+)", N_("{modem}: {reason}")),
))
SEPARATORS = ("; ", ", ")
NESTED = ("reason", "registration", "status", "error")   # values that are texts here too
FIGURES = ("db", "share", "age", "load", "free", "total")   # values with decimals in them
_DECIMAL_POINT = re.compile(r"(?<=[0-9])\.(?=[0-9])")


def translate(text: str, say: Callable[[str], str] = gettext, decimal: str | None = None) -> str:
    """Gives a text of gateway in the request's language (`say`: a language's gettext):
    whole when it is one of TEXTS, else piece by piece when it is several joined by a
    separator, else as it is. Decimals in the values (FIGURES) take `decimal`, the
    language's decimal sign (the request's when `say` is the request's gettext)."""
    if decimal is None:
        decimal = _page_decimal() if say is gettext else "."
    whole = _one(text, say, decimal)
    if whole is not None:
        return whole
    for separator in SEPARATORS:
        pieces = text.split(separator)
        if len(pieces) > 1:
            return separator.join(translate(piece, say, decimal) for piece in pieces)
    return text


def translate_fields(problems: dict[str, str]) -> dict[str, str]:
    """Gives a form's problems by field in the request's language (`translate` each)."""
    return {field: translate(text) for field, text in problems.items()}


def _page_decimal() -> str:
    return numbers.get_decimal_symbol(current().locale)


def _one(text: str, say: Callable[[str], str], decimal: str) -> str | None:
    for pattern, template in TEXTS:
        found = pattern.fullmatch(text)
        if found:
            values = {name: translate(value, say, decimal) if name in NESTED
                      else _DECIMAL_POINT.sub(decimal, value) if name in FIGURES else value
                      for name, value in found.groupdict().items()}
            return say(template).format(**values)
    return None


def js_table(say: Callable[[str], str] = gettext, decimal: str | None = None) -> str:
    """Gives TEXTS for a page's script as JSON: {"texts": [[pattern, the translation]...],
    "nested": NESTED, "figures": FIGURES, "decimal": the decimal sign}, the patterns in
    JavaScript's spelling (named groups (?<name>...)); webui/static/ui.js `gatewayTexts`
    reads it the way `translate` does."""
    if decimal is None:
        decimal = _page_decimal() if say is gettext else "."
    return json.dumps({"texts": [[pattern.pattern.replace("(?P<", "(?<"), say(template)]
                                 for pattern, template in TEXTS],
                       "nested": NESTED, "figures": FIGURES, "decimal": decimal},
                      ensure_ascii=False)
