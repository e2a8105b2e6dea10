"""The table of configuration keys: today's defaults and ranges frozen, and the
documented default file written from the table.

Config keys are a stable interface: DEFAULTS and RANGES were taken from the
reader before its keys moved into one table, so a default or a range that
changes by accident fails here, not on a box in the field.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
import re
import subprocess
import sys
import tomllib

import pytest

from gateway.config import (CallbackConfig, ConfigError, GatewayConfig, SimConfig, SmsConfig,
                            WebhookConfig, parse)
from gateway.config import sms_texts
from gateway.config.document import render
from gateway.config.reader import REQUIRED
from gateway.config.table import GATEWAY, MODEM, SECTIONS, SIM, WEBHOOK
from gateway.config.web import WebConfig
from modems.config import ModemConfig

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "config" / "callbox.toml"
REGENERATE = ".venv/bin/python -m gateway.config.document > config/callbox.toml"
MODEM_DATA = {"name": "m1", "port": "/dev/ttyUSB2", "audio": "hw:1,0", "roles": ["trigger"]}

# repr() of each effective value of an empty file (a modem: only its required keys);
# repr keeps the type: 10.0 is not 10, a tuple is not a list.
DEFAULTS = {
    'gateway.database': "'/var/lib/callbox/callbox.db'",
    'gateway.box': "'box'",
    'gateway.country': "'DE'",
    'gateway.currency': "'EUR'",
    'gateway.log_level': "'info'",
    'gateway.state_dir': "'/var/lib/callbox'",
    'gateway.health_interval': '10.0',
    'gateway.at_timeout': '5.0',
    'gateway.registration_grace': '120.0',
    'gateway.recovery_tries': '3',
    'gateway.recovery_wait': '30.0',
    'gateway.power_cycle_command': "'uhubctl -l {hub} -p {port} -a cycle'",
    'gateway.retention_days': '730',
    'gateway.archive_dir': "'/var/lib/callbox/archive'",
    'callback.ring_before_reject': '2',
    'callback.callback_delay': '2.0',
    'callback.callback_unknown_callers': 'True',
    'callback.unknown_callbacks_per_hour': '3',
    'callback.save_caller_id_after_pin': 'True',
    'callback.pin_tries': '3',
    'callback.destination_tries': '3',
    'callback.interdigit_timeout': '5.0',
    'callback.answer_timeout': '40.0',
    'callback.min_call_seconds': '10',
    'callback.warning_before_end': '60',
    'callback.language': "'en'",
    'callback.language_menu': 'False',
    'callback.blocked_prefixes': "('+49900', '+49137', '+49180', '+49118', '+449', '+3389', '+1900', '+1976', '+870', '+881', '+882')",
    'callback.allowed_prefixes': '()',
    'callback.routes': '()',
    'callback.max_concurrent_sessions': '1',
    'web.listen': "'0.0.0.0:8080'",
    'web.tls_cert': "''",
    'web.tls_key': "''",
    'web.redirect_listen': "''",
    'web.workers': '16',
    'web.request_timeout': '10.0',
    'web.max_streams': '32',
    'web.streams_per_login': '4',
    'web.dashboard_refresh': '15.0',
    'sms.empty_sms_is_callback': 'True',
    'sms.help_interval': '3600.0',
    'sms.incomplete_after': '600.0',
    'sms.retry_backoff': '(10.0, 60.0, 300.0, 1800.0)',
    'sms.send_from': '()',
    'sms.drain_interval': '300.0',
    'sms.sms_max_age': '600.0',
    'sms.aliases': "{'cb': ('CB', 'CALLBACK'), 'connect': ('CONNECT', 'CONF'), 'reg': ('REG', 'REGISTER'), 'unreg': ('UNREG', 'UNREGISTER'), 'bal': ('BAL', 'BALANCE'), 'help': ('HELP', '?'), 'lang': ('LANG', 'LANGUAGE')}",
    'sms.replies': "{'callback': 'Calling you back now.', 'callback_to': 'Calling you back now, then {destination}.', 'connect': 'Connecting {a} and {b}. A summary follows by SMS when the call ends.', 'refused': 'Sorry, not now: {reason}', 'register_first': 'Register first: {reg} <account> <pin>', 'registered': 'This phone ({number}) is now registered for account {account}.', 'wrong_pin': 'Wrong account or PIN.', 'pin_locked': 'Too many wrong PINs: PIN entry is locked, try again later.', 'unregistered': 'This phone ({number}) is no longer registered.', 'not_registered': 'This phone is not registered.', 'balance': 'Your balance is {amount} ({words}).', 'invalid_number': '{number} is not a number the box can call.', 'emergency_number': '{number} is an emergency number: the box does not call it. Call {number} from your own phone.', 'usage_connect': 'Write {connect} <number> <number>.', 'usage_reg': 'Write {reg} <account> <pin>.', 'help': 'Commands: {cb} = call me back. {cb} <number> = call me, then that number. {connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register this phone. {unreg} = unregister it. {bal} = balance. {lang} <code> = language. {help} = this list.', 'too_late': 'Your message came too late ({age} old) and was not carried out. Please send it again.', 'language_set': 'Your language is now {language}.', 'usage_lang': 'Write {lang} <code>, one of: {codes}.', 'connect_summary': '{a}: {a_state}. {b}: {b_state}. Talk time {talk_time}, cost {cost}.', 'not_connected': 'Not connected: {reason}.', 'language_unknown': '{code} is not a language here. Write {lang} <code>, one of: {codes}.'}",
    'sms.texts': repr({lang: dict(texts) for lang, texts in sms_texts.TEXTS.items()}),
    'sms.words': repr({lang: dict(words) for lang, words in sms_texts.WORDS.items()}),
    'modem.sim_pin': 'None',
    'modem.group': 'None',
    'modem.profile': "'auto'",
    'modem.usb_power_cycle': 'False',
    'modem.usb_port': 'None',
    'modem.rx_gain_db': '0.0',
    'modem.tx_gain_db': '0.0',
    'modem.echo_cancel': 'True',
    'modem.echo_tail_ms': '128',
    'modem.noise_suppression': 'False',
    'modem.module_echo_cancel': 'None',
    'modem.side_tone': 'False',
    'modem.mic_gain': 'None',
    'modem.speaker_volume': 'None',
}

# The reason for a value far below and far above each number's range.
RANGES = {
    'gateway.health_interval = -1000000': 'must be between 1 and 3600 seconds, got -1e+06',
    'gateway.health_interval = 1000000': 'must be between 1 and 3600 seconds, got 1e+06',
    'gateway.at_timeout = -1000000': 'must be between 0.5 and 60 seconds, got -1e+06',
    'gateway.at_timeout = 1000000': 'must be between 0.5 and 60 seconds, got 1e+06',
    'gateway.registration_grace = -1000000': 'must be between 0.1 and 86400 seconds, got -1e+06',
    'gateway.registration_grace = 1000000': 'must be between 0.1 and 86400 seconds, got 1e+06',
    'gateway.recovery_tries = -1000000': 'must be between 0 and 10 resets, got -1e+06',
    'gateway.recovery_tries = 1000000': 'must be between 0 and 10 resets, got 1e+06',
    'gateway.recovery_wait = -1000000': 'must be between 0.1 and 600 seconds, got -1e+06',
    'gateway.recovery_wait = 1000000': 'must be between 0.1 and 600 seconds, got 1e+06',
    'gateway.retention_days = -1000000': 'must be between 1 and 36500 days, got -1e+06',
    'gateway.retention_days = 1000000': 'must be between 1 and 36500 days, got 1e+06',
    'callback.ring_before_reject = -1000000': 'must be between 1 and 10 rings, got -1e+06',
    'callback.ring_before_reject = 1000000': 'must be between 1 and 10 rings, got 1e+06',
    'callback.callback_delay = -1000000': 'must be between 0 and 60 seconds, got -1e+06',
    'callback.callback_delay = 1000000': 'must be between 0 and 60 seconds, got 1e+06',
    'callback.unknown_callbacks_per_hour = -1000000': 'must be between 0 and 100 callbacks, got -1e+06',
    'callback.unknown_callbacks_per_hour = 1000000': 'must be between 0 and 100 callbacks, got 1e+06',
    'callback.pin_tries = -1000000': 'must be between 1 and 10 tries, got -1e+06',
    'callback.pin_tries = 1000000': 'must be between 1 and 10 tries, got 1e+06',
    'callback.destination_tries = -1000000': 'must be between 1 and 10 tries, got -1e+06',
    'callback.destination_tries = 1000000': 'must be between 1 and 10 tries, got 1e+06',
    'callback.interdigit_timeout = -1000000': 'must be between 1 and 30 seconds, got -1e+06',
    'callback.interdigit_timeout = 1000000': 'must be between 1 and 30 seconds, got 1e+06',
    'callback.answer_timeout = -1000000': 'must be between 5 and 180 seconds, got -1e+06',
    'callback.answer_timeout = 1000000': 'must be between 5 and 180 seconds, got 1e+06',
    'callback.min_call_seconds = -1000000': 'must be between 1 and 600 seconds, got -1e+06',
    'callback.min_call_seconds = 1000000': 'must be between 1 and 600 seconds, got 1e+06',
    'callback.warning_before_end = -1000000': 'must be between 0 and 600 seconds, got -1e+06',
    'callback.warning_before_end = 1000000': 'must be between 0 and 600 seconds, got 1e+06',
    'callback.max_concurrent_sessions = -1000000': 'must be between 1 and 100 calls, got -1e+06',
    'callback.max_concurrent_sessions = 1000000': 'must be between 1 and 100 calls, got 1e+06',
    'web.workers = -1000000': 'must be between 2 and 256 threads, got -1e+06',
    'web.workers = 1000000': 'must be between 2 and 256 threads, got 1e+06',
    'web.request_timeout = -1000000': 'must be between 1 and 300 seconds, got -1e+06',
    'web.request_timeout = 1000000': 'must be between 1 and 300 seconds, got 1e+06',
    'web.max_streams = -1000000': 'must be between 0 and 1000 streams, got -1e+06',
    'web.max_streams = 1000000': 'must be between 0 and 1000 streams, got 1e+06',
    'web.streams_per_login = -1000000': 'must be between 1 and 100 streams, got -1e+06',
    'web.streams_per_login = 1000000': 'must be between 1 and 100 streams, got 1e+06',
    'web.dashboard_refresh = 0': 'must be between 1 and 3600 seconds, got 0',
    'sms.help_interval = -1000000': 'must be between 0 and 604800 seconds, got -1e+06',
    'sms.help_interval = 1000000': 'must be between 0 and 604800 seconds, got 1e+06',
    'sms.incomplete_after = -1000000': 'must be between 10 and 86400 seconds, got -1e+06',
    'sms.incomplete_after = 1000000': 'must be between 10 and 86400 seconds, got 1e+06',
    'sms.drain_interval = -1000000': 'must be between 5 and 86400 seconds, got -1e+06',
    'sms.drain_interval = 1000000': 'must be between 5 and 86400 seconds, got 1e+06',
    'sms.sms_max_age = -1000000': 'must be between 0 and 604800 seconds, got -1e+06',
    'sms.sms_max_age = 1000000': 'must be between 0 and 604800 seconds, got 1e+06',
    'sms.sms_max_age = 30': 'must be 0 (never too old) or at least 60 seconds, got 30: the '
                            'network alone may take that long',
}

EFFECTIVE = """\
# effective configuration read from /etc/callbox/callbox.toml

