"""Every key of callbox.toml in one place: type, default, unit, range and help (the SMS
sections' keys in table_sms.py, listed here with the others).

The reader checks each value against its `Key` here (gateway/config/__init__.py,
sms.py, web.py add the checks one key cannot make alone), and the documented
default file config/callbox.toml is written from these same keys:

    python -m gateway.config.document > config/callbox.toml

(a test fails while the file and this table disagree). Config keys are a stable
interface: change a default, unit or range only on purpose, never in passing.
A default is the value an absent key means, typed as the reader gives it.
"""
from __future__ import annotations

import dataclasses

from gateway.config.reader import REQUIRED, Key, Section
from gateway.config.languages import LANGUAGES
from gateway.config.table_sms import (RETRY_WAITS, SMS, SMS_ALIASES, SMS_REPLIES, SMS_TEXTS,
                                      SMS_WORDS)
from modems.config import ModemConfig
from modems.recovery import RecoverySettings

LOG_LEVELS = ("debug", "info", "warning", "error")
ROLES = ("trigger", "callback", "destination")
PROFILES = ("auto", "generic", "huawei", "simcom", "quectel")
# Premium-rate and other costly services no callback user should reach by default:
# Germany 0900/0137/0180/118xx, UK 09, France 08 9, US 900/976, satellite networks.
PREMIUM_RATE_PREFIXES = ("+49900", "+49137", "+49180", "+49118", "+449", "+3389", "+1900",
                         "+1976", "+870", "+881", "+882")
WEBHOOK_EVENTS = ("sms.received", "call.ended", "session.ended", "modem.state", "alert")
# A modem's optional settings default as the pool's ModemConfig says (modems cannot import us).
_MODEM = {item.name: item.default for item in dataclasses.fields(ModemConfig)}
_RECOVERY = RecoverySettings()      # the pool's own defaults for self-healing

GATEWAY = Section("gateway", (
    Key("database", "str", "callbox.db", shown='"/var/lib/callbox/callbox.db"',
        note="(callbox.db in state_dir)",
        help="Where accounts, calls and the modem status are kept: a file path (SQLite), or "
             "a URL postgresql://user:password@host:5432/callbox. A relative path is a file "
             "inside state_dir."),
    Key("box", "str", "box", pattern=r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}",
        what="a name of letters, digits, _ . - (up to 63)",
        help="Name of this box, shown in the status and stored with its records."),
    Key("country", "str", "DE",
        help="Country of the box (ISO 3166 alpha-2): numbers dialled, texted or presented "
             "without + are read as numbers of this country."),
    Key("currency", "str", "EUR", help="Currency of balances and rates (ISO 4217, 3 letters; "
        "one num2words has words for, as the voice says the balance)."),
    Key("log_level", "choice", "info", choices=LOG_LEVELS, help="How much the daemon logs."),
    Key("state_dir", "str", "/var/lib/callbox",
        help="Directory the daemon writes to (absolute path)."),
    Key("health_interval", "float", 10.0, unit="seconds", minval=1, maxval=3600,
        help="How often each modem is asked for signal, network and SIM state."),
    Key("at_timeout", "float", 5.0, unit="seconds", minval=0.5, maxval=60,
        help="How long to wait for a modem to answer one AT command before calling it hung."),
    Key("registration_grace", "float", _RECOVERY.registration_grace, unit="seconds",
        minval=0.1, maxval=86400,
        help="A modem not registered on the network for this long is reset (AT+CFUN=1,1); "
             "so is one that stops answering. A modem in a call is never reset: it waits "
             "for the call to end."),
    Key("recovery_tries", "int", _RECOVERY.recovery_tries, unit="resets", minval=0, maxval=10,
        help="Resets in a row that may fail before the box power-cycles the modem's USB "
             "port (modems with usb_power_cycle = true) and then gives up and tells the "
             "owner."),
    Key("recovery_wait", "float", _RECOVERY.recovery_wait, unit="seconds", minval=0.1,
        maxval=600,
        help="How long a reset or power-cycled modem gets for its port to go, and again to "
             "come back and answer, before the step counts as failed."),
    Key("power_cycle_command", "str", _RECOVERY.power_cycle_command,
        help="The command that switches a modem's USB port off and on (Debian package "
             "uhubctl; the hub must support per-port power switching). {hub} and {port} "
             "are filled in from the modem's USB location (1-1.3: hub 1-1, port 3), "
             "{location} and {modem} too. Run only for modems with usb_power_cycle = true."),
    Key("retention_days", "int", 730, unit="days", minval=1, maxval=36500, note="(two years)",
        help="Call records (cdr), SMS (sms_in, sms_out) and the calls' timelines "
             "(session_event) older than this are moved out of the database, once a day, "
             "into CSV files in archive_dir."),
    Key("archive_dir", "str", "archive", shown='"/var/lib/callbox/archive"',
        note="(archive in state_dir)",
        help="Folder of those CSV files, one per table and day, e.g. cdr-2026-11-26.csv. A "
             "relative path is a folder inside state_dir."),
))

