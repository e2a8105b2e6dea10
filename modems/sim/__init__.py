"""The virtual GSM network: PTY modems with vendor AT dialects, ALSA audio, phones.

    with Network(workdir, Delays.zero()) as net:
        modem = net.add_modem("m1", "+4915110000001", profile="huawei")
        phone = net.add_phone("+4917012345678")
        # the daemon opens modem.port (and modem.audio) like real hardware

Threads (all daemonic): per modem `sim-<name>-at` (reads the AT port) and, for
huawei, `sim-<name>-audio` (reads the voice port); per network
`sim-<id>-timers` (call setup, rings, no-answer, SMS delivery) and
`sim-<id>-clock` (moves 20 ms audio frames), `sim-<id>-usb` (the virtual USB
hub's socket: power-cycles a modem's port, modems/sim/usb_hub.py). They share one lock per network.

ALSA: a process that opens the modems' PCMs needs ALSA_CONFIG_PATH from
`net.alsa_env()` (subprocesses) or `net.use_alsa_config()` (this process).
Open them with periodsize 160 (or a divisor of it): the `file` plugin fills a
longer period with one read() of the FIFO and leaves the rest undefined.
Close PCMs before `net.stop()`.
"""
from modems.sim.calls import Cause
from modems.sim.network import Delays, Network
from modems.sim.phone import PhoneActionError, PhoneState, ReceivedSms, VirtualPhone
from modems.sim.vmodem import VirtualModem

__all__ = ["Network", "Delays", "PhoneState", "PhoneActionError", "ReceivedSms",
           "VirtualPhone", "VirtualModem", "Cause"]