[gateway]
database = "/var/lib/callbox/callbox.db"
box = "box"
country = "DE"
currency = "EUR"
log_level = "info"
state_dir = "/var/lib/callbox"
health_interval = 10.0
at_timeout = 5.0
registration_grace = 120.0
recovery_tries = 3
recovery_wait = 30.0
power_cycle_command = "uhubctl -l {hub} -p {port} -a cycle"
retention_days = 730
archive_dir = "/var/lib/callbox/archive"

[callback]
ring_before_reject = 2
callback_delay = 2.0
callback_unknown_callers = true
unknown_callbacks_per_hour = 3
save_caller_id_after_pin = true
pin_tries = 3
destination_tries = 3
interdigit_timeout = 5.0
answer_timeout = 40.0
min_call_seconds = 10
warning_before_end = 60
language = "en"
language_menu = false
blocked_prefixes = ["+49900", "+49137", "+49180", "+49118", "+449", "+3389", "+1900", "+1976", "+870", "+881", "+882"]
allowed_prefixes = []
routes = {}
max_concurrent_sessions = 1

[web]
listen = "0.0.0.0:8080"
tls_cert = ""
tls_key = ""
redirect_listen = ""
workers = 16
request_timeout = 10.0
max_streams = 32
streams_per_login = 4
dashboard_refresh = 15.0

