"""`callbox probe PORT`: what modem is on a port, its SIM, network and voice support."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys

from gsmmodem.exceptions import GsmModemException, TimeoutException
import serial

from callbox.cli import seconds_argument
from callbox.udev import NotUsb, UdevError, default_name, port_properties, rule_lines
from gateway.config import PROFILES
from modems.driver import ModemDriver, ModemError
from modems.profiles import VOICE_PATHS



def _pin(text: str) -> str:
    if not re.fullmatch(r"[0-9]{4,8}", text):
        raise argparse.ArgumentTypeError("a SIM PIN is 4 to 8 digits")
    return text


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "probe", help="identify the modem on a serial port",
        description="Open a modem the daemon does not run and show what it is: vendor, "
        "model, firmware, IMEI, SIM, operator, signal, registration, voice support and "
        "the module's own voice settings (echo canceller, side tone, gains).")
    parser.add_argument("port", metavar="PORT", help="serial device, e.g. /dev/ttyUSB2")
    parser.add_argument("--profile", choices=PROFILES, default="auto",
                        help="vendor profile (default: auto, from the modem's answers)")
    parser.add_argument("--pin", type=_pin, default=None, help="SIM PIN, if the SIM needs one")
    parser.add_argument("--timeout", type=seconds_argument("the timeout", 0.5, 60), default=5.0,
                        metavar="S",
                        help="seconds to wait for each AT answer (default: 5)")
    parser.add_argument("--udev", action="store_true",
                        help="print udev rule lines giving this port a stable name "
                        "/dev/callbox/NAME-at or -audio (the modem is not opened)")
    parser.add_argument("--name", type=_modem_name, default=None,
                        help="with --udev: the modem's name (default: vendor and serial)")
    parser.set_defaults(func=probe)


def _modem_name(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9_-]{1,32}", text):
        raise argparse.ArgumentTypeError("a modem name is 1 to 32 of a-z, 0-9, _ and -")
    return text


def probe_udev(args: argparse.Namespace) -> int:
    """Prints the udev rule lines for the port; 1 when it is not a USB device."""
    try:
        properties = port_properties(args.port)
        lines = rule_lines(properties, args.name or default_name(properties))
    except (NotUsb, UdevError, OSError, subprocess.SubprocessError) as error:
        print(f"probe --udev: {error}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def probe(args: argparse.Namespace) -> int:
    if args.udev:
        return probe_udev(args)
    driver = ModemDriver("probe", args.port, profile=args.profile, sim_pin=args.pin,
                         at_timeout=args.timeout)
    try:
        identity = driver.open()
        health = driver.health()
        module_voice = driver.module_voice_report()
    except (ModemError, GsmModemException, serial.SerialException, OSError) as error:
        print(f"probe {args.port}: {_reason(error, args.timeout)}", file=sys.stderr)
        return 1
    finally:
        driver.close()
    signal = (f"{health.dbm} dBm, {health.bars} of 5 bars" if health.dbm is not None
              else "no signal")
    lines = [
        ("port", args.port),
        ("modem", f"{identity.manufacturer} {identity.model}".strip() or "unknown"),
        ("firmware", identity.revision or "unknown"),
        ("IMEI", identity.imei or "unknown"),
        ("SIM", health.sim_state),
        ("ICCID", health.iccid or "unknown"),
        ("IMSI", health.imsi or "unknown"),
        ("operator", health.operator or "none"),
        ("signal", signal),
        ("registration", health.registration),
        ("profile", identity.profile),
        ("voice", VOICE_PATHS.get(identity.profile, "unknown")),
    ]
    # What the module says of its own voice settings (the profile's query forms, read
    # without changing anything): "not supported" where it answers ERROR.
    lines += module_voice
    width = max(len(label) for label, _ in lines) + 2
    for label, value in lines:
        print(f"{label + ':':<{width}}{value}")
    return 0


def _reason(error: Exception, timeout: float) -> str:
    """Gives the error's message without the 'probe: ' the driver puts before it."""
    if isinstance(error, TimeoutException):
        return f"the modem stopped answering (no answer within {timeout:g} s)"
    text = str(error) or type(error).__name__
    return text[len("probe: "):] if text.startswith("probe: ") else text
