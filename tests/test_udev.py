"""`callbox probe --udev`: rule lines from udev properties; a pty is refused clearly."""
from __future__ import annotations

import os
from pathlib import Path
import re
import subprocess
import sys

from callbox.udev import default_name, rule_lines

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "config" / "99-callbox.rules"

# As `udevadm info --query=property --name /dev/ttyUSB2` prints them for an E1550.
E1550_AT = dict(line.split("=", 1) for line in """\
DEVNAME=/dev/ttyUSB2
SUBSYSTEM=tty
ID_BUS=usb
ID_VENDOR=HUAWEI_Technology
ID_VENDOR_ID=12d1
ID_MODEL=HUAWEI_Mobile
ID_MODEL_ID=1001
ID_SERIAL_SHORT=
ID_USB_INTERFACE_NUM=02
ID_PATH=platform-3f980000.usb-usb-0:1.3:1.2
ID_PATH_TAG=platform-3f980000_usb-usb-0_1_3_1_2""".splitlines())

EC25_VOICE = {"ID_BUS": "usb", "ID_VENDOR": "Quectel", "ID_VENDOR_ID": "2c7c",
              "ID_MODEL_ID": "0125", "ID_SERIAL_SHORT": "a1b2c3d4", "ID_USB_INTERFACE_NUM": "01"}


def test_a_pty_is_not_a_usb_device():
    controller, terminal = os.openpty()
    try:
        result = subprocess.run([sys.executable, "-m", "callbox", "probe", "--udev",
                                 os.ttyname(terminal)], capture_output=True, text=True,
                                timeout=30, cwd=ROOT)
    finally:
        os.close(controller)
        os.close(terminal)
    assert result.returncode == 1
    assert "is not a USB device" in result.stderr
    assert result.stdout == ""


def test_huawei_at_port_without_serial_is_named_by_usb_socket():
    lines = rule_lines(E1550_AT, "m1")
    rule = lines[-1]
    assert rule.startswith('SUBSYSTEM=="tty", ENV{ID_VENDOR_ID}=="12d1", ENV{ID_MODEL_ID}=="1001"')
    assert 'ENV{ID_PATH}=="platform-3f980000.usb-usb-0:1.3:1.2"' in rule
    assert 'ENV{ID_USB_INTERFACE_NUM}=="02"' in rule
    assert rule.endswith('ENV{ID_MM_DEVICE_IGNORE}="1", SYMLINK+="callbox/m1-at"')
    assert all(line.startswith("#") for line in lines[:-1])
    assert "Huawei E1550" in lines[0]


def test_quectel_voice_port_and_sound_card_by_serial():
    lines = rule_lines(EC25_VOICE, "gsm-2")
    rules = [line for line in lines if not line.startswith("#")]
    assert 'ENV{ID_SERIAL_SHORT}=="a1b2c3d4"' in rules[0]
    assert rules[0].endswith('SYMLINK+="callbox/gsm-2-audio"')
    assert rules[1].startswith('SUBSYSTEM=="sound", KERNEL=="card*", ATTRS{idVendor}=="2c7c"')
    assert rules[1].endswith('ATTR{id}="gsm2"')
    assert default_name(EC25_VOICE) == "quectel-a1b2c3d4"


def test_an_unknown_interface_is_flagged():
    lines = rule_lines(dict(EC25_VOICE, ID_USB_INTERFACE_NUM="05"), "m3")
    assert any("does not know" in line for line in lines)


def test_the_shipped_rules_cover_each_model_and_ignore_modemmanager():
    text = RULES.read_text()
    for vendor, product in (("12d1", "1001"), ("1e0e", "9001"), ("2c7c", "0125")):
        assert re.search(rf'ENV{{ID_VENDOR_ID}}=="{vendor}", ENV{{ID_MODEL_ID}}=="[^"]*{product}',
                         text), (vendor, product)
    assert 'ENV{ID_MM_DEVICE_IGNORE}="1"' in text
    for line in text.splitlines():
        # Every rule line matches on something: an assignment alone would apply to all devices.
        assert (not line.strip() or line.startswith(("#", "LABEL=")) or "==" in line
                or "!=" in line), line
