"""Echo cancellation and noise suppression from Debian's libspeexdsp, through ctypes.

    canceller = EchoCanceller(tail_ms=128)
    clean = canceller.cancel(captured, played)   # one 20 ms frame each: S16LE, 8000 Hz

libspeexdsp (the Speex DSP library, BSD licence, Debian package `libspeexdsp1`)
is a C library with a small stable API; calling it through ctypes needs no
compiler and no wheel, so it works the same on 32- and 64-bit ARM. The names
and constants below are those of <speex/speex_echo.h> and
<speex/speex_preprocess.h> (speexdsp 1.2).

The echo canceller is an adaptive filter (MDF): `played` is what the box sent
to the modem in the frame period before `captured` was read from it, the
reference of the echo that comes back inside `captured`. The tail is the
longest echo delay it models: a phone's acoustic echo plus the network's
round trip, 100 to 250 ms on GSM.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, RATE

log = logging.getLogger(__name__)

# <speex/speex_echo.h>, <speex/speex_preprocess.h>
SPEEX_ECHO_SET_SAMPLING_RATE = 24
SPEEX_PREPROCESS_SET_DENOISE = 0
SPEEX_PREPROCESS_SET_NOISE_SUPPRESS = 18

_Frame = ctypes.c_int16 * FRAME_SAMPLES


class SpeexUnavailable(RuntimeError):
    """libspeexdsp is not installed (apt-get install libspeexdsp1)."""


_library: ctypes.CDLL | None = None


def library() -> ctypes.CDLL:
    """Gives libspeexdsp, loaded once; raises SpeexUnavailable when it is missing."""
    global _library
    if _library is None:
        name = ctypes.util.find_library("speexdsp") or "libspeexdsp.so.1"
        try:
            lib = ctypes.CDLL(name)
        except OSError as error:
            raise SpeexUnavailable(f"libspeexdsp cannot be loaded ({error}): "
                                   "apt-get install libspeexdsp1") from None
        lib.speex_echo_state_init.restype = ctypes.c_void_p
        lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
        lib.speex_echo_state_reset.argtypes = [ctypes.c_void_p]
        lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p, _Frame, _Frame, _Frame]
        lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.speex_preprocess_state_init.restype = ctypes.c_void_p
        lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
        lib.speex_preprocess_state_destroy.argtypes = [ctypes.c_void_p]
        lib.speex_preprocess_run.argtypes = [ctypes.c_void_p, _Frame]
        lib.speex_preprocess_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        _library = lib
    return _library


def _int(value: int) -> ctypes.c_void_p:
    return ctypes.cast(ctypes.pointer(ctypes.c_int(value)), ctypes.c_void_p)


class EchoCanceller:
    """One leg's acoustic echo canceller: speex's adaptive filter (MDF) alone.

    Speex's preprocessor could also suppress the residual echo, but it hands its
    output back one frame late (20 ms more delay on every call, measured) and took
    nothing more off the simulated echo paths (bench/echo.py): it is left out."""

    def __init__(self, tail_ms: int = 128):
        if not 20 <= tail_ms <= 1000:
            raise ValueError(f"echo tail must be 20 to 1000 ms, got {tail_ms}")
        self._lib = library()
        self.tail_ms = tail_ms
        self._echo = self._lib.speex_echo_state_init(FRAME_SAMPLES, RATE * tail_ms // 1000)
        self._lib.speex_echo_ctl(self._echo, SPEEX_ECHO_SET_SAMPLING_RATE, _int(RATE))
        self._captured, self._played, self._out = _Frame(), _Frame(), _Frame()

    def cancel(self, captured: bytes, played: bytes) -> bytes:
        """Gives `captured` with the echo of `played` removed (one frame each)."""
        if self._echo is None:
            raise RuntimeError("the echo canceller was closed")
        ctypes.memmove(self._captured, captured, FRAME_BYTES)
        ctypes.memmove(self._played, played, FRAME_BYTES)
        self._lib.speex_echo_cancellation(self._echo, self._captured, self._played, self._out)
        return bytes(self._out)

    def reset(self) -> None:
        """Forgets what the filter learned (the echo moved: another delay)."""
        if self._echo is not None:
            self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        """Frees the C state; safe to call twice."""
        if self._echo is not None:
            self._lib.speex_echo_state_destroy(self._echo)
            self._echo = None

    def __del__(self) -> None:
        self.close()


class NoiseSuppressor:
    """Speex's noise suppression for one direction of one modem (off unless configured;
    its output comes one 20 ms frame late)."""

    def __init__(self, suppress_db: int = -25):
        self._lib = library()
        self._state = self._lib.speex_preprocess_state_init(FRAME_SAMPLES, RATE)
        self._lib.speex_preprocess_ctl(self._state, SPEEX_PREPROCESS_SET_DENOISE, _int(1))
        self._lib.speex_preprocess_ctl(self._state, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS,
                                       _int(suppress_db))
        self._frame = _Frame()

    def clean(self, frame: bytes) -> bytes:
        """Gives the frame with stationary noise reduced."""
        if self._state is None:
            raise RuntimeError("the noise suppressor was closed")
        ctypes.memmove(self._frame, frame, FRAME_BYTES)
        self._lib.speex_preprocess_run(self._state, self._frame)
        return bytes(self._frame)

    def close(self) -> None:
        if self._state is not None:
            self._lib.speex_preprocess_state_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()
