"""Benchmark: how long a caller waits for a phrase (money, a duration) the first time.

A phrase not in the phrase cache is synthesized when it is first said
(audio/phrases.py: espeak-ng, sox, loudness); the box budget is 300 ms before the
phrase starts. For each language, --samples amounts never said before (a fresh
cache folder) are made one after another, as the daemon makes them, then each is
read again from disk. Prints the median, 90th percentile and worst per language.

    python bench/phrases.py [--samples 20]
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio.phrases import PhraseCache                 # noqa: E402
from audio.prompts import CODES                       # noqa: E402
from audio.words import duration_text, money_text     # noqa: E402

BUDGET_MS = 300


def measure(cache: PhraseCache, lang: str, samples: int) -> tuple[list[float], list[float]]:
    """Gives the first-time and the cached milliseconds of `samples` phrases of `lang`."""
    texts = [money_text(1000 + 137 * i, lang, "EUR") if i % 2 else duration_text(60 * (i + 3), lang)
             for i in range(samples)]
    first, again = [], []
    for text in texts:
        started = time.perf_counter()
        cache.pcm(lang, text)
        first.append(1000 * (time.perf_counter() - started))
    for text in texts:
        started = time.perf_counter()
        cache.pcm(lang, text)
        again.append(1000 * (time.perf_counter() - started))
    return first, again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-phrases-") as folder:
        cache = PhraseCache(folder)
        cache.pcm("en", "warming up")      # numpy's first import is the daemon's, not a phrase's
        print(f"phrase synthesis, {args.samples} new phrases per language (ms)")
        print(f"{'lang':5} {'median':>7} {'p90':>7} {'worst':>7} {'cached':>7}")
        worst_all = 0.0
        for lang in CODES:
            first, again = measure(cache, lang, args.samples)
            first.sort()
            worst_all = max(worst_all, first[-1])
            print(f"{lang:5} {statistics.median(first):7.0f} "
                  f"{first[int(0.9 * (len(first) - 1))]:7.0f} {first[-1]:7.0f} "
                  f"{statistics.median(again):7.1f}")
    verdict = "within" if worst_all <= BUDGET_MS else "OVER"
    print(f"worst first-time phrase {worst_all:.0f} ms: {verdict} the {BUDGET_MS} ms budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
