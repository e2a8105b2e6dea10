"""What each kind of alert is called and what the owner can do about it, and the message.

Raisers give only the facts (gateway/store/alerts.py `raise_alert`: kind,
subject, what happened); the title, the words for the subject ("modem m2",
"SIM 8949..."), and the advice when the raiser gave none come from KINDS.
`compose` turns one alert (a row, or one held in memory during a database
outage) into the title and body the owner receives.

Every text here is English, the box's language for the owner's messages, the
CLI and the JSON API. The functions a page uses (`about`, `advice_of`,
`recovered_title`, `delivery_state`) take `translated`, which gives a text of `texts()`
in the reader's words (webui/alert_texts.py hands them the page's gettext; its
catalogue takes the English from `texts()`), so the English is written once.
"""
from __future__ import annotations

from dataclasses import dataclass
import functools
import re
import time
from typing import Callable, Iterator

from gateway.store.alerts import COUNTED, PIN_LOCK_SUBJECTS, RAISED


@dataclass(frozen=True)
class Kind:
    """How one kind of alert reads: its title, what its subject is, the owner's options."""

    title: str
    about: str                 # "{subject}" filled in: "modem {subject}"
    advice: str
    recovered: str = ""        # the recovery's title
    subjects: tuple[str, ...] = ()   # how a raiser writes its subject ("account {name}")


_MODEM_ADVICE = ("Look at the Modems page and the log (journalctl -u callbox). Check the "
                 "USB cable and hub power and whether the SIM is seated; the box reopens "
                 "the modem by itself as soon as its port answers.")

KINDS: dict[str, Kind] = {
    "modem-down": Kind("Modem down", "modem {subject}", _MODEM_ADVICE, "Modem back up"),
    "modem-recovered": Kind("Modem back up", "modem {subject}",
                            "Nothing to do; look at the Modems page if it happens often."),
    "modem-power-cycled": Kind(
        "Modem power-cycled", "modem {subject}",
        "Nothing to do now: the box switched its USB port off and on and the modem came "
        "back. If it happens every day, replace the modem, its cable or the USB hub."),
    "modem-dead": Kind(
        "Modem given up", "modem {subject}",
        "The box tried every recovery step and gave up. Unplug and replug the modem (or "
        "power-cycle the box); if it stays dead, replace it. Calls use the other modems "
        "meanwhile.", "Modem back after it was given up"),
    "sim-low-balance": Kind(
        "SIM credit low", "SIM {subject}",
        "Top up the SIM's credit with its operator; the Modems page shows the balance "
        "history (callbox sim balance asks again).", "SIM credit topped up"),
    "sim-limit": Kind(
        "SIM at its limit", "SIM {subject}",
        "The SIM is lent to no new call or SMS of that kind until its limit resets "
        "(reset_hour). Raise the limit in its [[sim]] table if it is too low, or add a "
        "SIM.", "SIM below its limit again"),
    "sms-storage-full": Kind(
        "SIM storage full", "modem {subject}",
        "New SMS wait at the network until space frees. Look at the SMS page; if the box "
        "cannot empty the SIM, take it out and delete its messages in a phone."),
    "sms-quarantined": Kind(
        "SMS quarantined", "modem {subject}",
        "Nothing was executed. Look at the SMS page (Quarantine): the raw message is kept "
        "there; if it was a real command, ask the sender to send it again."),
    "database-down": Kind(
        "Database unreachable", "database {subject}",
        "Calls in progress go on and are billed when it returns; new callers hear an "
        "apology. Check the database server (systemctl status postgresql), the network "
        "to it and its disk.", "Database back"),
    "disk-full": Kind(
        "Disk nearly full", "disk of {subject}",
        "Free space: remove old files or archives (archive_dir), lower retention_days, "
        "or move state_dir to a larger disk. A full disk stops the database.",
        "Disk space back"),
    "daemon-crashed": Kind(
        "Restarted after a crash", "box {subject}",
        "The box ended without stopping and was started again; calls cut by it were "
        "billed up to their last heartbeat. Look at the log of the previous run "
        "(journalctl -u callbox -b -1 or --since) and report it if it happens again."),
    "pin-lockouts": Kind(
        "PIN entry locked", "{subject}",
        "Someone may be guessing a PIN. Look at the account's PIN locks and caller IDs on "
        "its page; if the account holder did not mistype, set a new PIN (callbox account "
        "pin) and consider blocking the calling number.",
        subjects=tuple(PIN_LOCK_SUBJECTS.values())),
    "test": Kind("Test alert", "box {subject}",
                 "Nothing to do: this is the message callbox alerts test sends."),
}

