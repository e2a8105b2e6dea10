"""modems/at_guard.py: a typed AT line split as V.250 splits it, and each command's effect."""
from __future__ import annotations

import pytest

from modems.at_guard import AtCommand, AtLineError, Effect, judge, prompting, split_line
from modems.profiles import PROFILES


@pytest.mark.parametrize("line, commands", [
    ("AT", []),
    ("at e1 z", [AtCommand("E", "action", "1"), AtCommand("Z", "action")]),
    ("ATZE0", [AtCommand("Z", "action"), AtCommand("E", "action", "0")]),
    ("AT+CSQ;+CMGF=1", [AtCommand("+CSQ", "action"), AtCommand("+CMGF", "set", "1")]),
    ("AT+CMGF?;+CNMI=?", [AtCommand("+CMGF", "read"), AtCommand("+CNMI", "test")]),
    ('AT+CPBF="a; b";Z', [AtCommand("+CPBF", "set", '"a; b"'), AtCommand("Z", "action")]),
    ("ATS0=2S7?", [AtCommand("S0", "set", "2"), AtCommand("S7", "read")]),
    ("ATD*100#;H", [AtCommand("D", "action", "*100#"), AtCommand("H", "action")]),
    ("AT&F&V1", [AtCommand("&F", "action"), AtCommand("&V", "action", "1")]),
    ("AT^CVOICE?;$QCPWRDN", [AtCommand("^CVOICE", "read"), AtCommand("$QCPWRDN", "action")]),
])
def test_a_line_is_split_as_the_modem_splits_it(line, commands):
    assert split_line(line) == commands


@pytest.mark.parametrize("line", ["ATX=1", 'AT+CPBF="open', "AT+CSQ?Z", "AT+", "AT&",
                                  "ATS", "AT?", "reboot", "AT 0", "ATE1?", "ATZ?"])
def test_a_line_that_cannot_be_split_is_an_error(line):
    with pytest.raises(AtLineError):
        split_line(line)


def test_every_profile_init_command_counts_as_undoing_the_set_up():
    for profile in PROFILES.values():
        for text in profile.init_commands:
            if text.endswith("?"):
                continue            # a read the driver makes, not a setting
            assert judge(text).effect == Effect.UNDOES_SETUP, (profile.name, text)


def test_the_line_takes_its_worst_effect():
    verdict = judge("ATI;+CSQ;H;+CNMI=0")
    assert verdict.effect == Effect.UNDOES_SETUP
    assert verdict.names(Effect.READ_ONLY) == ["I", "+CSQ"]
    assert verdict.names(Effect.CHANGES) == ["H"]
    assert verdict.names(Effect.UNDOES_SETUP) == ["+CNMI=0"]
    assert judge("AT+CLCC").effect == Effect.READ_ONLY         # lists calls
    assert judge("AT+CLCC=0").effect == Effect.UNDOES_SETUP    # SIMCom's call reports off


def test_commands_that_wait_for_a_prompt_are_found_anywhere_on_the_line():
    assert prompting("AT+CSQ;+CMGS=23") == ["+CMGS=23"]
    assert prompting("AT+CMGW") == ["+CMGW"]
    assert prompting("AT+CMGS=?;+CMGW?") == []
