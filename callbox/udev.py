"""udev rule lines that give one modem port a stable name, for `callbox probe --udev`.

The port's USB identity is read from udev (`udevadm info --query=property`):
vendor, product, serial number and interface number. A port with no USB
parent in sysfs (a pseudo-terminal, an on-board UART) cannot be matched that
way, and `NotUsb` says so. Keep the layouts below in step with
config/99-callbox.rules.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

# (vendor id, product id) -> model, and what each USB interface number carries.
PORT_LAYOUTS = {
    # Huawei E1550 / E169 / E1750, voice firmware: 01 voice PCM, 02 "PC UI" AT port.
    ("12d1", "1001"): ("Huawei E1550", {"02": "at", "01": "audio"}),
    # Huawei E173 / E1552: same layout as the E1550.
    ("12d1", "140c"): ("Huawei E173", {"02": "at", "01": "audio"}),
    # SIMCom SIM7600: 02 AT, 04 voice PCM after AT+CPCMREG=1.
    ("1e0e", "9001"): ("SIMCom SIM7600", {"02": "at", "04": "audio"}),
    # Quectel EC25: 02 AT, 01 voice PCM after AT+QPCMV=1,0 (or a UAC sound card).
    ("2c7c", "0125"): ("Quectel EC25", {"02": "at", "01": "audio"}),
}
# Vendors whose modems may show a USB sound card (UAC) for voice.
SOUND_CARD_VENDORS = ("1e0e", "2c7c")
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.:+-]+")


class NotUsb(Exception):
    """The port is not a USB device, so no USB-based rule can name it."""


class UdevError(Exception):
    """udev could not be asked about the port."""


def port_properties(port: str) -> dict[str, str]:
    """Gives udev's properties of a serial port; raises NotUsb or UdevError."""
    device = os.path.realpath(port)
    if not os.path.exists(device):
        raise UdevError(f"{port}: no such device")
    sysfs = f"/sys/class/tty/{os.path.basename(device)}/device"
    if not os.path.exists(sysfs) or "/usb" not in os.path.realpath(sysfs):
        raise NotUsb(f"{port} is not a USB device (it has no USB parent in sysfs), so "
                     "udev cannot name it by USB vendor, product and interface; "
                     "use its path in callbox.toml as it is")
    if shutil.which("udevadm") is None:
        raise UdevError("udevadm is not installed (Debian package udev)")
    result = subprocess.run(["udevadm", "info", "--query=property", "--name", device],
                            capture_output=True, text=True, timeout=10)
    if result.returncode != 0:
        raise UdevError(f"udevadm info {device}: {result.stderr.strip() or result.returncode}")
    properties = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    if properties.get("ID_BUS") != "usb" or "ID_VENDOR_ID" not in properties:
        raise NotUsb(f"{port} is not a USB device (udev reports bus "
                     f"{properties.get('ID_BUS', 'none')!r})")
    return properties


def default_name(properties: dict[str, str]) -> str:
    """Gives a modem name from the vendor and serial number, like huawei-35812..."""
    vendor = re.sub(r"[^a-z0-9]", "", properties.get("ID_VENDOR", "modem").lower())[:12]
    unique = properties.get("ID_SERIAL_SHORT") or properties.get("ID_PATH_TAG", "")
    return re.sub(r"[^a-z0-9_-]", "", f"{vendor or 'modem'}-{unique.lower()}")[:32]


def rule_lines(properties: dict[str, str], name: str) -> list[str]:
    """Gives the udev rule lines naming this port /dev/callbox/<name>-at or -audio."""
    vendor, product = properties["ID_VENDOR_ID"], properties.get("ID_MODEL_ID", "")
    interface = properties.get("ID_USB_INTERFACE_NUM", "")
    model, layout = PORT_LAYOUTS.get((vendor, product), (None, {}))
    role = layout.get(interface, "at")
    serial = properties.get("ID_SERIAL_SHORT", "")
    about = model or f"{properties.get('ID_VENDOR', 'unknown')} {properties.get('ID_MODEL', '')}"
    lines = [f"# {about.strip()} ({vendor}:{product}), interface {interface or '?'}: "
             f"the {'AT' if role == 'at' else 'voice'} port of modem {name}"]
    if interface and interface not in layout:
        lines.append("# (an interface callbox does not know for this model: checked as AT "
                     "with `callbox probe`? rename -at to -audio if it carries voice)")
    match = [_match("SUBSYSTEM", "tty"), _match("ENV{ID_VENDOR_ID}", vendor),
             _match("ENV{ID_MODEL_ID}", product)]
    if serial:
        match.append(_match("ENV{ID_SERIAL_SHORT}", serial))
    else:
        lines.append("# this modem has no USB serial number: the rule names the USB socket, "
                     "keep the modem in it")
        match.append(_match("ENV{ID_PATH}", properties.get("ID_PATH", "")))
    if interface:
        match.append(_match("ENV{ID_USB_INTERFACE_NUM}", interface))
    lines.append(", ".join(match + ['ENV{ID_MM_DEVICE_IGNORE}="1"',
                                    f'SYMLINK+="callbox/{name}-{role}"']))
    if vendor in SOUND_CARD_VENDORS and serial:
        card = re.sub(r"[^A-Za-z0-9]", "", name)[:15] or "modem"
        lines += [f"# its USB sound card, if voice goes over UAC: audio = \"plughw:CARD={card},DEV=0\"",
                  ", ".join([_match("SUBSYSTEM", "sound"), _match("KERNEL", "card*"),
                             _match("ATTRS{idVendor}", vendor), _match("ATTRS{idProduct}", product),
                             _match("ATTRS{serial}", serial), f'ATTR{{id}}="{card}"'])]
    return lines


def _match(key: str, value: str) -> str:
    if not _SAFE_VALUE.fullmatch(value.replace("*", "")):
        raise UdevError(f"udev reports an unusable {key} {value!r}")
    return f'{key}=="{value}"'
