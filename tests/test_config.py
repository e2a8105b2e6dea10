"""The configuration file: the documented default loads, every mistake names file, key, reason."""
from __future__ import annotations

import dataclasses
from pathlib import Path
import re
import subprocess
import sys
import tomllib

import pytest

from gateway.config import ConfigError, load, parse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "config" / "callbox.toml"

MODEM = """
[[modem]]
name = "m1"
port = "/dev/ttyUSB2"
audio = "hw:1,0"
roles = ["trigger", "callback"]
"""


def write(tmp_path: Path, text: str, name: str = "callbox.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: "), caught.value
    return caught.value


def test_default_file_loads_with_the_defaults():
    config = load(DEFAULT_FILE)
    assert config.modems == ()
    assert config.gateway.database == "/var/lib/callbox/callbox.db"
    assert config.gateway.country == "DE" and config.gateway.currency == "EUR"
    assert config.gateway.health_interval == 10 and config.gateway.at_timeout == 5
    assert config.callback.ring_before_reject == 2 and config.callback.callback_delay == 2.0
    assert config.callback.callback_unknown_callers is True
    assert config.callback.unknown_callbacks_per_hour == 3
    assert (config.web.host, config.web.port) == ("0.0.0.0", 8080)
    # The file's values are the defaults: an empty file means the same.
    empty = parse({}, DEFAULT_FILE)
    assert (empty.gateway, empty.callback, empty.web) == (config.gateway, config.callback,
                                                          config.web)


def test_default_file_documents_every_key():
    text = DEFAULT_FILE.read_text()
    effective = tomllib.loads(parse({"modem": [tomllib.loads(MODEM)["modem"][0]
                                               | {"sim_pin": "1234", "group": "g"}]},
                                    "x").effective_toml())
    keys = [key for section in ("gateway", "callback", "web") for key in effective[section]]
    keys += list(effective["modem"][0])
    for key in keys:
        assert re.search(rf"^#?\s*{key}\b", text, re.M), f"{key} is not in {DEFAULT_FILE}"


def test_default_file_examples_load_when_uncommented(tmp_path):
    text = re.sub(r"^#(?=[\[a-z])", "", DEFAULT_FILE.read_text(), flags=re.M)
    config = load(write(tmp_path, text))
    assert [modem.name for modem in config.modems] == ["m1", "m2"]
    assert config.modems[0].roles == frozenset({"trigger", "callback"})
    assert config.modems[1].audio.startswith("serial:/dev/")


def test_modem_table_is_read():
    config = parse(tomllib.loads(MODEM + 'sim_pin = "0123"\ngroup = "o2"\nprofile = "simcom"\n'))
    modem = config.modem("m1")
    assert modem.port == "/dev/ttyUSB2" and modem.audio == "hw:1,0"
    assert modem.sim_pin == "0123" and modem.group == "o2" and modem.profile == "simcom"
    assert "0123" not in repr(modem)


