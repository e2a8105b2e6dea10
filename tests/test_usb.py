"""Finding a modem's USB hub and port from its device path, on a sysfs tree made in a folder."""
from __future__ import annotations

import os

import pytest

from modems.usb import PowerCycleError, hub_and_port, power_cycle, power_cycle_argv, usb_location


def fake_sysfs(root, tty: str, device_dir: str):
    """Makes root/sys/class/tty/<tty>/device point into root/sys/devices/<device_dir>, and
    root/dev/<tty> with a by-id symlink to it, as udev does; gives the by-id path."""
    device = root / "sys" / "devices" / device_dir
    device.mkdir(parents=True)
    entry = root / "sys" / "class" / "tty" / tty
    entry.mkdir(parents=True)
    os.symlink(os.path.relpath(device, entry), entry / "device")
    (root / "dev").mkdir(exist_ok=True)
    (root / "dev" / tty).touch()
    by_id = root / "dev" / "serial" / "by-id"
    by_id.mkdir(parents=True, exist_ok=True)
    link = by_id / f"usb-HUAWEI_Mobile-{tty}"
    os.symlink(f"../../{tty}", link)
    return str(link)


def test_a_usb_serial_port_behind_a_hub(tmp_path):
    port = fake_sysfs(tmp_path, "ttyUSB2", "platform/soc/3f980000.usb/usb1/1-1/1-1.3/"
                      "1-1.3:1.2/ttyUSB2")
    location = usb_location(port, tmp_path / "sys")
    assert location == "1-1.3"
    assert hub_and_port(location) == ("1-1", "3")


def test_an_acm_port_two_hubs_deep(tmp_path):
    port = fake_sysfs(tmp_path, "ttyACM0", "pci0000:00/0000:00:14.0/usb3/3-2/3-2.4/3-2.4.1/"
                      "3-2.4.1:1.0")
    assert usb_location(port, tmp_path / "sys") == "3-2.4.1"
    assert hub_and_port("3-2.4.1") == ("3-2.4", "1")


def test_a_port_on_the_root_hub(tmp_path):
    port = fake_sysfs(tmp_path, "ttyUSB0", "pci0000:00/usb1/1-4/1-4:1.0/ttyUSB0")
    assert usb_location(port, tmp_path / "sys") == "1-4"
    assert hub_and_port("1-4") == ("1", "4")


def test_not_a_usb_device(tmp_path):
    port = fake_sysfs(tmp_path, "ttyAMA0", "platform/soc/3f201000.serial/tty/ttyAMA0")
    assert usb_location(port, tmp_path / "sys") is None
    assert usb_location(str(tmp_path / "dev" / "ttyS9"), tmp_path / "sys") is None
    with pytest.raises(ValueError):
        hub_and_port("usb1")


def test_the_command_line_is_filled_in_per_word():
    argv = power_cycle_argv("uhubctl -l {hub} -p {port} -a cycle -d 5", "1-1.3", "m1")
    assert argv == ["uhubctl", "-l", "1-1", "-p", "3", "-a", "cycle", "-d", "5"]
    assert power_cycle_argv("/usr/local/bin/cycle '{modem} at {location}'", "2-1", "m2") == [
        "/usr/local/bin/cycle", "m2 at 2-1"]
    with pytest.raises(PowerCycleError, match="not usable"):
        power_cycle_argv("uhubctl -l {bus}", "1-1.3", "m1")


def test_a_failing_command_says_why(tmp_path):
    with pytest.raises(PowerCycleError, match="cannot run"):
        power_cycle(str(tmp_path / "no-such-uhubctl") + " -l {hub}", "1-1.3", "m1")
    with pytest.raises(PowerCycleError, match="exited with 1"):
        power_cycle("false {hub}", "1-1.3", "m1")
