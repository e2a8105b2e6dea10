"""Signals to measure the DTMF detector with: key sequences, GSM round trips, speech.

Used by tests/test_dtmf.py and bench/dtmf.py. The GSM round trip is the real
codec: sox writes a GSM 06.10 full-rate `.gsm` file and reads it back (needs
sox with its gsm format, Debian's libsox-fmt-all). Speech comes from espeak-ng;
music is synthesized here (audio/dtmf_music.py).

The hard corner (`hard_sequences`) is every limit of ITU-T Q.24 at once, as a
phone on a bad radio link sends it: 40 ms tone / 40 ms pause (Q.24's shortest
tone and pause to accept), each tone of each key off its nominal frequency by
up to ±1.5 % (Q.24's accept band), twist anywhere from +4 dB (high group
louder) to -8 dB, and white noise 15 dB below the tones' power, before a GSM
06.10 full-rate round trip.
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
    heard = heard_sequences(sequences, through_gsm, workdir)
    return sum(keys == sequence.keys for keys, sequence in zip(heard, sequences)) / len(heard)


def heard_sequences(sequences: list[Sequence], through_gsm: bool, workdir) -> list[str]:
    """Gives the keys the detector hears in each sequence, played one after the other."""
    joined = np.concatenate([sequence.samples for sequence in sequences])
    if through_gsm:
        joined = gsm_round_trip(joined, workdir)
    presses = detect_presses(to_pcm(joined))
    heard, start = [], 0
    for sequence in sequences:
        end = start + len(sequence.samples)
        heard.append("".join(press.key for press in presses if start <= press.start < end))
        start = end
    return heard


HARD_TWIST_DB = (-8.0, 4.0)
HARD_DEVIATION = 0.015
HARD_SNR_DB = 15.0
HARD_LEVELS_DBFS = (-25.0, -10.0)    # the louder tone's peak: no clipping at +4 dB twist


def hard_sequences(count: int, seed: int, keys_each: int = 8, tone_s: float = 0.04,
                   gap_s: float = 0.04, repeated: bool = False) -> list[Sequence]:
    """Gives `count` hard-corner sequences (see the module's doc) of `keys_each`
    random keys, or with `repeated`, of one random key `keys_each` times."""
    rng = np.random.default_rng(seed)
    sequences = []
    for _ in range(count):
        if repeated:
            keys = str(rng.choice(list(KEYS))) * keys_each
        else:
            keys = "".join(rng.choice(list(KEYS), keys_each))
        loudest = rng.uniform(*HARD_LEVELS_DBFS)
        parts, tone_power = [silence(0.1)], []
        for key in keys:
            twist = rng.uniform(*HARD_TWIST_DB)
            low_shift, high_shift = rng.uniform(-HARD_DEVIATION, HARD_DEVIATION, 2)
            tone = key_samples(key, tone_s, loudest - max(twist, 0.0), twist,
                               low_shift, high_shift, tuple(rng.uniform(0, 2 * np.pi, 2)))
            parts += [tone, silence(gap_s)]
            tone_power.append(np.mean(tone * tone))
        parts.append(silence(0.1))
        samples = np.concatenate(parts)
        noise_power = np.mean(tone_power) / 10 ** (HARD_SNR_DB / 10)
        sequences.append(Sequence(keys, samples + rng.normal(0, np.sqrt(noise_power),
                                                             len(samples))))
    return sequences


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
