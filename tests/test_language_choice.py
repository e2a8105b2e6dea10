"""Which language a caller hears (gateway/money/languages.py), on SQLite and PostgreSQL;
the [languages] section and [callback] language_menu."""
from __future__ import annotations

import json
from pathlib import Path
import re
import subprocess
import sys

import pytest

from gateway.actions import accounts as account_actions
from gateway.actions.audit import ActionError, Actor, AuditRecord

from gateway.config import ConfigError, parse
from gateway.money import accounts
from gateway.money.languages import (LanguageError, CallerLanguage, checked, decide,
                                     language_for, menu_languages, save_choice)
from gateway.money.ledger import Account
from gateway.store.db import close_database, open_database

from tests.webclient import Client

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("root", "cli")
NOW = 1_800_000_000.0
TURKISH = "+905321234567"
BERLIN = "+493012345678"
MUNICH = "+498912345678"
LONDON = "+447700900123"


def box_config(**callback):
    return parse({"callback": {"language": "en", **callback},
                  "languages": {"+90": "tr", "+49": "fr", "+4930": "de", "+48": "pl"}})


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield
    close_database()


def test_the_account_then_the_choice_then_the_longest_prefix_then_the_default(database):
    config = box_config()
    alice = accounts.create("alice", "1234", 100, NOW)
    # nothing known of the caller: the number's country code, the longest prefix winning
    assert decide(BERLIN, None, config) == ("de", "[languages] +4930")
    assert decide(MUNICH, None, config) == ("fr", "[languages] +49")
    assert decide(LONDON, None, config) == ("en", "default")
    assert decide(None, None, config) == ("en", "default")       # a withheld number
    # an account without a language of its own changes nothing
    assert language_for(TURKISH, alice, config) == "tr"
    # a choice in the menu beats the prefix, and a new choice replaces it
    save_choice(TURKISH, "ru", NOW)
    assert decide(TURKISH, alice, config) == ("ru", "chosen")
    save_choice(TURKISH, "ar", NOW + 1)
    assert language_for(TURKISH, None, config) == "ar"
    assert CallerLanguage.select().where(CallerLanguage.number == TURKISH).count() == 1
    # the account's language beats them all, read back from the database
    Account.update(language="it").where(Account.id == alice.id).execute()
    assert decide(TURKISH, Account.get_by_id(alice.id), config) == ("it", "account")
    assert language_for(LONDON, Account.get_by_id(alice.id), config) == "it"


def test_language_codes_are_checked_and_cleared():
    assert checked("DE") == "de" and checked(" tr ") == "tr"
    assert checked("-") is None and checked("default") is None and checked("") is None
    with pytest.raises(LanguageError, match="'xx'.*en, de, fr, es, it, pl, tr, ru, ar"):
        checked("xx")


def test_the_menu_offers_the_box_language_first_then_the_table_in_a_stable_order():
    assert menu_languages(box_config()) == ("en", "de", "fr", "pl", "tr")
    assert menu_languages(box_config(language="tr")) == ("tr", "de", "fr", "pl")
    assert box_config().callback.language_menu is False
    assert box_config(language_menu=True).callback.language_menu is True


def test_the_languages_section_is_read_longest_prefix_first():
    config = box_config()
    assert config.languages == (("+4930", "de"), ("+90", "tr"), ("+49", "fr"), ("+48", "pl"))
    assert parse({}).languages == ()
    again = parse(__import__("tomllib").loads(config.effective_toml()))
    assert again.languages == config.languages


@pytest.mark.parametrize("languages, reason", [
    ({"+90": "xx"}, "languages.+90: no voice prompts in the language 'xx': the languages are "
                    "en, de, fr, es, it, pl, tr, ru, ar"),
    ({"90": "tr"}, "languages.90: is not a country calling code or number prefix like \"+90\""),
    ({"+90": 1}, "languages.+90: must be a language code like \"tr\", got the number 1"),
])
def test_a_wrong_language_or_prefix_is_a_clear_error(languages, reason):
    with pytest.raises(ConfigError) as error:
        parse({"languages": languages}, "box.toml")
    assert reason in str(error.value)
    assert str(error.value).startswith("box.toml: ")