[languages]

[sms]
empty_sms_is_callback = true
help_interval = 3600.0
incomplete_after = 600.0
retry_backoff = [10.0, 60.0, 300.0, 1800.0]
send_from = []
drain_interval = 300.0
sms_max_age = 600.0

[sms.aliases]
cb = ["CB", "CALLBACK"]
connect = ["CONNECT", "CONF"]
reg = ["REG", "REGISTER"]
unreg = ["UNREG", "UNREGISTER"]
bal = ["BAL", "BALANCE"]
help = ["HELP", "?"]
lang = ["LANG", "LANGUAGE"]

[sms.replies]
callback = "Calling you back now."
callback_to = "Calling you back now, then {destination}."
connect = "Connecting {a} and {b}. A summary follows by SMS when the call ends."
refused = "Sorry, not now: {reason}"
register_first = "Register first: {reg} <account> <pin>"
registered = "This phone ({number}) is now registered for account {account}."
wrong_pin = "Wrong account or PIN."
pin_locked = "Too many wrong PINs: PIN entry is locked, try again later."
unregistered = "This phone ({number}) is no longer registered."
not_registered = "This phone is not registered."
balance = "Your balance is {amount} ({words})."
invalid_number = "{number} is not a number the box can call."
emergency_number = "{number} is an emergency number: the box does not call it. Call {number} from your own phone."
usage_connect = "Write {connect} <number> <number>."
usage_reg = "Write {reg} <account> <pin>."
help = "Commands: {cb} = call me back. {cb} <number> = call me, then that number. {connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register this phone. {unreg} = unregister it. {bal} = balance. {lang} <code> = language. {help} = this list."
too_late = "Your message came too late ({age} old) and was not carried out. Please send it again."
language_set = "Your language is now {language}."
usage_lang = "Write {lang} <code>, one of: {codes}."
connect_summary = "{a}: {a_state}. {b}: {b_state}. Talk time {talk_time}, cost {cost}."
not_connected = "Not connected: {reason}."
language_unknown = "{code} is not a language here. Write {lang} <code>, one of: {codes}."

