"""Prompts as PCM: loading the WAVs, cutting them into frames, stringing them together.

    pcm = sequence(["connecting_you_to", "four", "nine"], lang="de")
    playback = port.play(frames(pcm))

Prompts live in `<prompt_dir>/<lang>/<name>.wav` (default `audio.prompts.DEFAULT_DIR`),
8 kHz mono 16-bit; `python -m audio.prompts` makes them. Loaded prompts are
cached; a file replaced on disk is read again.
"""
from __future__ import annotations

import functools
import pathlib
import wave
from collections.abc import Iterable

from audio.pcm import RATE, SAMPLE_BYTES, frames
from audio.prompts import DEFAULT_DIR, make_command

__all__ = ["PromptError", "load_prompt", "frames", "sequence", "prompt_path", "read_wav"]

PAUSE_S = 0.12          # between the prompts of a sequence


class PromptError(LookupError):
    """A prompt file is missing or not 8 kHz mono 16-bit."""


def prompt_path(name: str, lang: str = "en", prompt_dir: pathlib.Path | str | None = None
                ) -> pathlib.Path:
    """Gives where prompt `name` of `lang` lives."""
    if not name or "/" in name or name.startswith("."):
        raise PromptError(f"not a prompt name: {name!r}")
    return pathlib.Path(prompt_dir or DEFAULT_DIR) / lang / f"{name}.wav"


def load_prompt(name: str, lang: str = "en", prompt_dir: pathlib.Path | str | None = None) -> bytes:
    """Gives the PCM (8 kHz S16LE mono) of prompt `name`; PromptError if missing or unusable."""
    path = prompt_path(name, lang, prompt_dir)
    try:
        stamp = path.stat()
    except FileNotFoundError:
        raise PromptError(f"prompt {name!r} missing: {path} (make the prompts: "
                          f"{make_command(lang, prompt_dir)})") from None
    return _read_wav(str(path), stamp.st_mtime_ns, stamp.st_size)


def read_wav(path: pathlib.Path) -> bytes:
    """Gives the PCM of the WAV at `path` (FileNotFoundError if none; cached while unchanged)."""
    stamp = path.stat()
    return _read_wav(str(path), stamp.st_mtime_ns, stamp.st_size)


@functools.lru_cache(maxsize=512)
def _read_wav(path: str, _mtime_ns: int, _size: int) -> bytes:
    try:
        with wave.open(path, "rb") as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            if shape != (RATE, 1, SAMPLE_BYTES):
                raise PromptError(f"{path}: {shape[0]} Hz, {shape[1]} channel(s), "
                                  f"{8 * shape[2]} bit; need {RATE} Hz mono 16 bit "
                                  f"(sox IN -r {RATE} -c 1 -b 16 OUT.wav)")
            return wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise PromptError(f"{path}: not a PCM WAV file: {error}") from error


def sequence(names: Iterable[str], lang: str = "en", prompt_dir: pathlib.Path | str | None = None,
             pause_s: float = PAUSE_S) -> bytes:
    """Gives the PCM of the prompts `names` one after another, a short pause between them."""
    pause = bytes(SAMPLE_BYTES * round(RATE * pause_s))
    return pause.join(load_prompt(name, lang, prompt_dir) for name in names)
