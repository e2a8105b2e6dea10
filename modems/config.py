"""One modem as the box is told to use it: the settings the pool opens and lends it by.

The one definition: gateway's configuration reader builds these from the
[[modem]] tables of callbox.toml, and the pool takes them as they are. The
defaults here are the file's defaults too (gateway.config.table reads them).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from modems.profiles.voice import ModuleVoice


@dataclass(frozen=True)
class ModemConfig:
    name: str
    port: str                       # the AT command port, e.g. /dev/serial/by-id/...-if02-port0
    audio: str                      # an ALSA PCM name, or serial:/dev/... (voice on a serial port)
    roles: frozenset[str]           # any of trigger, callback, destination: what it is lent for
    sim_pin: str | None = field(default=None, repr=False)   # a secret: never in a log line
    group: str | None = None        # lent only to calls that ask for this group (routes)
    profile: str = "auto"           # the vendor profile; auto: chosen from AT+CGMI/AT+CGMM
    # Self-healing (modems/recovery.py): switch its USB port off and on when resets fail.
    usb_power_cycle: bool = False
    usb_port: str | None = None     # hub-port like "1-1.3"; None: found from the port's device
    rx_gain_db: float = 0.0         # software gain of what the box hears from the modem
    tx_gain_db: float = 0.0         # software gain of what the box sends to it
    echo_cancel: bool = True        # cancel the echo of what the box sends (speexdsp)
    echo_tail_ms: int = 128         # longest echo delay the canceller models
    noise_suppression: bool = False # reduce stationary noise in what the box hears
    # The module's own voice processing (modems/profiles/voice.py), set after each open.
    module_echo_cancel: bool | None = None  # None: the profile's default (on where offered)
    side_tone: bool = False         # False: the module's side tone is switched off
    mic_gain: int | None = None     # the module's microphone gain; None: left as it is
    speaker_volume: int | None = None   # AT+CLVL level; None: left as it is

    @property
    def module_voice(self) -> ModuleVoice:
        return ModuleVoice(echo_cancel=self.module_echo_cancel, side_tone=self.side_tone,
                           mic_gain=self.mic_gain, speaker_volume=self.speaker_volume)
