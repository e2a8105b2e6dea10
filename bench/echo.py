"""Benchmark: the echo canceller (libspeexdsp, audio/voice.py) on the simulated handset echo.

Far-end speech-like sound (noise shaped like a voice, in syllables) is what the
box sends to a modem; the virtual network's handset echo (modems/sim/echo.py:
delay, echo return loss, a low-pass) gives what comes back. For each echo
path this prints:

- ERLE (echo return loss enhancement: how much quieter the echo is after the
  canceller) over each second from the start, and the figure after 2 s of
  convergence (the window 2-3 s) that the issue's target (>= 25 dB) is about;
- near-end speech loss in double talk: after 6 s of far end alone, the near end
  talks too (another voice, 12 dB above the echo); how much of the near end's
  level the canceller takes away while both talk (target <= 3 dB);
- CPU per 20 ms frame of one leg's canceller.

    python bench/echo.py
"""
from __future__ import annotations

from pathlib import Path
import sys
import time

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audio.pcm import FRAME_BYTES, FRAME_SAMPLES, RATE, samples, to_pcm  # noqa: E402
from audio.voice import VoiceProcessor, VoiceSettings                      # noqa: E402
from modems.sim.echo import EchoPath                                        # noqa: E402

PATHS = ((20, 10, 128), (60, 15, 128), (120, 20, 128), (120, 20, 256), (250, 15, 300))
SECONDS = 12


def speech_like(seconds: float, seed: int, phase: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    count = int(RATE * seconds)
    noise = np.convolve(rng.normal(0, 4000, count), np.ones(4) / 4, mode="same")
    syllables = np.sin(np.arange(count) / RATE * 2 * np.pi * 2.5 + phase) > -0.2
    return noise * syllables


def power_db(values: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.square(values)) + 1e-9)


def run_path(delay_ms: int, return_loss_db: float, tail_ms: int) -> dict:
    far = speech_like(SECONDS, 1)
    near = speech_like(SECONDS, 2, phase=1.3)
    near_starts = 6 * RATE
    path = EchoPath(delay_ms, return_loss_db)
    processor = VoiceProcessor(VoiceSettings(echo_cancel=True, echo_tail_ms=tail_ms))
    echo_level = power_db(far) - return_loss_db
    near = near * 10 ** ((echo_level + 12 - power_db(near)) / 20)     # 12 dB above the echo
    echoes, outputs, cpu = [], [], 0.0
    for start in range(0, len(far), FRAME_SAMPLES):
        played = to_pcm(far[start:start + FRAME_SAMPLES])
        talk = near[start:start + FRAME_SAMPLES] if start >= near_starts else np.zeros(FRAME_SAMPLES)
        echo = samples(path.add_to(bytes(FRAME_BYTES)))
        path.heard(played)
        began = time.thread_time()
        out = processor.captured(to_pcm(echo + talk), played)
        cpu += time.thread_time() - began
        echoes.append(echo)
        outputs.append(samples(out))
    frames_per_s = RATE // FRAME_SAMPLES
    erle = []
    for second in range(6):
        window = slice(second * frames_per_s, (second + 1) * frames_per_s)
        erle.append(power_db(np.concatenate(echoes[window]))
                    - power_db(np.concatenate(outputs[window])))
    double = slice(near_starts // FRAME_SAMPLES + frames_per_s, len(outputs))   # settled 1 s
    near_level = power_db(np.concatenate([near[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES]
                                          for i in range(double.start, double.stop)]))
    out_level = power_db(np.concatenate(outputs[double]))
    processor.close()
    return {"erle": erle, "near_loss": near_level - out_level,
            "us_per_frame": cpu / len(outputs) * 1e6}


def main() -> None:
    print(f"echo canceller (speexdsp MDF + residual suppressor), {SECONDS} s of speech-like "
          f"sound per path, 20 ms frames at 8 kHz")
    print(f"{'echo path':<28} {'ERLE per second from the start (dB)':<42} "
          f"{'after 2 s':>9} {'near-end loss':>14} {'CPU/frame':>10}")
    for delay_ms, loss_db, tail_ms in PATHS:
        result = run_path(delay_ms, loss_db, tail_ms)
        seconds = " ".join(f"{value:5.1f}" for value in result["erle"])
        print(f"{delay_ms:>3} ms, ERL {loss_db:>2} dB, tail {tail_ms:>3} ms  {seconds:<42} "
              f"{result['erle'][2]:>8.1f}  {result['near_loss']:>11.1f} dB "
              f"{result['us_per_frame']:>7.0f} us")
    print("ERLE after 2 s: the window 2-3 s; near-end loss: the near end's level minus the "
          "output's while both talk (5 s, 250 frames)")


if __name__ == "__main__":
    main()