CALLBACK = Section("callback", (
    Key("ring_before_reject", "int", 2, unit="rings", minval=1, maxval=10,
        help="How many times an incoming call rings before the box rejects it (the caller "
             "hears busy and pays nothing)."),
    Key("callback_delay", "float", 2.0, unit="seconds", minval=0, maxval=60,
        help="Pause between rejecting the call and dialling the caller back."),
    Key("callback_unknown_callers", "bool", True,
        help="Call back callers whose number is not authorized yet (they are asked for their "
             "PIN)."),
    Key("unknown_callbacks_per_hour", "int", 3, unit="callbacks", minval=0, maxval=100,
        help="At most this many callbacks per hour to one number that is not authorized yet "
             "(0 = none)."),
    Key("save_caller_id_after_pin", "bool", True,
        help="After a correct PIN, remember the caller's number so that next time no PIN is "
             "asked."),
    Key("pin_tries", "int", 3, unit="tries", minval=1, maxval=10,
        help="Wrong PINs allowed in one call before the box says goodbye. (Independently, 5 "
             "wrong PINs for one account within 15 minutes lock PIN entry for that account "
             "for 15 minutes.)"),
    Key("destination_tries", "int", 3, unit="tries", minval=1, maxval=10,
        help="Empty or unusable destination entries allowed in one call before goodbye."),
    Key("interdigit_timeout", "float", 5.0, unit="seconds", minval=1, maxval=30,
        help="Pause after the last key that ends an entry without #."),
    Key("answer_timeout", "float", 40.0, unit="seconds", minval=5, maxval=180,
        help="How long the box lets a call it placed ring before giving up (no answer)."),
    Key("min_call_seconds", "int", 10, unit="seconds", minval=1, maxval=600,
        help="Shortest call worth placing: with credit for less, the caller hears \"you do "
             "not have enough credit\"."),
    Key("warning_before_end", "int", 60, unit="seconds", minval=0, maxval=600,
        help="A short tone warns the caller this long before the credit runs out (0 = no "
             "warning)."),
    Key("language", "str", "en", pattern=r"[a-z]{2}(_[A-Z]{2})?",
        what="a language code like en or de",
        help="Language of the voice prompts (a folder of audio/prompts): en, de, fr, es, it, "
             "pl, tr, ru, ar, or one of your own recordings. The box's default: a caller "
             "hears it unless the account has a language, the caller chose one in the "
             "language menu, or [languages] names one for the caller's number."),
    Key("language_menu", "bool", False,
        help="A caller with no language of their own (none set on the account, none chosen "
             "before) first hears \"For English press 1, für Deutsch drücken Sie 2, ...\": "
             "this language and those of [languages], each option in its own language. "
             "The key pressed is saved with the caller's number."),
    Key("blocked_prefixes", "prefixes", PREMIUM_RATE_PREFIXES,
        note="(premium-rate and satellite numbers)",
        help="Destinations never dialled, as E.164 prefixes."),
    Key("allowed_prefixes", "prefixes", (), note="(every destination that has a rate)",
        help="If not empty, only destinations with one of these prefixes are dialled."),
    Key("routes", "routes", (), shown="{}", note="(any free destination modem)",
        help="Which modem group calls which destinations, by longest E.164 prefix, e.g. "
             "routes = { \"+4917\" = \"telekom\", \"+4915\" = \"vodafone\" }: a destination "
             "is dialled on a free destination modem of its group first, then on any free "
             "destination modem."),
    Key("max_concurrent_sessions", "int", 1, unit="calls", minval=1, maxval=100,
        help="Calls one account may have running at once (callbacks and connect-twos). A "
             "new account gets this number; change one account's on its admin page or with "
             "`callbox account sessions NAME N`."),
))