# the advice a raiser fills in with its values (its kind's advice otherwise)
GIVEN_ADVICE = {
    "sim-low-balance": "Top up the SIM {iccid} (modem {modem}); calls and SMS on it stop when "
                       "the credit runs out.",
    "sim-limit": "Wait for the reset, or raise the limit in the SIM's [[sim]] table (found by "
                 "its ICCID) and reload the box (systemctl reload callbox). Other modems take "
                 "the work meanwhile.",
}
IN_MODEM = "{about} (in modem {modem})"
RECOVERED = "Recovered: {title}"          # the recovery's title of a kind without its own
UNKNOWN_RECOVERED = "Recovered"           # ... and of a kind not in KINDS
# what became of an alert's messages (`delivery_state`)
DELIVERY = {
    "sent": "sent {time}",
    "recovery sent": "recovery sent {time}",
    "no urls": "not sent: no [alerts] urls (the log and this list only)",
    "retrying": "not delivered yet: {attempts} tries, next at {time}; {error}",
    "sending": "being sent",
}
# what happened and how it recovered, as the alerts worker (gateway/care/alerts.py) and the
# other raisers (gateway/store/alerts.py RAISED) write it; `retold` reads a row's words back
# into the first of these that wrote them
MESSAGES = {
    "modem down why": "modem {name} is down for {after} now: {reason}",
    "modem down": "modem {name} is down for {after} now",
    "modem never up why": "modem {name} did not come up within {after} of {began}: {reason}",
    "modem never up": "modem {name} did not come up within {after} of {began}",
    "the start": "the start",
    "the reload": "the reload that added it",
    "modem up": "modem {name} is up again",
    "modem removed": "modem {name} was taken out of the configuration",
    "power-cycled": "the box switched the USB port of modem {name} off and on ({reason}); the "
                    "modem {answered} (step {attempt})",
    "answered": "answered again",
    "not answered": "did not answer yet",
    "gave up": "every recovery step failed for modem {name} ({reason}); the box stopped trying",
    "database down why": "the database has not answered for {lasted} ({reason})",
    "database down": "the database has not answered for {lasted}",
    "database back": "the database answers again after {lasted}",
    "disk low": "only {free} ({mib} MiB) of the disk of {folder} is free, below {threshold}",
    "disk back": "{free} of the disk is free again",     # free, threshold: "3.2 %"
    "restarted": "the daemon of box {box} was started again after its previous run (pid {pid}) "
                 "ended without stopping; its last heartbeat was at {last} ({status})",
    **RAISED,
}
# values that may be MESSAGES themselves
NESTED = ("began", "answered", "sender", "error", "found", "holds", "failure", "doing",
          "stopped", "why")
# values a page writes in its own form (`retold`'s `formed`): "3.2 %", "2026-12-03 09:04:24",
# "12.50 EUR", a SIM's counts ("minutes today 37/120, calls 12/60"), a figure
FORMS = {"free": "percent", "threshold": "percent", "last": "time", "until": "time",
         "sms_until": "time", "credit": "money", "low": "money", "limits": "counts",
         "counts": "counts", "mib": "figure"}
# values that are whole numbers: read back as digits only, so that "reading SMS {index}"
# does not also read "reading SMS 2 failed: ..."
WHOLE = ("id", "index", "held", "room", "read", "left", "tries", "callers", "minutes",
         "window", "attempt", "pid", "mib")


def _as_is(text: str) -> str:
    return text


def texts() -> Iterator[str]:
    """Gives every text a page may show of an alert besides the raiser's facts (what
    happened, the recovery): the catalogue's English (webui/alert_texts.py `extract`)."""
    for kind in KINDS.values():
        yield from (text for text in (kind.title, kind.about, kind.advice, kind.recovered)
                    if text)
        yield from kind.subjects
    yield from GIVEN_ADVICE.values()
    yield from (IN_MODEM, RECOVERED, UNKNOWN_RECOVERED)
    yield from DELIVERY.values()
    yield from MESSAGES.values()
    yield from COUNTED.values()


def kind_of(name: str) -> Kind:
    """Gives the kind of that name; an unknown one reads as its own name."""
    known = KINDS.get(name)
    if known is not None:
        return known
    return Kind(name.replace("-", " ").capitalize(), "{subject}", "", UNKNOWN_RECOVERED)


def about(alert, translated: Callable[[str], str] = _as_is) -> str:
    """Gives what the alert is about in words: "modem m2", "SIM 8949... (in modem m1)"."""
    subject = alert.subject or ""
    if not subject:
        return ""
    kind = kind_of(alert.kind)
    filled = _filled(kind.subjects, subject, translated) or subject
    words = translated(kind.about).format(subject=filled)
    if alert.modem and alert.modem != subject:
        words = translated(IN_MODEM).format(about=words, modem=alert.modem)
    return words


def advice_of(alert, translated: Callable[[str], str] = _as_is) -> str:
    """Gives what the owner can do: the raiser's advice, else the kind's."""
    if not alert.advice:
        return translated(kind_of(alert.kind).advice)
    given = GIVEN_ADVICE.get(alert.kind)
    return _filled((given,) if given else (), alert.advice, translated) or alert.advice


