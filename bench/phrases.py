"""Benchmark: how long a caller waits for a phrase (money, a duration) the first time.

A phrase not in the phrase cache is synthesized when it is first asked for
(audio/phrases.py: espeak-ng, sox, loudness). The flow says the prompt before it
("you can talk for", "your balance is") while it is made (gateway/calls/flows/
callback.py `inform`), so the caller's wait is what the making takes beyond that
prompt. For each language, --samples amounts and durations never said before (a
fresh cache folder, durations past the 60 pre-made minutes) are asked for one
after another as the flows ask: the clock starts when the words are known and
the prompt starts, and stops when the phrase is ready. Prints per language the
making's median and worst, the caller's wait, and over all languages the
median and max of the wait with the number of samples. --load N keeps N other
processes busy meanwhile (a loaded box).

    python bench/phrases.py [--samples 20] [--load 2]
"""
from __future__ import annotations

import argparse
import multiprocessing
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from audio.pcm import RATE, SAMPLE_BYTES              # noqa: E402
from audio.phrases import PhraseCache                 # noqa: E402
from audio.player import load_prompt                  # noqa: E402
from audio.prompts import CODES                       # noqa: E402
from audio.words import duration_text, money_text     # noqa: E402

BUDGET_MS = 300


def measure(cache: PhraseCache, lang: str, samples: int) -> tuple[list[float], list[float]]:
    """Gives the making's and the caller's wait's milliseconds of `samples` new phrases."""
    made, waits = [], []
    for i in range(samples):
        if i % 2:
            text, prompt = money_text(1000 + 137 * i, lang, "EUR"), "your_balance_is"
        else:
            text, prompt = duration_text(60 * (61 + 7 * i), lang), "you_can_talk_for"
        started = time.perf_counter()
        future = cache.prepare(lang, text)          # the words are known...
        head = load_prompt(prompt, lang)            # ...and the prompt before them starts
        said_s = len(head) / (RATE * SAMPLE_BYTES)
        future.result()
        took = 1000 * (time.perf_counter() - started)
        made.append(took)
        waits.append(max(0.0, took - 1000 * said_s))
    return made, waits


def _busy(stop) -> None:
    while not stop.is_set():
        sum(range(10000))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20, help="new phrases per language")
    parser.add_argument("--load", type=int, default=0, help="busy processes meanwhile")
    args = parser.parse_args()
    stop = multiprocessing.Event()
    burners = [multiprocessing.Process(target=_busy, args=(stop,), daemon=True)
               for _ in range(args.load)]
    for burner in burners:
        burner.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-phrases-") as folder:
            cache = PhraseCache(folder)
            cache.pcm("en", "warming up")   # numpy's first import is the daemon's
            print(f"new phrases, {args.samples} per language, {args.load} busy processes "
                  "(ms)")
            print(f"{'lang':5} {'made median':>11} {'made worst':>10} {'wait median':>11} "
                  f"{'wait worst':>10}")
            every_wait = []
            for lang in CODES:
                made, waits = measure(cache, lang, args.samples)
                every_wait += waits
                print(f"{lang:5} {statistics.median(made):11.0f} {max(made):10.0f} "
                      f"{statistics.median(waits):11.0f} {max(waits):10.0f}")
    finally:
        stop.set()
        for burner in burners:
            burner.join()
    worst = max(every_wait)
    print(f"caller's wait for a new phrase after its prompt: median "
          f"{statistics.median(every_wait):.0f} ms, max {worst:.0f} ms, n = {len(every_wait)}: "
          f"{'within' if worst <= BUDGET_MS else 'OVER'} the {BUDGET_MS} ms budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