@pytest.mark.parametrize("text, key, reason", [
    ("[callback]\nring_before_rejekt = 2\n", "callback.ring_before_rejekt",
     "unknown key (did you mean ring_before_reject?)"),
    ("[gatway]\nbox = 'x'\n", "gatway", "unknown section (did you mean gateway?)"),
    ("[callback]\nring_before_reject = 'two'\n", "callback.ring_before_reject",
     "must be an integer (rings), got the string 'two'"),
    ("[callback]\nring_before_reject = 12\n", "callback.ring_before_reject",
     "must be between 1 and 10 rings, got 12"),
    ("[callback]\ncallback_unknown_callers = 1\n", "callback.callback_unknown_callers",
     "must be a boolean"),
    ("[callback]\ncallback_delay = 61\n", "callback.callback_delay",
     "must be between 0 and 60 seconds, got 61"),
    ("[gateway]\nat_timeout = 0.1\n", "gateway.at_timeout", "between 0.5 and 60 seconds"),
    ("[gateway]\nhealth_interval = true\n", "gateway.health_interval",
     "must be a number (seconds), got the boolean true"),
    ("[gateway]\ncountry = 'XX'\n", "gateway.country", "ISO 3166"),
    ("[gateway]\ncurrency = 'EURO'\n", "gateway.currency", "ISO 4217"),
    ("[gateway]\nlog_level = 'verbose'\n", "gateway.log_level",
     "must be one of debug | info | warning | error"),
    ("[gateway]\nstate_dir = 'var/lib'\n", "gateway.state_dir", "absolute path"),
    ("[gateway]\ndatabase = 'mysql://x/y'\n", "gateway.database", "postgresql:// URL"),
    ("[gateway]\ndatabase = 'postgresql://u:secret@host/'\n", "gateway.database",
     "must name the database"),
    ("[gateway]\ndatabase = 'postgresql://u:secret@host:99999/cb'\n", "gateway.database",
     "invalid port"),
    ("[web]\nlisten = '8080'\n", "web.listen", "host:port"),
    ("[web]\nlisten = '0.0.0.0:70000'\n", "web.listen", "host:port"),
    ("[web]\nlisten = '300.1.1.1:80'\n", "web.listen", "invalid host"),
    ("gateway = 3\n", "gateway", "must be a table [gateway]"),
    ("[modem]\nname = 'm1'\n", "modem", "[[modem]] table (double brackets)"),
    (MODEM.replace('port = "/dev/ttyUSB2"\n', ""), "modem[1].port", "missing"),
    (MODEM.replace('port = "/dev/ttyUSB2"', 'port = "ttyUSB2"'), "modem[1].port",
     "absolute device path"),
    (MODEM.replace('name = "m1"', 'name = "Modem 1"'), "modem[1].name", "a-z, 0-9"),
    (MODEM.replace('audio = "hw:1,0"', 'audio = "hw 1"'), "modem[1].audio", "ALSA PCM name"),
    (MODEM.replace('audio = "hw:1,0"', 'audio = "serial:ttyUSB1"'), "modem[1].audio",
     "absolute path"),
    (MODEM.replace('"trigger", "callback"', '"trigger", "caller"'), "modem[1].roles",
     "the string 'caller' is not one of trigger, callback, destination"),
    (MODEM.replace('"trigger", "callback"', ''), "modem[1].roles", "must not be empty"),
    (MODEM.replace('"trigger", "callback"', '"trigger", "trigger"'), "modem[1].roles",
     "'trigger' is listed twice"),
    (MODEM.replace('["trigger", "callback"]', '"trigger"'), "modem[1].roles", "must be a list"),
    (MODEM + MODEM.replace("ttyUSB2", "ttyUSB5"), "modem[2].name",
     "'m1' is already the name of modem[1]"),
    (MODEM + MODEM.replace('"m1"', '"m2"'), "modem[2].port", "already the port of modem[1]"),
    (MODEM + "sim_pin = 1234\n", "modem[1].sim_pin", 'must be a quoted string like sim_pin = "0123"'),
    (MODEM + "sim_pin = '12a4'\n", "modem[1].sim_pin", "must be 4 to 8 digits"),
    (MODEM + "profile = 'nokia'\n", "modem[1].profile", "must be one of auto | generic"),
    (MODEM + "pin = '1234'\n", "modem[1].pin", "unknown key"),
])
def test_each_mistake_names_key_and_reason(tmp_path, text, key, reason):
    error = error_of(tmp_path, text)
    assert error.key == key
    assert reason in error.reason, error.reason
    assert str(error) == f"{tmp_path / 'callbox.toml'}: {key}: {error.reason}"


def test_a_mistyped_pin_is_not_repeated_in_the_message(tmp_path):
    error = error_of(tmp_path, MODEM + "sim_pin = '98x76'\n")
    assert "98x76" not in str(error)


def test_toml_syntax_error_names_the_line(tmp_path):
    error = error_of(tmp_path, "[gateway]\nbox = 'a'\ncountry = \n")
    assert error.key is None
    assert "not valid TOML" in str(error) and "line 3" in str(error)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read: No such file"):
        load(tmp_path / "absent.toml")


def test_relative_database_is_in_state_dir_and_postgres_url_is_kept():
    config = parse({"gateway": {"state_dir": "/srv/cb", "database": "box.db"}})
    assert config.gateway.database == "/srv/cb/box.db"
    url = "postgresql://callbox:secret@db.local:5432/callbox"
    assert parse({"gateway": {"database": url}}).gateway.database == url


def test_effective_toml_fills_defaults_masks_secrets_and_reads_back():
    data = tomllib.loads(MODEM + 'sim_pin = "4321"\n')
    data["gateway"] = {"database": "postgresql://cb:secret@h/cb", "country": "at"}
    config = parse(data, "x.toml")
    text = config.effective_toml()
    assert "4321" not in text and "secret" not in text
    assert 'sim_pin = "****"' in text and 'country = "AT"' in text
    again = tomllib.loads(text)
    assert again["callback"]["ring_before_reject"] == 2
    assert again["modem"][0]["roles"] == ["trigger", "callback"]
    del again["modem"][0]["sim_pin"]
    again["gateway"]["database"] = "postgresql://cb:secret@h/cb"
    without_pin = dataclasses.replace(config.modems[0], sim_pin=None)
    assert parse(again, "x.toml") == dataclasses.replace(config, modems=(without_pin,))


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)


