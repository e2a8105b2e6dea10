"""A handset's echo: what its loudspeaker plays leaks back into its microphone.

    phone.echo = EchoPath(delay_ms=120, return_loss_db=20)

Each frame the phone hears goes into a delay line; each frame it sends gets
the frame heard `delay_ms` earlier mixed in, attenuated by the echo return
loss and dulled by a short low-pass (a loudspeaker and a room are not a
wire). Real handsets and GSM together give 20 to 250 ms and 10 to 30 dB
(ITU-T G.168 tests echo cancellers over that range); the box's echo
canceller (audio/voice.py) is tested against this path.
"""
from __future__ import annotations

import numpy as np

from modems.sim.audio import FRAME_BYTES

_LOW_PASS = np.array([0.2, 0.5, 0.3])       # a dull, slightly smeared copy


class EchoPath:
    """One phone's acoustic echo (see the module docstring)."""

    def __init__(self, delay_ms: float = 120.0, return_loss_db: float = 20.0):
        if not 20 <= delay_ms <= 250:
            raise ValueError(f"echo delay must be 20 to 250 ms, got {delay_ms}")
        if not 0 <= return_loss_db <= 60:
            raise ValueError(f"echo return loss must be 0 to 60 dB, got {return_loss_db}")
        self.delay_ms = delay_ms
        self.return_loss_db = return_loss_db
        self._gain = 10 ** (-return_loss_db / 20)
        self._line = np.zeros(int(8 * delay_ms), dtype=np.float64)   # 8 samples a ms
        self._tail = np.zeros(len(_LOW_PASS) - 1)

    def heard(self, frame: bytes) -> None:
        """Takes a frame the phone's loudspeaker plays."""
        self._line = np.concatenate((self._line, np.frombuffer(frame, "<i2")))

    def leak(self) -> np.ndarray:
        """Gives the echo in the next frame the microphone picks up (float samples)."""
        count = FRAME_BYTES // 2
        out, self._line = self._line[:count], self._line[count:]
        out = np.pad(out, (0, count - len(out)))
        smeared = np.convolve(np.concatenate((self._tail, out)), _LOW_PASS, mode="valid")
        self._tail = out[-(len(_LOW_PASS) - 1):]
        return smeared * self._gain

    def add_to(self, frame: bytes) -> bytes:
        """Gives the microphone's frame with the echo mixed in."""
        total = np.frombuffer(frame, "<i2") + self.leak()
        return np.clip(np.rint(total), -32768, 32767).astype("<i2").tobytes()