def audited() -> list[tuple[str, str]]:
    return [(row.via, row.detail) for row in AuditRecord.select().where(
        AuditRecord.action == "set_language").order_by(AuditRecord.id)]


def test_the_action_sets_and_clears_it_with_one_record_each(database):
    alice = account_actions.create_account(ADMIN, "alice", "1234", 100, NOW)
    with pytest.raises(ActionError) as refused:
        account_actions.set_language(ADMIN, alice.id, "klingon", NOW)
    assert refused.value.field == "language" and "no voice prompts" in str(refused.value)
    assert account_actions.set_language(ADMIN, alice.id, "PL", NOW) == "pl"
    assert account_actions.set_language(Actor("+48601234567", "sms"), alice.id, "pl",
                                        NOW) == "pl"                  # no change: no record
    assert language_for(LONDON, Account.get_by_id(alice.id), box_config()) == "pl"
    assert account_actions.set_language(ADMIN, alice.id, "default", NOW) is None
    assert Account.get_by_id(alice.id).language is None
    assert audited() == [("cli", "language changed from the default to pl"),
                         ("cli", "language changed from pl to the default")]


def callbox(config: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "callbox", *args, "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result


def test_the_cli_sets_clears_and_refuses_a_language(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n'
                      f'database = "{tmp_path / "callbox.db"}"\n[callback]\nlanguage = "de"\n')
    callbox(config, "account", "add", "bob", "--pin", "1234", "--balance", "5")
    assert callbox(config, "account", "language", "bob", "TR").stdout == \
        "account bob: language tr\n"
    refused = callbox(config, "account", "language", "bob", "xx", expect=1)
    assert "no voice prompts in the language 'xx'" in refused.stderr
    assert "no account" in callbox(config, "account", "language", "nobody", "de",
                                   expect=1).stderr
    cleared = callbox(config, "account", "language", "bob", "-").stdout
    assert cleared == "account bob: no language of its own (the caller's number decides, " \
                      "else de)\n"
    open_database(str(tmp_path / "callbox.db"))
    try:
        assert Account.get(Account.name == "bob").language is None
        assert [via for via, _ in audited()] == ["cli", "cli"]
    finally:
        close_database()


def test_the_admin_page_and_api_set_it(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    path = f"/admin/accounts/{app.alice.id}"
    page = admin.get(path).text
    assert '<option value="-" selected>' in page and '<option value="de">Deutsch (de)' in page
    assert '<option value="ar">العربية (ar)</option>' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert admin.post(f"{path}/language", {"csrf_token": csrf, "language": "\x00"}).status == 400
    for wrong in ("xx", "english", "de<script>"):
        reply = admin.post(f"{path}/language", {"csrf_token": csrf, "language": wrong})
        assert reply.status == 400 and 'id="language-error">no voice prompts' in reply.text
        assert "<script>" not in reply.text.split('id="language-error"')[1][:200]
    reply = admin.post(f"{path}/language", {"csrf_token": csrf, "language": "ru"})
    assert reply.status == 200 and "its callers hear Русский (ru) from the next call on" \
        in reply.text
    assert '<option value="ru" selected>' in reply.text
    assert Account.get_by_id(app.alice.id).language == "ru"

    api = Client(app)
    headers = {"X-CSRF-Token": api.login("root", "admin-secret")}
    route = f"/api/admin/accounts/{app.alice.id}/language"
    for wrong in ({"language": 7}, {"language": "zz"}):
        reply = api.request("POST", route, json_body=wrong, headers=headers)
        assert reply.status == 400 and "language" in json.loads(reply.text)["fields"]
    reply = api.request("POST", route, json_body={"language": "TR"}, headers=headers)
    assert reply.status == 200 and json.loads(reply.text)["language"] == "tr"
    reply = api.request("POST", route, json_body={"language": None}, headers=headers)
    assert reply.status == 200 and json.loads(reply.text)["language"] is None
    listed = json.loads(api.request("GET", "/api/admin/accounts").text)["accounts"]
    assert [account["language"] for account in listed if account["id"] == app.alice.id] == [None]
    assert [via for via, _ in audited()] == ["web", "api", "api"]