def _kept(_form: str, value: str) -> str:
    return value


def retold(text: str, translated: Callable[[str], str] = _as_is,
           reason: Callable[[str], str] = _as_is,
           formed: Callable[[str, str], str] = _kept) -> str:
    """Gives what happened or how it recovered (an alert's message or recovery) through
    `translated` when MESSAGES wrote it (a modem's `reason` and `status` through `reason`, the
    values of FORMS through `formed(form, value)`), else as it is: a raiser's own words."""
    return _filled(MESSAGES.values(), text, translated, reason, formed) or text


def _filled(templates, text: str, translated: Callable[[str], str],
            reason: Callable[[str], str] = _as_is,
            formed: Callable[[str, str], str] = _kept) -> str:
    """Gives a text written from one of the templates said again through `translated` with its
    values (read back from the text), or '' when none of them wrote it."""
    for template in templates:
        found = _reader(template).fullmatch(text)
        if found:
            values = found.groupdict()
            for name, value in values.items():
                if name in NESTED:
                    values[name] = retold(value, translated, reason, formed)
                elif name in ("reason", "status"):
                    values[name] = reason(value)
                elif name in FORMS:
                    values[name] = formed(FORMS[name], value)
            return translated(template).format(**values)
    return ""


@functools.cache
def _reader(template: str) -> re.Pattern:
    """Gives a regular expression that reads a template's values back from its text."""
    pieces = re.split(r"{(\w+)}", template)
    return re.compile("".join(
        re.escape(piece) if index % 2 == 0
        else f"(?P<{piece}>[0-9]+)" if piece in WHOLE else f"(?P<{piece}>.*?)"
        for index, piece in enumerate(pieces)), re.DOTALL)


def recovered_title(name: str, translated: Callable[[str], str] = _as_is) -> str:
    """Gives the title of a recovery of that kind: "Modem back up", "Recovered: ..."."""
    kind = kind_of(name)
    return translated(kind.recovered) if kind.recovered else translated(RECOVERED).format(
        title=translated(kind.title))


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(stamp)) if stamp else ""


def compose(alert, box: str, recovery: bool = False) -> tuple[str, str]:
    """Gives (title, body) of the message for an alert's raise, or with `recovery` its
    recovery (a recovery whose raise was never sent tells both in one message)."""
    kind = kind_of(alert.kind)
    subject = about(alert)
    head = recovered_title(alert.kind) if recovery else kind.title
    title = f"callbox {box}: {head}" + (f": {subject}" if subject else "")
    lines = []
    if recovery:
        lines.append(f"Recovered at {_when(alert.recovered_at)}: {alert.recovery}")
        lines.append(f"It began at {_when(alert.at)}: {alert.message}")
    else:
        lines.append(f"What happened: {alert.message}")
    if subject:
        lines.append(f"About: {subject}")
    if not recovery:
        lines.append(f"What you can do: {advice_of(alert)}")
        lines.append(f"Raised at {_when(alert.at)}"
                     + (f", {alert.repeats} time(s) again since" if alert.repeats else ""))
    lines.append(f"Box: {box}. Every alert is on the Alerts page (/admin/alerts).")
    return title, "\n".join(lines)


def stamp(moment: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(moment))


def delivery_state(alert, urls: bool, translated: Callable[[str], str] = _as_is,
                   clock: Callable[[float], str] = stamp) -> str:
    """Gives what became of an alert's messages, in words, for the page and the list;
    `urls`: whether any [alerts] url is configured; `clock` writes a time of day."""
    parts = []
    if alert.sent_at is not None:
        parts.append(translated(DELIVERY["sent"]).format(time=clock(alert.sent_at)))
    if alert.recovery_sent_at is not None:
        parts.append(translated(DELIVERY["recovery sent"]).format(
            time=clock(alert.recovery_sent_at)))
    due = alert.next_attempt_at is not None and (
        alert.sent_at is None or (alert.state == "recovered" and alert.recovery_sent_at is None))
    if due and not urls:
        parts.append(translated(DELIVERY["no urls"]))
    elif due and alert.attempts:
        parts.append(translated(DELIVERY["retrying"]).format(
            attempts=alert.attempts, time=clock(alert.next_attempt_at), error=alert.last_error))
    elif due:
        parts.append(translated(DELIVERY["sending"]))
    elif alert.sent_at is None and alert.last_error:
        parts.append(alert.last_error)
    return "; ".join(parts)


def duration(seconds: float) -> str:
    """Gives seconds in words: '45 s', '12 min', '3 h'."""
    if seconds >= 7200:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def outage_text(since: float, now: float, reason: str) -> str:
    lasted = duration(now - since)
    if reason:
        return MESSAGES["database down why"].format(lasted=lasted, reason=reason)
    return MESSAGES["database down"].format(lasted=lasted)