WEB = Section("web", (
    Key("listen", "str", "0.0.0.0:8080",
        help="Address and port of the web interface: \"host:port\", host an IPv4 address, a "
             "host name or [IPv6]; port 1 to 65535 (0: any free port)."),
    Key("tls_cert", "str", "", note="(plain HTTP)",
        help="HTTPS: a PEM certificate (chain), an absolute path; with tls_key both empty "
             "(\"\") serve plain HTTP. install.sh makes a self-signed pair in "
             "/etc/callbox/tls/ and sets both (and listen = \"0.0.0.0:8443\"); to use a real "
             "certificate, point them at it (README, HTTPS). Checked at start: both files "
             "must exist, be readable by the callbox user and belong together."),
    Key("tls_key", "str", "", note="(plain HTTP)",
        help="The private key of tls_cert (PEM), an absolute path."),
    Key("redirect_listen", "str", "",
        help="With HTTPS: also listen for plain HTTP here (\"host:port\") and redirect every "
             "request to the same page over HTTPS. \"\" for none."),
    Key("workers", "int", 16, unit="threads", minval=2, maxval=256,
        help="Threads serving pages and the API (besides the live pages' event streams)."),
    Key("request_timeout", "float", 10.0, unit="seconds", minval=1, maxval=300,
        help="A client has this long to send a whole request (headers and a short body; a "
             "long upload must keep up at least 32 KiB/s), however slowly it trickles; an "
             "idle kept-alive connection is closed after it too."),
    Key("max_streams", "int", 32, unit="streams", minval=0, maxval=1000,
        help="Live call pages open at once, in all (each holds a thread for its event "
             "stream); one more is refused with 503 and the page polls instead."),
    Key("streams_per_login", "int", 4, unit="streams", minval=1, maxval=100,
        help="Live call pages open at once per login; one more is refused with 429 and the "
             "page polls instead."),
    Key("dashboard_refresh", "float", 15.0, unit="seconds", minval=1, maxval=3600,
        help="How often an open admin dashboard reads its figures again."),
))

