"""Where a modem sits on the USB tree, and switching its port off and on (uhubctl).

A USB serial port's sysfs device lies under its USB interface, named
`<bus>-<port>[.<port>...]:<config>.<interface>` (e.g. 1-1.3:1.2: bus 1, hub port 1,
its port 3). uhubctl names the hub by the part before the last port number
("1-1") and the port by that number ("3"); a device on a root hub port ("1-3")
is port 3 of hub "1".
"""
from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

_INTERFACE = re.compile(r"(\d+-\d+(?:\.\d+)*):\d+\.\d+")
_LOCATION = re.compile(r"\d+-\d+(?:\.\d+)*")
COMMAND_TIMEOUT = 60.0      # seconds a power-cycle command may take (uhubctl waits 2 s itself)


class PowerCycleError(Exception):
    """The power-cycle command could not be run, or said it failed."""


def usb_location(device: str, sysfs: str | os.PathLike = "/sys") -> str | None:
    """Gives the USB location ("1-1.3") of the serial port `device` (a /dev path or a
    /dev/serial/by-id symlink), read from `sysfs`; None when it is not a USB device."""
    name = os.path.basename(os.path.realpath(device))
    link = Path(sysfs) / "class" / "tty" / name / "device"
    try:
        resolved = os.path.realpath(link, strict=True)
    except OSError:
        return None
    for part in reversed(Path(resolved).parts):
        match = _INTERFACE.fullmatch(part)
        if match:
            return match[1]
    return None


def hub_and_port(location: str) -> tuple[str, str]:
    """Gives uhubctl's hub and port of a USB location: "1-1.3" -> ("1-1", "3"),
    "1-3" -> ("1", "3"); ValueError when it is not a location."""
    if not _LOCATION.fullmatch(location):
        raise ValueError(f"not a USB location like 1-1.3: {location!r}")
    if "." in location:
        hub, port = location.rsplit(".", 1)
    else:
        hub, port = location.split("-", 1)
    return hub, port


def is_location(text: str) -> bool:
    return bool(_LOCATION.fullmatch(text))


def power_cycle_argv(template: str, location: str, modem: str) -> list[str]:
    """Gives the command line of `template` ("uhubctl -l {hub} -p {port} -a cycle") for the
    modem at `location`; {hub}, {port}, {location} and {modem} are filled in per word."""
    hub, port = hub_and_port(location)
    values = {"hub": hub, "port": port, "location": location, "modem": modem}
    try:
        return [word.format(**values) for word in shlex.split(template)]
    except (KeyError, IndexError, ValueError) as error:
        raise PowerCycleError(f"power_cycle_command {template!r} is not usable: {error}") from None


def power_cycle(template: str, location: str, modem: str,
                timeout: float = COMMAND_TIMEOUT) -> str:
    """Runs the power-cycle command for the modem at `location`; gives what it printed
    (last line); raises PowerCycleError when it cannot run or exits non-zero."""
    argv = power_cycle_argv(template, location, modem)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        raise PowerCycleError(f"cannot run {argv[0]}: {error}") from None
    output = (done.stdout + done.stderr).strip().splitlines()
    last = output[-1] if output else ""
    if done.returncode != 0:
        raise PowerCycleError(f"{argv[0]} exited with {done.returncode}: {last or 'no output'}")
    return last