# [sms.texts] and [sms.words] of ar de es fr it pl ru tr: built in (gateway/config/sms_texts/), but for these

[[modem]]
name = "m1"
port = "/dev/ttyUSB2"
audio = "hw:1,0"
roles = ["trigger"]
# sim_pin is not set
# group is not set
profile = "auto"
usb_power_cycle = false
# usb_port is not set
rx_gain_db = 0.0
tx_gain_db = 0.0
echo_cancel = true
echo_tail_ms = 128
noise_suppression = false
# module_echo_cancel is not set
side_tone = false
# mic_gain is not set
# speaker_volume is not set

[metrics]
enabled = false
listen = ""
token = ""
"""


def effective_values(config) -> dict[str, str]:
    """Gives repr() of every effective value by section.key; of a modem its optional keys."""
    values = {}
    for section in ("gateway", "callback", "web", "sms"):
        part = getattr(config, section)
        for item in dataclasses.fields(part):
            values[f"{section}.{item.name}"] = repr(getattr(part, item.name))
    for item in dataclasses.fields(config.modems[0]):
        if item.name not in MODEM_DATA:
            values[f"modem.{item.name}"] = repr(getattr(config.modems[0], item.name))
    return values


def test_an_empty_file_gives_todays_defaults():
    config = parse({"modem": [MODEM_DATA]}, "/etc/callbox/callbox.toml")
    assert effective_values(config) == DEFAULTS
    assert config.effective_toml() == EFFECTIVE


@pytest.mark.parametrize("setting", list(RANGES))
def test_todays_ranges_and_units(setting):
    key, value = setting.split(" = ")
    section, name = key.split(".")
    with pytest.raises(ConfigError) as caught:
        parse({section: {name: int(value)}}, "x")
    assert (caught.value.key, caught.value.reason) == (key, RANGES[setting])


def test_the_documented_file_is_written_from_the_table():
    # One source: the file's help, ranges and defaults come from gateway/config/table.py.
    assert DEFAULT_FILE.read_text() == render(), (
        f"config/callbox.toml is not what the table of keys gives; run: {REGENERATE}")
    command = subprocess.run([sys.executable, "-m", "gateway.config.document"], cwd=ROOT,
                             capture_output=True, text=True, timeout=60)
    assert command.returncode == 0 and command.stdout == render(), command.stderr


def test_the_file_sets_every_key_of_the_table_and_no_other():
    data = tomllib.loads(DEFAULT_FILE.read_text())
    for section in SECTIONS:
        if section.many:
            continue
        table = data
        for part in section.name.split("."):
            table = table[part]
        inner = {s.name.rpartition(".")[2] for s in SECTIONS if s.name.startswith(section.name + ".")}
        written = [key for key in table if key not in inner]
        assert written == list(section.names()), section.name
    assert sorted(data) == sorted(name for name in (s.name for s in SECTIONS)
                                  if "." not in name and name not in ("modem", "sim", "webhook"))
    # The [[modem]], [[sim]] and [[webhook]] keys are listed in a comment, and set in the
    # examples.
    text = DEFAULT_FILE.read_text()
    listed = re.findall(r"^#   ([a-z_]+) +(?:required|optional);", text, re.M)
    assert listed == list(MODEM.names()) + list(SIM.names()) + list(WEBHOOK.names())
    examples = tomllib.loads(re.sub(r"^#(?=[\[a-z])", "", text, flags=re.M))
    assert list(examples["modem"][0]) == list(MODEM.names())
    assert set(examples["sim"][0]) <= set(SIM.names())
    assert set(examples["webhook"][1]) <= set(WEBHOOK.names())
    assert parse({"webhook": examples["webhook"]}).webhooks[1].events == (
        "call.ended", "session.ended")


def test_the_files_values_are_the_defaults():
    config = parse(tomllib.loads(DEFAULT_FILE.read_text()), DEFAULT_FILE)
    assert config == parse({}, DEFAULT_FILE)


def test_each_default_in_the_table_is_what_an_absent_key_means():
    config = parse({"modem": [MODEM_DATA], "sim": [{"iccid": "89490200001234567890"}],
                    "webhook": [{"name": "crm", "url": "https://crm.example.com/hook",
                                 "secret": "a long random string"}]})
    state_dir = GATEWAY["state_dir"].default
    for section in SECTIONS:
        if not section.keys:              # [languages]: prefixes of the owner's choosing
            continue
        if section.name == "webhook":
            values = vars(config.webhooks[0])
        elif section.name == "sim":       # low_balance is kept in minor units (cents)
            values = dict(vars(config.sims[0]))
            values["low_balance"] = values.pop("low_balance_minor") / 100
        elif section.many:
            values = vars(config.modems[0])
        else:
            owner, _, sub = section.name.partition(".")
            values = getattr(getattr(config, owner), sub) if sub else vars(getattr(config, owner))
        for key in section.keys:
            if key.default is REQUIRED:
                continue
            expected = key.default
            if key.name in ("database", "archive_dir") and section is GATEWAY:
                expected = os.path.join(state_dir, key.default)    # relative: in state_dir
            assert repr(values[key.name]) == repr(expected), f"{section.name}.{key.name}"


@pytest.mark.parametrize("kind, section", [
    (GatewayConfig, "gateway"), (CallbackConfig, "callback"), (WebConfig, "web"),
    (SmsConfig, "sms"), (ModemConfig, "modem"), (SimConfig, "sim"),
    (WebhookConfig, "webhook")])
def test_each_config_class_has_the_sections_keys_in_order(kind, section):
    table = next(s for s in SECTIONS if s.name == section)
    names = [item.name.replace("low_balance_minor", "low_balance")
             for item in dataclasses.fields(kind)]
    if section == "sms":
        assert names[-4:] == ["aliases", "replies", "texts", "words"]
        names = names[:-4]
    assert names == list(table.names())


def test_sms_config_built_without_a_file_has_the_tables_defaults():
    assert SmsConfig() == parse({}).sms
    assert repr(SmsConfig()) == repr(parse({}).sms)
