"""What each kind of alert is called and what the owner can do about it, and the message.

Raisers give only the facts (gateway/store/alerts.py `raise_alert`: kind,
subject, what happened); the title, the words for the subject ("modem m2",
"SIM 8949..."), and the advice when the raiser gave none come from KINDS.
`compose` turns one alert (a row, or one held in memory during a database
outage) into the title and body the owner receives.
"""
from __future__ import annotations

from dataclasses import dataclass
import time


@dataclass(frozen=True)
class Kind:
    """How one kind of alert reads: its title, what its subject is, the owner's options."""

    title: str
    about: str                 # "{subject}" filled in: "modem {subject}"
    advice: str
    recovered: str = ""        # the recovery's title


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
        "pin) and consider blocking the calling number."),
    "test": Kind("Test alert", "box {subject}",
                 "Nothing to do: this is the message callbox alerts test sends."),
}


def kind_of(name: str) -> Kind:
    """Gives the kind of that name; an unknown one reads as its own name."""
    known = KINDS.get(name)
    if known is not None:
        return known
    return Kind(name.replace("-", " ").capitalize(), "{subject}", "", "Recovered")


def about(alert) -> str:
    """Gives what the alert is about in words: "modem m2", "SIM 8949... (in modem m1)"."""
    subject = alert.subject or ""
    if not subject:
        return ""
    words = kind_of(alert.kind).about.format(subject=subject)
    if alert.modem and alert.modem != subject:
        words += f" (in modem {alert.modem})"
    return words


def advice_of(alert) -> str:
    """Gives what the owner can do: the raiser's advice, else the kind's."""
    return alert.advice or kind_of(alert.kind).advice


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(stamp)) if stamp else ""


def compose(alert, box: str, recovery: bool = False) -> tuple[str, str]:
    """Gives (title, body) of the message for an alert's raise, or with `recovery` its
    recovery (a recovery whose raise was never sent tells both in one message)."""
    kind = kind_of(alert.kind)
    subject = about(alert)
    head = (kind.recovered or f"Recovered: {kind.title}") if recovery else kind.title
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


def delivery_state(alert, urls: bool) -> str:
    """Gives what became of an alert's messages, in words, for the page and the list;
    `urls`: whether any [alerts] url is configured."""
    parts = []
    if alert.sent_at is not None:
        parts.append(f"sent {stamp(alert.sent_at)}")
    if alert.recovery_sent_at is not None:
        parts.append(f"recovery sent {stamp(alert.recovery_sent_at)}")
    due = alert.next_attempt_at is not None and (
        alert.sent_at is None or (alert.state == "recovered" and alert.recovery_sent_at is None))
    if due and not urls:
        parts.append("not sent: no [alerts] urls (the log and this list only)")
    elif due and alert.attempts:
        parts.append(f"not delivered yet: {alert.attempts} tries, next at "
                     f"{stamp(alert.next_attempt_at)}; {alert.last_error}")
    elif due:
        parts.append("being sent")
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
    return (f"the database has not answered for {duration(now - since)}"
            + (f" ({reason})" if reason else ""))
