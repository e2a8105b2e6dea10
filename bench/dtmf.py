"""Benchmark: the in-band DTMF detector's CPU, its accuracy through a GSM codec, its talk-off.

- CPU seconds per second of audio, feeding 60 s of speech, keys and GSM-coded
  keys in 20 ms frames, as a call does;
- key-sequence accuracy: random 8-key sequences (each at one level from -25
  to -5 dBFS per tone and one twist from -4 to +4 dB), clean and after a GSM
  06.10 full-rate round trip through sox, at 70 ms on / 70 ms off and 50/50,
  and 40/40 (the shortest tone Q.24 asks to accept);
- talk-off: keys "heard" in espeak-ng speech, as is, louder, and through GSM.

    python bench/dtmf.py [--sequences 100] [--seed 1]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from audio.dtmf import DtmfDetector, detect_presses  # noqa: E402
from audio.dtmf_analysis import RATE  # noqa: E402
from audio.dtmf_signals import (  # noqa: E402
    gsm_round_trip, random_sequences, sequence_accuracy, sox_has_gsm, speech, to_pcm)

FRAME_BYTES = 2 * RATE // 50


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


def print_talk_off(workdir: Path, spoken: np.ndarray, gsm: bool) -> None:
    print(f"talk-off, {len(spoken) / RATE:.0f} s of espeak-ng speech (8 sentences, 6 voices):")
    for label, samples in (("as is", spoken), ("+10 dB", np.clip(spoken * 3.16, -32768, 32767))):
        print(f"  {label}: {len(detect_presses(to_pcm(samples)))} false keys")
        if gsm:
            coded = to_pcm(gsm_round_trip(samples, workdir))
            print(f"  {label}, after GSM FR: {len(detect_presses(coded))} false keys")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=100, help="sequences per figure")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    gsm = sox_has_gsm()
    if not gsm:
        print("sox has no GSM 06.10 format: GSM figures skipped "
              "(Debian: apt-get install sox libsox-fmt-all)")
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        spoken = speech(workdir)
        per_second, per_frame = cpu_per_audio_second(workdir, spoken)
        print(f"CPU: {per_second:.4f} s per s of audio ({per_frame:.0f} us per 20 ms frame)")
        print_accuracy(workdir, args.sequences, args.seed, gsm)
        print_talk_off(workdir, spoken, gsm)


if __name__ == "__main__":
    main()