MODEM = Section("modem", many=True, help="""\
One [[modem]] table per modem. A box without modems is valid: the daemon
starts, warns and waits. Keys of a modem:""", example="""\
[[modem]]
name = "m1"
port = "/dev/serial/by-id/usb-SimTech__Incorporated_SimTech__Incorporated_0123456789ABCDEF-if02-port0"
audio = "plughw:CARD=modem1,DEV=0"
roles = ["trigger", "callback"]
sim_pin = "1234"
group = "telekom"
profile = "simcom"
usb_power_cycle = true
usb_port = "1-1.3"
rx_gain_db = 0.0
tx_gain_db = -3.0
echo_cancel = true
echo_tail_ms = 128
noise_suppression = false
module_echo_cancel = true
side_tone = false
mic_gain = 3
speaker_volume = 3

[[modem]]
name = "m2"
port = "/dev/serial/by-id/usb-HUAWEI_Technology_HUAWEI_Mobile-if00-port0"
audio = "serial:/dev/serial/by-id/usb-HUAWEI_Technology_HUAWEI_Mobile-if01-port0"
roles = ["destination"]
profile = "auto"
""", keys=(
    Key("name", "str", REQUIRED, pattern=r"[a-z0-9_-]{1,32}", what="1 to 32 of a-z, 0-9, _ and -",
        missing="missing: every [[modem]] needs a name, like name = \"m1\"",
        help="unique among the modems."),
    Key("port", "str", REQUIRED,
        missing="missing: every [[modem]] needs the port of its AT commands, like port = "
                "\"/dev/serial/by-id/usb-...-if02-port0\"",
        help="absolute path of the AT command port. Use the stable /dev/serial/by-id/... "
             "name: /dev/ttyUSBn numbers change on replug."),
    Key("audio", "str", REQUIRED,
        missing="missing: every [[modem]] needs its voice audio, an ALSA PCM name like "
                "\"plughw:CARD=modem1\" or \"serial:/dev/...\"",
        help="the voice audio: an ALSA PCM name (\"hw:1,0\", \"plughw:CARD=modem1,DEV=0\", "
             "\"default\") for modems with USB audio (SIMCom, Quectel), or \"serial:/dev/...\" "
             "for modems that carry voice on a serial port (Huawei)."),
    Key("roles", "words", REQUIRED, choices=ROLES,
        missing="missing: give the modem's roles, like "
                "roles = [\"trigger\", \"callback\", \"destination\"]",
        help="one or more of \"trigger\" (receives the calls and SMS that ask for a "
             "callback), \"callback\" (calls the user back), \"destination\" (calls the "
             "number the user asked for)."),
    Key("sim_pin", "secret", _MODEM["sim_pin"],
        help="4 to 8 digits, quoted (\"0123\"); leave out if the SIM has no PIN."),
    Key("group", "str", _MODEM["group"], pattern=r"[A-Za-z0-9_.-]{1,32}",
        what="1 to 32 of letters, digits, _ . -",
        help="a label to pick modems of one operator or SIM batch ([callback] routes)."),
    Key("profile", "choice", _MODEM["profile"], choices=PROFILES,
        note="(chosen from the modem's answer to AT+CGMI/AT+CGMM)", help="the vendor profile."),
    Key("usb_power_cycle", "bool", _MODEM["usb_power_cycle"],
        help="when resets do not bring the modem back, switch its USB port off and on with "
             "[gateway] power_cycle_command (uhubctl) before giving up."),
    Key("usb_port", "str", _MODEM["usb_port"], pattern=r"\d+-\d+(\.\d+)*",
        what="a USB location like 1-1.3", note="(found from the port's device)",
        help="the modem's USB location for the power cycle (`uhubctl` lists them: hub 1-1, "
             "port 3 is 1-1.3); needed only when it cannot be found from the port."),
    Key("rx_gain_db", "float", _MODEM["rx_gain_db"], unit="dB", minval=-20, maxval=20,
        help="software gain of the voice the box hears from this modem (the caller, "
             "the destination); a loud peak is turned down, never clipped."),
    Key("tx_gain_db", "float", _MODEM["tx_gain_db"], unit="dB", minval=-20, maxval=20,
        help="software gain of what the box sends to this modem (prompts, the other "
             "side of a call)."),
    Key("echo_cancel", "bool", _MODEM["echo_cancel"],
        help="cancel the echo of what the box sends to this modem from what it hears "
             "(libspeexdsp): the person at the other end does not hear themselves."),
    Key("echo_tail_ms", "int", _MODEM["echo_tail_ms"], unit="ms", minval=32, maxval=512,
        help="longest echo delay the canceller follows (a phone's echo plus the "
             "network's round trip)."),
    Key("noise_suppression", "bool", _MODEM["noise_suppression"],
        help="reduce steady background noise in what the box hears from this modem."),
    Key("module_echo_cancel", "bool", _MODEM["module_echo_cancel"],
        help="the module's own echo canceller, set after each open: SIMCom AT+CECM, "
             "Quectel audio mode AT+QAUDMOD (0 with it, 3 without any processing); Huawei "
             "and generic modems have no such command. Not set: on where the module has "
             "it (`callbox probe` shows what the module reports)."),
    Key("side_tone", "bool", _MODEM["side_tone"],
        help="false switches the module's side tone off (SIMCom AT+SIDET=0, Quectel "
             "AT+QSIDET=0), so the caller's own voice is not fed back into the call; true "
             "leaves the module's own."),
    Key("mic_gain", "int", _MODEM["mic_gain"], minval=0, maxval=65535,
        help="the module's microphone (uplink) gain, in the module's own steps: SIMCom "
             "AT+CMICGAIN 0 to 8, Quectel AT+QMIC 0 to 65535; a value outside the range the "
             "module states is logged and not set. Not set: the module keeps its own."),
    Key("speaker_volume", "int", _MODEM["speaker_volume"], minval=0, maxval=100,
        help="the module's loudspeaker volume level (27.007 AT+CLVL; Quectel and SIMCom "
             "0 to 5), checked against the range the module states. Not set: the module "
             "keeps its own."),
))

