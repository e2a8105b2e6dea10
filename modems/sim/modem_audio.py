"""A virtual modem's voice path: an ALSA PCM over FIFOs, or huawei's serial voice port."""
from __future__ import annotations

import logging

from modems.sim import audio
from modems.sim.ptyport import PtyPort

log = logging.getLogger(__name__)


class ModemAudio:
    """Moves a modem's audio; the network clock calls it every 20 ms under the network lock."""

    def __init__(self, modem, network, serial_voice: bool):
        self._modem = modem
        self._lock = network.lock
        name = modem.name
        self.voice: PtyPort | None = None
        self.alsa: audio.AlsaEndpoint | None = None
        self.pcm_name: str | None = None
        if serial_voice:
            self.voice = PtyPort(network.workdir / "by-id" / f"{name}-audio", f"sim-{name}-audio",
                                 self._on_voice)
            self.device = "serial:" + str(self.voice.link)
        else:
            self.pcm_name = f"callbox_sim_{network.id}_{name}"
            base = network.workdir / "audio" / name
            self.alsa = audio.AlsaEndpoint(base.with_suffix(".capture"), base.with_suffix(".playback"))
            self.alsa.create()
            self.device = self.pcm_name
        self._voice_rx = bytearray()
        self._tones = bytearray()

    def open(self) -> None:
        if self.voice:
            self.voice.open()
        if self.alsa:
            self.alsa.open()

    def close(self, final: bool) -> None:
        """Closes the voice port; the ALSA FIFOs only when the network stops.

        An unplugged modem keeps feeding silence to its PCM: closing the FIFO
        would turn a daemon's blocking capture read into an endless stream of
        empty reads, which no real device does.
        """
        if self.voice:
            self.voice.close()
        if self.alsa and final:
            self.alsa.close()

    def _voice_on(self) -> bool:
        """Huawei sends and takes voice on its serial port only after AT^DDSETEX=2."""
        return bool(self._modem.settings.vendor.get("voice_port"))

    def _on_voice(self, data: bytes) -> None:
        with self._lock:
            if self._voice_on() and self._modem.calls():
                self._voice_rx += data
                del self._voice_rx[: max(0, len(self._voice_rx) - audio.RATE * 2)]

    def play_keys(self, digits: str) -> None:
        """Mixes in-band DTMF for `digits` into what the modem sends."""
        self._tones += audio.dtmf(digits)

    def calls_over(self) -> None:
        self._tones.clear()

    def uplink_frame(self) -> bytes:
        """Gives the next 20 ms the daemon sends into the call."""
        frame = None
        if self.alsa:
            frame = self.alsa.take()
        elif len(self._voice_rx) >= audio.FRAME_BYTES:
            frame = bytes(self._voice_rx[: audio.FRAME_BYTES])
            del self._voice_rx[: audio.FRAME_BYTES]
        frame = frame or audio.SILENCE
        if self._tones:
            tones = bytes(self._tones[: audio.FRAME_BYTES]).ljust(audio.FRAME_BYTES, b"\0")
            del self._tones[: audio.FRAME_BYTES]
            frame = audio.mix(frame, tones)
        return frame

    def downlink(self, frame: bytes) -> None:
        """Hands the daemon 20 ms from the far end."""
        if self.alsa:
            self.alsa.feed(frame)
        elif self.voice and self._voice_on():
            self.voice.write_nowait(frame)

    def idle_tick(self) -> None:
        """Outside a call: capture still runs (silence), played audio goes nowhere."""
        if self.alsa:
            self.alsa.feed(audio.SILENCE)
            self.alsa.discard()
        self._voice_rx.clear()
