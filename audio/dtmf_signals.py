"""Signals to measure the DTMF detector with: key sequences, GSM round trips, speech.

Used by tests/test_dtmf.py and bench/dtmf.py. The GSM round trip is the real
codec: sox writes a GSM 06.10 full-rate `.gsm` file and reads it back (needs
sox with its gsm format, Debian's libsox-fmt-all). Speech comes from espeak-ng.
"""
from __future__ import annotations

import functools
import pathlib
import shutil
import subprocess
import wave
from typing import NamedTuple

import numpy as np

from audio.dtmf import KEYS, detect_presses
from audio.dtmf_analysis import HIGH_GROUP, LOW_GROUP, RATE
from audio.dtmf_wav import read_wav_8k

# Sentences and voices for talk-off: numbers, names, long vowels, singing, and
# voices from deep male to high female (high voices put few, strong harmonics
# near DTMF pairs: the hardest case).
SENTENCES = (
    "Please enter the number you wish to call, followed by the hash key.",
    "Your balance is twelve euros and fifty cents. Zero one two three four five six "
    "seven eight nine.",
    "Good morning Anna, Jonathan and Mister Oliver Kowalski from Manchester.",
    "Ooooh, aaaah, eeeee, the moon is blue and the sea is deep, mooo.",
    "Nine hundred ninety nine thousand, four hundred and forty four, seven seven seven.",
    "Do re mi fa so la ti do. Do ti la so fa mi re do. Lalalala, tralala.",
    "Wheeeee! Yaaaay! Meeeee! Nooooo! Hmmmmm. Ahhhhhh. Ooooooh.",
    "Eight eight eight, one one one, two two two, star, hash, pound sign.",
)
VOICES = (                       # espeak-ng voice, words per minute, pitch 0..99
    ("en", 150, 50),
    ("en+f3", 160, 70),
    ("en-us+m3", 140, 30),
    ("en+f5", 170, 90),
    ("en+f2", 120, 99),
    ("en+Tweaky", 170, 99),
)


def key_samples(key: str, seconds: float, level_dbfs: float = -10.0, twist_db: float = 0.0,
                low_shift: float = 0.0, high_shift: float = 0.0,
                phases: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Gives one DTMF key as float samples: each tone's peak at `level_dbfs`, the
    high tone `twist_db` louder, frequencies off by the given fractions."""
    row, column = divmod(KEYS.index(key), 4)
    times = np.arange(int(round(seconds * RATE))) / RATE
    low = 32767 * 10 ** (level_dbfs / 20)
    high = low * 10 ** (twist_db / 20)
    return (low * np.sin(2 * np.pi * LOW_GROUP[row] * (1 + low_shift) * times + phases[0])
            + high * np.sin(2 * np.pi * HIGH_GROUP[column] * (1 + high_shift) * times
                            + phases[1]))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * RATE)))


def to_pcm(samples: np.ndarray) -> bytes:
    """Gives float samples as 8 kHz S16LE bytes, clipped."""
    return np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes()


class Sequence(NamedTuple):
    keys: str
    samples: np.ndarray


def random_sequences(count: int, tone_s: float, gap_s: float, seed: int, length: int = 8,
                     levels_dbfs: tuple[float, float] = (-25.0, -5.0),
                     twists_db: tuple[float, float] = (-4.0, 4.0)) -> list[Sequence]:
    """Gives `count` sequences of `length` random keys, `tone_s` on and `gap_s` off,
    each at one random level and twist, every tone at random phases."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(count):
        keys = "".join(rng.choice(list(KEYS), length))
        level, twist = rng.uniform(*levels_dbfs), rng.uniform(*twists_db)
        parts = [silence(0.1)]
        for key in keys:
            phases = tuple(rng.uniform(0, 2 * np.pi, 2))
            parts += [key_samples(key, tone_s, level, twist, phases=phases), silence(gap_s)]
        parts.append(silence(0.1))
        sequences.append(Sequence(keys, np.concatenate(parts)))
    return sequences


def sequence_accuracy(sequences: list[Sequence], through_gsm: bool, workdir) -> float:
    """Gives the share of sequences whose keys the detector reads exactly right."""
    joined = np.concatenate([sequence.samples for sequence in sequences])
    if through_gsm:
        joined = gsm_round_trip(joined, workdir)
    heard = detect_presses(to_pcm(joined))
    right, start = 0, 0
    for sequence in sequences:
        end = start + len(sequence.samples)
        keys = "".join(press.key for press in heard if start <= press.start < end)
        right += keys == sequence.keys
        start = end
    return right / len(sequences)


@functools.cache
def sox_has_gsm() -> bool:
    """Tells whether sox is installed and reads and writes GSM 06.10 files."""
    if shutil.which("sox") is None:
        return False
    formats = subprocess.run(["sox", "-h"], capture_output=True, text=True).stdout
    return any(line.startswith("AUDIO FILE FORMATS:") and " gsm" in line
               for line in formats.splitlines())


def gsm_round_trip(samples: np.ndarray, workdir) -> np.ndarray:
    """Gives `samples` after a GSM full-rate encode and decode by sox."""
    workdir = pathlib.Path(workdir)
    source, coded, back = (workdir / "gsm-in.wav", workdir / "gsm-coded.gsm",
                           workdir / "gsm-out.wav")
    write_wav(source, samples)
    subprocess.run(["sox", str(source), str(coded)], check=True, capture_output=True)
    subprocess.run(["sox", str(coded), "-b", "16", "-e", "signed-integer", str(back)],
                   check=True, capture_output=True)
    decoded = np.frombuffer(read_wav_8k(str(back)), dtype="<i2").astype(np.float64)
    return decoded[:len(samples)]


def write_wav(path, samples: np.ndarray) -> None:
    """Writes float samples as an 8 kHz 16-bit mono WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(to_pcm(samples))


def speech(workdir, sentences=SENTENCES, voices=VOICES) -> np.ndarray:
    """Gives all sentences in every voice, spoken by espeak-ng, at 8 kHz."""
    workdir = pathlib.Path(workdir)
    parts = []
    for number, (voice, speed, pitch) in enumerate(voices):
        path = workdir / f"speech-{number}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                        "-w", str(path), " ".join(sentences)], check=True, capture_output=True)
        parts += [np.frombuffer(read_wav_8k(str(path)), dtype="<i2").astype(np.float64),
                  silence(0.1)]
    return np.concatenate(parts)