SIM = Section("sim", many=True, help="""\
One [[sim]] table per SIM the box should look after, found by its ICCID
(printed by `callbox probe` and on the Modems page), so its limits and
credit follow the card into another modem. A SIM without a table has no
limits, no credit check and no keep-alive. Keys of a SIM:""", example="""\
[[sim]]
iccid = "89490200001234567890"
max_minutes_per_day = 120
max_calls_per_day = 60
balance_ussd = "*100#"
low_balance = 5.0
keepalive_days = 60
keepalive_to = "+4917012345678"

[[sim]]
iccid = "8944110068123456789"
max_minutes_per_month = 1000
max_sms_per_day = 100
""", keys=(
    Key("iccid", "str", REQUIRED, pattern=r"89[0-9]{16,18}", what="18 to 20 digits starting 89",
        missing="missing: every [[sim]] needs the ICCID of its card, like "
                "iccid = \"89490200001234567890\"",
        help="the SIM card's ICCID (ITU-T E.118), as `callbox probe` shows it."),
    Key("max_minutes_per_day", "int", 0, unit="minutes", minval=0, maxval=1440,
        note="(no limit)", help="call minutes a day on this SIM (placed calls, both legs); "
        "at the limit it is lent to no new call until the next reset_hour. 0: no limit."),
    Key("max_minutes_per_month", "int", 0, unit="minutes", minval=0, maxval=44640,
        note="(no limit)", help="call minutes a calendar month. 0: no limit."),
    Key("max_calls_per_day", "int", 0, unit="calls", minval=0, maxval=100000,
        note="(no limit)", help="calls placed a day. 0: no limit."),
    Key("max_sms_per_day", "int", 0, unit="messages", minval=0, maxval=100000,
        note="(no limit)", help="SMS sent a day. 0: no limit."),
    Key("reset_hour", "int", 0, unit="hour", minval=0, maxval=23,
        help="local hour at which the day's counts start again (the month's on the 1st)."),
    Key("balance_ussd", "str", "", pattern=r"[0-9*#]{2,32}", what="a USSD code like *100#",
        note="(no credit check)", help="USSD code that asks the operator for the credit."),
    Key("balance_regex", "str", r"(\d+[.,]\d{1,2})", what="a regular expression",
        help="finds the amount in the operator's answer: its first group (or the whole "
             "match) is the credit, a decimal number."),
    Key("balance_check_hours", "float", 24.0, unit="hours", minval=1, maxval=720,
        help="how often the credit is asked for (also on demand: callbox sim balance)."),
    Key("low_balance", "float", 0.0, unit="currency units", minval=0, maxval=1000000,
        note="(no alert)", help="alert the owner when the credit is below this."),
    Key("keepalive_days", "int", 0, unit="days", minval=0, maxval=3650,
        note="(no keep-alive)", help="when the SIM made no chargeable call or SMS for this "
        "long, the box sends one SMS (keepalive_text to keepalive_to) so that the operator "
        "does not retire the card."),
    Key("keepalive_to", "str", "", note="(required with keepalive_days)",
        help="number the keep-alive SMS goes to (an operator's short code: as written)."),
    Key("keepalive_text", "str", "keep-alive", help="text of the keep-alive SMS."),
))

WEBHOOK = Section("webhook", many=True, help="""\
One [[webhook]] table per receiver of the box's events (docs/webhooks.md):
each event is POSTed as JSON, signed with HMAC-SHA256 of the secret, and
retried from a queue kept in the database until the receiver answers 2xx.
A box without webhooks sends nothing. Keys of a webhook:""", example="""\
[[webhook]]
name = "crm"
url = "https://crm.example.com/hooks/callbox"
secret = "a long random string the receiver knows too"

[[webhook]]
name = "billing"
url = "http://10.0.0.5:9000/callbox"
events = ["call.ended", "session.ended"]
secret = "another long random string"
timeout = 10.0
""", keys=(
    Key("name", "str", REQUIRED, pattern=r"[a-z0-9_-]{1,32}", what="1 to 32 of a-z, 0-9, _ and -",
        missing="missing: every [[webhook]] needs a name for its delivery log, like "
                "name = \"crm\"",
        help="unique among the webhooks; the delivery log on the Webhooks page names it."),
    Key("url", "str", REQUIRED,
        missing="missing: every [[webhook]] needs the URL it POSTs to, like "
                "url = \"https://crm.example.com/hooks/callbox\"",
        help="where the events are POSTed: an http:// or https:// URL (https certificates "
             "are checked)."),
    Key("events", "words", WEBHOOK_EVENTS, choices=WEBHOOK_EVENTS, note="(all five)",
        help="the events it receives: any of \"sms.received\", \"call.ended\", "
             "\"session.ended\", \"modem.state\", \"alert\"."),
    Key("secret", "secret", REQUIRED,
        missing="missing: every [[webhook]] needs a secret (16 characters or more) to sign "
                "its deliveries, like secret = \"a long random string\"",
        help="the key of the HMAC-SHA256 signature in X-Callbox-Signature, 16 characters "
             "or more; the receiver checks each delivery with it. Never logged or shown."),
    Key("timeout", "float", 5.0, unit="seconds", minval=0.5, maxval=60,
        help="how long one delivery may take before it counts as failed and is retried."),
    Key("retry_backoff", "numbers", (10.0, 60.0, 300.0, 1800.0, 7200.0), unit="seconds",
        minval=0.1, maxval=86400, note="(6 tries)",
        help="waits before each new try of a delivery that failed; after the last one it is "
             "marked failed (Retry on the Webhooks page). A list of "
             f"{RETRY_WAITS[0]} to {RETRY_WAITS[1]} waits."),
))

