"""The SMS receive path as the daemon runs it, in a process of its own, for the crash test.

    python tests/sms_crash_box.py DATABASE NAME=PORT [NAME=PORT ...]

Opens the database and a modem pool on the given (virtual) modem ports, runs
the real SmsService with tests.sms_rig.RecordingActions (which records each
action in the command's own transaction), and runs until it is killed.
"""
from __future__ import annotations

import logging
import pathlib
import sys
import threading

import serial

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from gateway.sms.service import SmsService
from modems.config import ModemConfig  # noqa: E402
from modems.pool import ModemPool  # noqa: E402

from tests.sms_rig import RecordingActions, make_config, open_test_database  # noqa: E402


def cancel_sms_prompt(port: str) -> None:
    """Sends ESC to a modem left waiting at the AT+CMGS `> ` prompt by a killed process.

    Until the driver does this at open, a box killed between AT+CMGS and its
    PDU finds the modem swallowing every command as PDU text."""
    with serial.Serial(port, 115200, timeout=0.2, exclusive=True) as link:
        link.write(b"\x1b\r")
        while link.read(256):      # the modem's answer (OK or ERROR), not for the driver
            pass


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s box %(threadName)s %(levelname)s %(message)s")
    database = pathlib.Path(argv[0])
    config = make_config(database.parent)
    open_test_database(database)
    modems = [ModemConfig(name=name, port=port, audio="null",
                          roles=frozenset({"trigger", "callback", "destination"}))
              for name, port in (item.split("=", 1) for item in argv[1:])]
    for modem in modems:
        cancel_sms_prompt(modem.port)
    service: list[SmsService] = []
    pool = ModemPool(modems, country="DE", on_event=lambda event: service[0].on_event(event),
                     health_interval=5, at_timeout=2)
    service.append(SmsService(config, pool, RecordingActions()))
    service[0].start()
    pool.start()
    print("started", flush=True)
    threading.Event().wait()     # until SIGKILL (or SIGTERM) ends the process


if __name__ == "__main__":
    main(sys.argv[1:])
