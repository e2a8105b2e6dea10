"""What the box does to a modem's voice on its way in and out: gain, echo, noise.

    processor = VoiceProcessor(VoiceSettings(rx_gain_db=3, echo_cancel=True))
    heard = processor.captured(frame, reference)   # from the modem: echo, noise, gain
    sent = processor.to_play(frame)                # to the modem: gain

`rx` is what the box receives from a modem (the caller's voice, which the
DTMF detector and the other leg of a bridge get), `tx` what it sends to it.
The echo canceller's reference is what was sent to the same modem: the echo
of it comes back in what the modem captures (gateway's voice path reads the
settings per modem from the [[modem]] table).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from audio.pcm import FULL_SCALE, SILENCE
from audio.echo_align import AlignedEchoCanceller
from audio.speexdsp import NoiseSuppressor

LIMIT = 0.98 * FULL_SCALE       # a frame louder than this after gain is turned down
RELEASE = 1.12                  # the limiter's gain climbs back at most 1 dB a frame


@dataclass(frozen=True)
class VoiceSettings:
    """A modem's voice settings (the [[modem]] keys of the same names)."""

    rx_gain_db: float = 0.0
    tx_gain_db: float = 0.0
    echo_cancel: bool = False
    echo_tail_ms: int = 128
    noise_suppression: bool = False

    @property
    def plain(self) -> bool:
        """True when nothing is done to the sound (no processing at all)."""
        return (self.rx_gain_db == 0 and self.tx_gain_db == 0 and not self.echo_cancel
                and not self.noise_suppression)


class Gain:
    """A fixed gain that never clips: a frame it would push past full scale is turned
    down just enough (a peak limiter), and the gain comes back over a few frames."""

    def __init__(self, db: float):
        self.factor = 10 ** (db / 20)
        self._applied = self.factor
        self.limited_frames = 0

    def apply(self, frame: bytes) -> bytes:
        if self.factor == 1.0 and self._applied == 1.0:
            return frame
        values = np.frombuffer(frame, "<i2").astype(np.float32)
        self._applied = min(self.factor, self._applied * RELEASE)
        peak = float(np.abs(values).max(initial=0.0)) * self._applied
        if peak > LIMIT:
            self._applied *= LIMIT / peak
            self.limited_frames += 1
        return np.rint(values * self._applied).astype("<i2").tobytes()


class VoiceProcessor:
    """One modem's voice processing, run by its audio thread (audio/port.py)."""

    def __init__(self, settings: VoiceSettings):
        self.settings = settings
        self.rx = Gain(settings.rx_gain_db)
        self.tx = Gain(settings.tx_gain_db)
        self.echo = (AlignedEchoCanceller(settings.echo_tail_ms) if settings.echo_cancel
                     else None)
        self.noise = NoiseSuppressor() if settings.noise_suppression else None

    def captured(self, frame: bytes, reference: bytes = SILENCE) -> bytes:
        """Gives what the modem captured, cleaned: echo of `reference` (the frame sent to
        the modem just before) removed, noise reduced, then the rx gain."""
        if self.echo is not None:
            frame = self.echo.cancel(frame, reference)
        if self.noise is not None:
            frame = self.noise.clean(frame)
        return self.rx.apply(frame)

    def to_play(self, frame: bytes) -> bytes:
        """Gives the frame to send to the modem, with the tx gain."""
        return self.tx.apply(frame)

    def close(self) -> None:
        if self.echo is not None:
            self.echo.close()
        if self.noise is not None:
            self.noise.close()
