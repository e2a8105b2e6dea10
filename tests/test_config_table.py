"""The table of configuration keys: today's defaults and ranges frozen, and the
documented default file written from the table.

Config keys are a stable interface: DEFAULTS and RANGES were taken from the
reader before its keys moved into one table, so a default or a range that
changes by accident fails here, not on a box in the field.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gateway.config import ConfigError, parse

ROOT = Path(__file__).resolve().parent.parent
MODEM = {"name": "m1", "port": "/dev/ttyUSB2", "audio": "hw:1,0", "roles": ["trigger"]}

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
    'callback.blocked_prefixes': "('+49900', '+49137', '+49180', '+49118', '+449', '+3389', '+1900', '+1976', '+870', '+881', '+882')",
    'callback.allowed_prefixes': '()',
    'callback.routes': '()',
    'web.listen': "'0.0.0.0:8080'",
    'web.tls_cert': "''",
    'web.tls_key': "''",
    'web.redirect_listen': "''",
    'web.workers': '16',
    'web.request_timeout': '10.0',
    'web.max_streams': '32',
    'web.streams_per_login': '4',
    'sms.empty_sms_is_callback': 'True',
    'sms.help_interval': '3600.0',
    'sms.incomplete_after': '600.0',
    'sms.retry_backoff': '(10.0, 60.0, 300.0, 1800.0)',
    'sms.send_from': '()',
    'sms.drain_interval': '300.0',
    'sms.aliases': "{'cb': ('CB', 'CALLBACK'), 'connect': ('CONNECT', 'CONF'), 'reg': ('REG', 'REGISTER'), 'unreg': ('UNREG', 'UNREGISTER'), 'bal': ('BAL', 'BALANCE'), 'help': ('HELP', '?')}",
    'sms.replies': "{'callback': 'Calling you back now.', 'callback_to': 'Calling you back now, then {destination}.', 'connect': 'Connecting {a} and {b}. A summary follows by SMS when the call ends.', 'refused': 'Sorry, not now: {reason}', 'register_first': 'Register first: {reg} <account> <pin>', 'registered': 'This phone ({number}) is now registered for account {account}.', 'wrong_pin': 'Wrong account or PIN.', 'pin_locked': 'Too many wrong PINs: PIN entry is locked, try again later.', 'unregistered': 'This phone ({number}) is no longer registered.', 'not_registered': 'This phone is not registered.', 'balance': 'Your balance is {amount} ({words}).', 'invalid_number': '{number} is not a number the box can call.', 'usage_connect': 'Write {connect} <number> <number>.', 'usage_reg': 'Write {reg} <account> <pin>.', 'help': 'Commands: {cb} = call me back. {cb} <number> = call me, then that number. {connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register this phone. {unreg} = unregister it. {bal} = balance. {help} = this list.'}",
    'modem.sim_pin': 'None',
    'modem.group': 'None',
    'modem.profile': "'auto'",
}

# The reason for a value far below and far above each number's range.
RANGES = {
    'gateway.health_interval = -1000000': 'must be between 1 and 3600 seconds, got -1e+06',
    'gateway.health_interval = 1000000': 'must be between 1 and 3600 seconds, got 1e+06',
    'gateway.at_timeout = -1000000': 'must be between 0.5 and 60 seconds, got -1e+06',
    'gateway.at_timeout = 1000000': 'must be between 0.5 and 60 seconds, got 1e+06',
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
    'web.workers = -1000000': 'must be between 2 and 256 threads, got -1e+06',
    'web.workers = 1000000': 'must be between 2 and 256 threads, got 1e+06',
    'web.request_timeout = -1000000': 'must be between 1 and 300 seconds, got -1e+06',
    'web.request_timeout = 1000000': 'must be between 1 and 300 seconds, got 1e+06',
    'web.max_streams = -1000000': 'must be between 0 and 1000 streams, got -1e+06',
    'web.max_streams = 1000000': 'must be between 0 and 1000 streams, got 1e+06',
    'web.streams_per_login = -1000000': 'must be between 1 and 100 streams, got -1e+06',
    'web.streams_per_login = 1000000': 'must be between 1 and 100 streams, got 1e+06',
    'sms.help_interval = -1000000': 'must be between 0 and 604800 seconds, got -1e+06',
    'sms.help_interval = 1000000': 'must be between 0 and 604800 seconds, got 1e+06',
    'sms.incomplete_after = -1000000': 'must be between 10 and 86400 seconds, got -1e+06',
    'sms.incomplete_after = 1000000': 'must be between 10 and 86400 seconds, got 1e+06',
    'sms.drain_interval = -1000000': 'must be between 5 and 86400 seconds, got -1e+06',
    'sms.drain_interval = 1000000': 'must be between 5 and 86400 seconds, got 1e+06',
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
blocked_prefixes = ["+49900", "+49137", "+49180", "+49118", "+449", "+3389", "+1900", "+1976", "+870", "+881", "+882"]
allowed_prefixes = []
routes = {}

[web]
listen = "0.0.0.0:8080"
tls_cert = ""
tls_key = ""
redirect_listen = ""
workers = 16
request_timeout = 10.0
max_streams = 32
streams_per_login = 4

[sms]
empty_sms_is_callback = true
help_interval = 3600.0
incomplete_after = 600.0
retry_backoff = [10.0, 60.0, 300.0, 1800.0]
send_from = []
drain_interval = 300.0

[sms.aliases]
cb = ["CB", "CALLBACK"]
connect = ["CONNECT", "CONF"]
reg = ["REG", "REGISTER"]
unreg = ["UNREG", "UNREGISTER"]
bal = ["BAL", "BALANCE"]
help = ["HELP", "?"]

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
usage_connect = "Write {connect} <number> <number>."
usage_reg = "Write {reg} <account> <pin>."
help = "Commands: {cb} = call me back. {cb} <number> = call me, then that number. {connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register this phone. {unreg} = unregister it. {bal} = balance. {help} = this list."

[[modem]]
name = "m1"
port = "/dev/ttyUSB2"
audio = "hw:1,0"
roles = ["trigger"]
# sim_pin is not set
# group is not set
profile = "auto"
"""


def effective_values(config) -> dict[str, str]:
    """Gives repr() of every effective value by section.key; of a modem its optional keys."""
    values = {}
    for section in ("gateway", "callback", "web", "sms"):
        part = getattr(config, section)
        for item in dataclasses.fields(part):
            values[f"{section}.{item.name}"] = repr(getattr(part, item.name))
    for item in dataclasses.fields(config.modems[0]):
        if item.name not in MODEM:
            values[f"modem.{item.name}"] = repr(getattr(config.modems[0], item.name))
    return values


def test_an_empty_file_gives_todays_defaults():
    config = parse({"modem": [MODEM]}, "/etc/callbox/callbox.toml")
    assert effective_values(config) == DEFAULTS
    assert config.effective_toml() == EFFECTIVE


@pytest.mark.parametrize("setting", list(RANGES))
def test_todays_ranges_and_units(setting):
    key, value = setting.split(" = ")
    section, name = key.split(".")
    with pytest.raises(ConfigError) as caught:
        parse({section: {name: int(value)}}, "x")
    assert (caught.value.key, caught.value.reason) == (key, RANGES[setting])
