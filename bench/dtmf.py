"""Benchmark: the in-band DTMF detector's CPU, its accuracy through a GSM codec, its talk-off.

- CPU seconds per second of audio, feeding 60 s of speech, keys and GSM-coded
  keys in 20 ms frames, as a call does;
- key-sequence accuracy: random 8-key sequences (each at one level from -25
  to -5 dBFS per tone and one twist from -4 to +4 dB), clean and after a GSM
  06.10 full-rate round trip through sox, at 70 ms on / 70 ms off and 50/50,
  and 40/40 (the shortest tone Q.24 asks to accept);
- the hard corner (audio/dtmf_signals.py `hard_sequences`): 40 ms tone / 40 ms
  pause, each tone up to ±1.5 % off, twist +4..-8 dB, white noise at 15 dB
  SNR, after GSM 06.10: exact 8-key sequences, with the 95 % lower confidence
  bound, and pairs of one key twice with a 40 ms pause ("00") read as two keys;
- talk-off: keys "heard" in espeak-ng speech and in synthesized music
  (audio/dtmf_music.py), as is, louder, and through GSM.

    python bench/dtmf.py [--sequences 100] [--hard 2000] [--seed 1] [--quick]
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from audio.dtmf import DtmfDetector, detect_presses  # noqa: E402
from audio.dtmf_analysis import RATE  # noqa: E402
from audio.dtmf_music import music  # noqa: E402
from audio.dtmf_signals import (  # noqa: E402
    gsm_round_trip, hard_sequences, heard_sequences, random_sequences, sequence_accuracy,
    sox_has_gsm, speech, to_pcm)

FRAME_BYTES = 2 * RATE // 50
MUSIC_S = 300


def cpu_per_audio_second(workdir: Path, spoken: np.ndarray) -> tuple[float, float]:
    """Gives CPU seconds per second of audio and microseconds per 20 ms frame."""
    keys = np.concatenate([s.samples for s in random_sequences(40, 0.07, 0.07, seed=99)])
    parts = [spoken[:20 * RATE], keys[:20 * RATE]]
    parts.append(gsm_round_trip(keys[:20 * RATE], workdir) if sox_has_gsm() else keys[:20 * RATE])
    pcm = to_pcm(np.concatenate(parts))
    frames = [pcm[offset:offset + FRAME_BYTES] for offset in range(0, len(pcm), FRAME_BYTES)]
    detector = DtmfDetector()
    started = time.process_time()
    for frame in frames:
        detector.feed(frame)
    spent = time.process_time() - started
    return spent / (len(pcm) / 2 / RATE), spent / len(frames) * 1e6


def print_accuracy(workdir: Path, count: int, seed: int, gsm: bool) -> None:
    print(f"key-sequence accuracy, {count} sequences of 8 random keys, "
          f"-25..-5 dBFS, twist -4..+4 dB:")
    for on_ms in (70, 50, 40):
        sequences = random_sequences(count, on_ms / 1000, on_ms / 1000, seed=seed + on_ms)
        clean = sequence_accuracy(sequences, False, workdir)
        line = f"  {on_ms}/{on_ms} ms: clean {100 * clean:5.1f} %"
        if gsm:
            coded = sequence_accuracy(sequences, True, workdir)
            line += f"   after GSM FR {100 * coded:5.1f} %"
        print(line)


def wilson_lower(right: int, count: int, z: float = 1.96) -> float:
    """Gives the lower end of the 95 % Wilson score interval of right / count."""
    share = right / count
    centre = share + z * z / (2 * count)
    spread = z * math.sqrt(share * (1 - share) / count + z * z / (4 * count * count))
    return (centre - spread) / (1 + z * z / count)


def print_hard_corner(workdir: Path, count: int, seed: int) -> None:
    print("hard corner after GSM FR: 40 ms tone / 40 ms pause, each tone up to ±1.5 % off, "
          "twist +4..-8 dB, white noise at 15 dB SNR, louder tone -25..-10 dBFS:")
    sequences = hard_sequences(count, seed + 14)
    heard = heard_sequences(sequences, True, workdir)
    wrong = [(s.keys, keys) for s, keys in zip(sequences, heard) if keys != s.keys]
    right = count - len(wrong)
    print(f"  exact 8-key sequences: {right} of {count} = {100 * right / count:.2f} % "
          f"(95 % lower bound {100 * wilson_lower(right, count):.2f} %), "
          f"{len(wrong)} wrong{': ' if wrong else ''}"
          + ", ".join(f"{sent} heard as {keys or 'nothing'}" for sent, keys in wrong[:5]))
    pairs = hard_sequences(max(count // 2, 1), seed + 15, keys_each=2, repeated=True)
    heard = heard_sequences(pairs, True, workdir)
    right = sum(keys == pair.keys for keys, pair in zip(heard, pairs))
    print(f"  one key twice with a 40 ms pause (\"00\"): two keys in {right} "
          f"of {len(pairs)} pairs")


def print_talk_off(workdir: Path, label: str, samples: np.ndarray, gsm: bool) -> None:
    print(f"talk-off, {len(samples) / RATE:.0f} s of {label}:")
    for gain_label, gain in (("as is", 1.0), ("+10 dB", 3.16)):
        louder = np.clip(samples * gain, -32768, 32767)
        line = f"  {gain_label}: {len(detect_presses(to_pcm(louder)))} false keys"
        if gsm:
            coded = to_pcm(gsm_round_trip(louder, workdir))
            line += f", after GSM FR: {len(detect_presses(coded))} false keys"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=100, help="sequences per figure")
    parser.add_argument("--hard", type=int, default=2000, help="hard-corner sequences")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true",
                        help="40 sequences per figure, 300 in the hard corner")
    args = parser.parse_args()
    if args.quick:
        args.sequences, args.hard = 40, 300
    gsm = sox_has_gsm()
    if not gsm:
        print("sox has no GSM 06.10 format: GSM figures and the hard corner skipped "
              "(Debian: apt-get install sox libsox-fmt-all)")
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        spoken = speech(workdir)
        per_second, per_frame = cpu_per_audio_second(workdir, spoken)
        print(f"CPU: {per_second:.4f} s per s of audio ({per_frame:.0f} us per 20 ms frame)")
        print_accuracy(workdir, args.sequences, args.seed, gsm)
        if gsm:
            print_hard_corner(workdir, args.hard, args.seed)
        print_talk_off(workdir, "espeak-ng speech (8 sentences, 6 voices)", spoken, gsm)
        print_talk_off(workdir, "synthesized music (melody, chords, bass; 6 instruments)",
                       music(MUSIC_S, args.seed), gsm)


if __name__ == "__main__":
    main()
