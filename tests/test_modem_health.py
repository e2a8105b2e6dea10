"""A health check's four reads go to the modem as one command line (V.250 5.2.1.1), and one
at a time to a modem that refuses such lines or when one of them fails; over real PTYs."""
from __future__ import annotations

import pytest

from modems.driver_health import HEALTH_COMMANDS, HEALTH_LINE

from tests.conftest import PROFILES

BOX = "+4915110000001"


def asked(modem, since: int) -> list[str]:
    """The health commands among what the modem received since `since`, in order."""
    return [line for line in modem.commands[since:] if line in (HEALTH_LINE, *HEALTH_COMMANDS)]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_health_check_is_one_command_line(network, open_driver, profile):
    modem = network.add_modem(name="m1", number=BOX, profile=profile)
    driver, _ = open_driver(modem)
    since = len(modem.commands)
    health = driver.health()
    assert asked(modem, since) == [HEALTH_LINE]
    # each answer found among the lines of one reply
    assert (health.sim_state, health.registration, health.operator) == (
        "ready", "home", "Virtual GSM")
    assert health.dbm == -113 + 2 * modem.rssi


def test_a_modem_that_takes_one_command_per_line_is_asked_one_at_a_time(network, open_driver):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    modem.one_command_per_line = True
    driver, _ = open_driver(modem)
    since = len(modem.commands)
    first = driver.health()
    assert asked(modem, since) == [HEALTH_LINE, *HEALTH_COMMANDS]
    assert (first.sim_state, first.registration, first.operator) == ("ready", "home",
                                                                     "Virtual GSM")
    since = len(modem.commands)
    again = driver.health()
    assert asked(modem, since) == list(HEALTH_COMMANDS)      # the line is not tried again
    assert again == first
    driver.close()
    modem.one_command_per_line = False      # another firmware behind the port: asked anew
    driver.open()
    since = len(modem.commands)
    driver.health()
    assert asked(modem, since) == [HEALTH_LINE]


def test_a_refused_read_in_the_line_leaves_the_others_read_and_the_line_in_use(
        network, open_driver):
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    driver, _ = open_driver(modem)
    modem.refused_commands.add("+COPS")     # ends the line with ERROR, as a card taken out
    for _ in range(2):                      # (+CPIN? then gives +CME ERROR: 10) would
        since = len(modem.commands)
        health = driver.health()
        # asked in one line, then one at a time; the next check tries the line again
        assert asked(modem, since) == [HEALTH_LINE, *HEALTH_COMMANDS]
        assert (health.sim_state, health.registration, health.operator) == ("ready", "home",
                                                                            None)
        assert health.dbm == -113 + 2 * modem.rssi