def test_config_check_and_run_exit_2_on_a_bad_file(tmp_path):
    bad = write(tmp_path, "[callback]\nring_before_reject = 0\n", "bad.toml")
    expected = f"{bad}: callback.ring_before_reject: must be between 1 and 10 rings, got 0"
    for args in (("config", "check", str(bad)), ("run", "--config", str(bad))):
        result = run_cli(*args)
        assert result.returncode == 2, result
        assert result.stderr.strip() == expected
        assert result.stdout == ""


def test_sms_section_defaults_and_documented_keys():
    config = load(DEFAULT_FILE)
    sms = config.sms
    assert sms == parse({}, DEFAULT_FILE).sms
    assert sms.empty_sms_is_callback is True and sms.help_interval == 3600
    assert sms.incomplete_after == 600 and sms.retry_backoff == (10, 60, 300, 1800)
    assert sms.send_from == () and sms.command_of("callback") == "cb"
    assert sms.command_of("conf") == "connect" and sms.command_of("nonsense") is None
    text = DEFAULT_FILE.read_text()
    effective = tomllib.loads(config.effective_toml())["sms"]
    for key in [k for k in effective if k not in ("aliases", "replies")]:
        assert re.search(rf"^{key} = ", text, re.M), f"sms.{key} is not in {DEFAULT_FILE}"
    for table in ("aliases", "replies"):
        for key in effective[table]:
            assert re.search(rf"^{key} = ", text, re.M), f"sms.{table}.{key} undocumented"


def test_sms_aliases_and_replies_are_read():
    config = parse({"sms": {"empty_sms_is_callback": False, "help_interval": 60,
                            "aliases": {"cb": ["rr", "Rückruf"]},
                            "replies": {"balance": "Guthaben {amount} ({words}) {{ok}}"}}})
    assert config.sms.command_of("RÜCKRUF") == "cb" and config.sms.command_of("CB") is None
    assert config.sms.reply("balance", amount="1.00 EUR", words="one euro") == (
        "Guthaben 1.00 EUR (one euro) {ok}")
    assert config.sms.reply("register_first") == "Register first: REG <account> <pin>"
    assert config.sms.aliases["bal"] == ("BAL", "BALANCE")


@pytest.mark.parametrize("text, key, reason", [
    ("[sms]\nhelp_intervall = 5\n", "sms.help_intervall", "unknown key (did you mean help_interval?)"),
    ("[sms]\nincomplete_after = 1\n", "sms.incomplete_after", "between 10 and 86400 seconds"),
    ("[sms]\nretry_backoff = []\n", "sms.retry_backoff", "a list of 1 to 10 waits"),
    ("[sms]\nretry_backoff = [10, true]\n", "sms.retry_backoff", "the boolean true is not a wait"),
    ("[sms]\nsend_from = [\"m9\"]\n", "sms.send_from", "'m9' is not the name of a [[modem]]"),
    ("[sms.aliases]\ncb = [\"CB\", \"BAL\"]\n", "sms.aliases.bal", "'BAL' is already a word of 'cb'"),
    ("[sms.aliases]\ncb = [\"call back\"]\n", "sms.aliases.cb", "is not one word"),
    ("[sms.aliases]\ncb = []\n", "sms.aliases.cb", "must be a non-empty list"),
    ("[sms.aliases]\ncallback = [\"X\"]\n", "sms.aliases.callback", "unknown key"),
    ("[sms.replies]\nbalance = \"{amount.real}\"\n", "sms.replies.balance",
     "unknown placeholder {amount.real}"),
    ("[sms.replies]\nhelp = \"{destination}\"\n", "sms.replies.help", "unknown placeholder"),
    ("[sms.replies]\nhelp = \"{\"\n", "sms.replies.help", "broken placeholder"),
    ("[sms.replies]\nhelp = \"\"\n", "sms.replies.help", "must not be empty"),
    ("[sms.replies]\nhelo = \"x\"\n", "sms.replies.helo", "unknown key (did you mean help?)"),
    ("[sms]\naliases = 3\n", "sms.aliases", "must be a table [sms.aliases]"),
])
def test_sms_mistakes_name_the_key(tmp_path, text, key, reason):
    error = error_of(tmp_path, text)
    assert error.key == key and reason in error.reason, error