ALERTS = Section("alerts", help="""\
Alerts to the owner: a modem down, a SIM low on credit or at a limit, the
database or the disk in trouble, a restart after a crash, PIN guessing.
Each alert says what happened, to what, and what to do; one alert per
cause until it recovers, then its recovery. Every alert is listed on the
Alerts page (and `callbox alerts list`); `callbox alerts test` sends a test
alert to every URL.""", keys=(
    Key("urls", "urls", (), shown="[]", note="(the log and the Alerts page only)",
        help="Where alerts go: apprise URLs (https://github.com/caronc/apprise/wiki), e.g. "
             "[\"mailto://user:password@smtp.example.com?to=owner@example.com\", "
             "\"tgram://BOT_TOKEN/CHAT_ID\", \"ntfy://ntfy.sh/my-box\", "
             "\"json://example.com/hook\"]. They hold passwords and tokens: keep the file "
             "readable by root and callbox only."),
    Key("modem_down_after", "float", 120.0, unit="seconds", minval=0.1, maxval=86400,
        help="A modem down this long (or not up this long after the start) is alerted; "
             "a shorter dip is only logged."),
    Key("database_down_after", "float", 60.0, unit="seconds", minval=0.1, maxval=86400,
        help="A database outage this long is alerted (delivered at once, written to the "
             "database when it returns)."),
    Key("disk_free_percent", "float", 10.0, unit="percent", minval=0, maxval=99,
        help="Alert when the disk of state_dir has less free space than this (0 = never)."),
    Key("disk_check_interval", "float", 300.0, unit="seconds", minval=0.05, maxval=86400,
        help="How often the free disk space is looked at."),
    Key("poll_interval", "float", 15.0, unit="seconds", minval=0.05, maxval=3600,
        help="How often the box looks for alerts raised elsewhere (SMS, SIM care) to "
             "deliver."),
    Key("retry_backoff", "numbers", (30.0, 120.0, 600.0, 1800.0, 3600.0), unit="seconds",
        minval=0.05, maxval=86400, note="(then every hour)",
        help="Waits before each new try of an alert that could not be delivered; after the "
             "last one it is tried again at that last wait, until it goes through. A list of "
             f"{RETRY_WAITS[0]} to {RETRY_WAITS[1]} waits."),
    Key("send_timeout", "float", 60.0, unit="seconds", minval=1, maxval=600,
        help="Longest time for one delivery to every URL; past it the delivery counts as "
             "failed and is tried again."),
))

METRICS = Section("metrics", help="""\
Prometheus metrics at /metrics (docs/metrics.md lists each one): modems,
calls, SMS, keys, audio, the database, alerts. Read at start (a reload
keeps the running settings).""", keys=(
    Key("enabled", "bool", False, help="Serve /metrics (false: /metrics answers 404)."),
    Key("listen", "str", "", note="(on the web interface)",
        help="\"\": /metrics is served by the web interface at its own address; "
             "\"host:port\": by a small server of its own there (plain HTTP), e.g. "
             "\"127.0.0.1:9464\", and the web interface has no /metrics."),
    Key("token", "secret", "", note="(no token)",
        help="A bearer token the scraper must send (Authorization: Bearer <token>; "
             "Prometheus: authorization.credentials); 16 to 256 letters, digits or "
             "-._~+/=. \"\": no token asked (keep /metrics to a trusted network)."),
))

# In the order of the documented file; the top-level ones are the file's sections.
SECTIONS = (GATEWAY, CALLBACK, LANGUAGES, WEB, SMS, SMS_ALIASES, SMS_REPLIES, SMS_TEXTS, SMS_WORDS,
            ALERTS, MODEM, SIM, WEBHOOK, METRICS)
