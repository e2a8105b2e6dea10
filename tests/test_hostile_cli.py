"""Hostile values in every argument of every `callbox` subcommand: a clear error, never a
traceback, nothing stored.

The subcommands come from the parser itself (callbox.cli.build_parser), so a
command added later is walked too. Each run puts the hostile value in one
argument (or on stdin where an argument says '-') and valid values in the
others, so the value reaches the command's own checks; it runs in this
process through `main(argv)`, as the console script does. The hostile
values are those of tests/hostile.py.
"""
from __future__ import annotations

import argparse
import io
from pathlib import Path
import sys

from hypothesis import Phase, example, given, settings, strategies as st

from callbox.cli import build_parser, main
from gateway.money import accounts
from gateway.store.db import close_database, db, open_database

from tests.hostile import DEEP, Hostile, hostile_values, of_json, of_text, unstorable

# Arguments whose hostile values are never acceptable: numbers, ids, amounts, PINs, choices.
# Others (names, texts, notes, passwords, phone numbers, file paths, filters) may take a
# value that merely looks odd ('²' is a fine file name or SMS text, '-730358640859' is read
# as a phone number with a dash); there a refusal is checked too, and whatever they do, no
# traceback shows and nothing unprintable is stored.
NUMERIC = {"id", "amount", "balance", "pin", "baud", "quiet", "timeout", "listen", "profile"}
# What a command may store by design when it accepts the value (a phone number as E.164).
MAY_STORE = {"name", "text", "note", "reason", "password", "number"}
STDIN_ARGUMENTS = {"pin", "password"}     # '-' reads the value from stdin


def leaves(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()):
    """Gives (words, parser) of every runnable subcommand, going into nested ones."""
    commands = [action for action in parser._actions
                if isinstance(action, argparse._SubParsersAction)]
    if not commands:
        yield words, parser
        return
    for name, sub in commands[0].choices.items():
        yield from leaves(sub, words + (name,))


def valued(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Gives the arguments of a subcommand that take a value."""
    return [action for action in parser._actions
            if action.nargs != 0 and not isinstance(action, (argparse._HelpAction,
                                                             argparse._VersionAction))]


def valid_values(tmp_path: Path, config: Path) -> dict[str, str]:
    return {"config": str(config), "name": "alice", "account": "alice",
            "number": "+4917012345678", "amount": "1", "balance": "1", "pin": "1234",
            "note": "a note", "text": "hello", "id": "1", "file": str(tmp_path / "none.csv"),
            "port": str(tmp_path / "no-such-port"), "prefix": "49",
            "source": str(tmp_path / "callbox.db"), "target": str(tmp_path / "copy.db"),
            "listen": "127.0.0.1:0", "profile": "auto", "timeout": "1", "baud": "115200",
            "quiet": "1", "password": "-"}


def argv_for(words, actions, hostile_action, value: str, valid: dict) -> list[str]:
    """Gives the command line: the hostile value in one argument, valid ones elsewhere."""
    argv = list(words)
    for action in actions:
        is_hostile = action is hostile_action
        if not action.option_strings:
            argv.append(value if is_hostile else valid.get(action.dest, "x"))
        elif is_hostile:
            argv.append(f"{action.option_strings[-1]}={value}")
        elif action.required or action.dest == "config":
            argv.append(f"{action.option_strings[-1]}={valid.get(action.dest, 'x')}")
    return argv


def stored(database: str) -> dict:
    """Gives the rows per table and each account's money."""
    open_database(database)
    try:
        counts = {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
                  for table in db.get_tables()}
        money = db.execute_sql("SELECT id, balance, reserved FROM account").fetchall()
        return {"rows": counts, "money": money}
    finally:
        close_database()


def run(argv: list[str], stdin: str, capsys, monkeypatch) -> tuple[int, str]:
    """Runs `callbox ARGV` in this process; gives (exit code, what it wrote on stderr)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as leaving:           # argparse refusing the command line
        code = leaving.code
    return code, capsys.readouterr().err


def test_every_subcommand_refuses_hostile_arguments(tmp_path, capsys, monkeypatch):
    database = str(tmp_path / "callbox.db")
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "{database}"\n'
                      'country = "DE"\ncurrency = "EUR"\n')
    open_database(database)
    accounts.create("alice", "1234", 1000, 0.0)
    close_database()
    pristine = Path(database).read_bytes()
    monkeypatch.chdir(tmp_path)                  # a file a command writes lands here
    monkeypatch.setenv("CALLBOX_CONFIG", str(tmp_path / "absent.toml"))
    valid = valid_values(tmp_path, config)
    commands = [(words, valued(parser)) for words, parser in leaves(build_parser())]
    assert {("account", "topup"), ("sms", "retry"), ("user", "add")} <= {
        words for words, _ in commands}

    def attempt(words, actions, action, argument: str, stdin: str, value: Hostile):
        before = stored(database)
        argv = argv_for(words, actions, action, argument, valid)
        code, err = run(argv, stdin, capsys, monkeypatch)
        where = f"callbox {' '.join(words)} {action.dest}={value!r}: exit {code}"
        assert code in (0, 1, 2), f"{where}\n{err[-2000:]}"
        assert "Traceback" not in err, f"{where}\n{err[-2000:]}"
        if action.dest in NUMERIC:
            assert code != 0, where
        if code != 0:
            assert err.strip(), f"{where}: no message"
            assert len(err) < 5000, f"{where}: the message repeats the value: {err[:300]}"
        after = stored(database)
        if code != 0 or action.dest not in MAY_STORE or unstorable(value.text):
            assert after == before, f"{where}: stored something"

    @settings(max_examples=8, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate])
    @given(value=hostile_values())
    @example(value=of_text("²"))
    @example(value=of_text("২௪"))                    # int() reads Bengali 2, Tamil 4 as 24
    @example(value=of_text("\udcff"))                 # a command-line byte that is not UTF-8
    @example(value=of_text("\x00"))
    @example(value=of_json(10 ** 23))
    @example(value=of_text("-1"))
    @example(value=DEEP)
    def walk(value: Hostile) -> None:
        Path(database).write_bytes(pristine)       # what one example stored, the next lacks
        # The runs that may store what they accept come last, so what they store (an
        # account named '100000000000000000000000') does not make later runs valid.
        runs = sorted(((words, actions, action) for words, actions in commands
                       for action in actions), key=lambda run: run[2].dest in MAY_STORE)
        for words, actions, action in runs:
            attempt(words, actions, action, value.text, "", value)
            if action.dest in STDIN_ARGUMENTS:
                attempt(words, actions, action, "-", value.text + "\n", value)

    walk()
