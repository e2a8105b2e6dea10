"""Phrases spoken whole: synthesized with espeak-ng the first time, then read from disk.

    cache = PhraseCache(state_dir / "phrases")
    pcm = cache.pcm("de", "einundzwanzig Euro und fünfzig Cent")

    python -m audio.phrases [--lang de ...]     # `make prompts`: the durations ahead

Money and durations cannot be strung together from prompt pieces with the right
grammar in every language ("einundzwanzig", "vingt et une minutes", "две минуты"),
so `audio.speech` says each as one phrase. A phrase is made as a prompt is
(`audio.prompts.synthesize`: the same voice, 8 kHz, the same loudness) into
`<folder>/<lang>/<hash>.wav`, the hash of the pipeline, voice and text; the file
appears whole (written aside, then renamed), so a reader or another process never
sees half of one. Reading a phrase touches it; past `max_bytes` the least recently
used are deleted. A folder that cannot be written still gives the phrase (made in
a temporary folder), only not kept: logged.

Every call says how long it may talk, so `make prompts` makes the phrases of 1 to
PREMADE_MINUTES minutes of every language ahead into PREMADE_DIR (beside the
prompts); a cache looks there first. A phrase made at run time takes about 0.1 s
on a desktop core (bench/phrases.py); `prepare` starts it as soon as the words
are known.
"""
from __future__ import annotations

import argparse
import hashlib
import itertools
import logging
import os
import pathlib
import queue
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from audio.player import PromptError, read_wav
from audio.prompts import CODES, LANGUAGES, PIPELINE, Language, synthesize
from audio.words import duration_text

log = logging.getLogger(__name__)

PREMADE_DIR = pathlib.Path(__file__).resolve().parent / "phrases"
# where phrases made at run time go when no folder is given (the daemon gives its state_dir's)
RUNTIME_DIR = pathlib.Path(tempfile.gettempdir()) / f"callbox-phrases-{os.getuid()}"
PREMADE_MINUTES = 60
MAX_BYTES = 64 * 1024 * 1024     # about 70 minutes of 8 kHz speech
KEEP_AFTER_TRIM = 0.8            # a trim goes down to this share of max_bytes
IDLE_S = 60.0                    # the phrase-make thread ends after this long without work


class Phrase(str):
    """Words said whole (money, a duration), not the name of a prompt."""


def phrase_path(folder: pathlib.Path, lang: str, text: str) -> pathlib.Path:
    """Gives where the phrase `text` of `lang` is kept in `folder`."""
    language = _language(lang)
    key = f"{PIPELINE}|{language.voice}|{language.speed}|{text}"
    return folder / lang / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"


class PhraseCache:
    """Spoken phrases on disk, keyed by language and text; see the module docstring.

    Phrases are made by one daemonic thread, `phrase-make`, in the order asked for; it
    ends after `idle_s` without work (a reload's new voice leaves no thread behind)."""

    def __init__(self, folder: pathlib.Path | str | None = None, max_bytes: int = MAX_BYTES,
                 premade: pathlib.Path | str | None = PREMADE_DIR, idle_s: float = IDLE_S):
        self.folder = pathlib.Path(folder or RUNTIME_DIR)
        self.idle_s = idle_s
        self.premade = pathlib.Path(premade) if premade else None
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._making: dict[pathlib.Path, Future] = {}
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def path(self, lang: str, text: str) -> pathlib.Path:
        """Gives where the phrase is (pre-made) or goes (made at run time)."""
        if self.premade is not None:
            made = phrase_path(self.premade, lang, text)
            if made.is_file():
                return made
        return phrase_path(self.folder, lang, text)

    def pcm(self, lang: str, text: str) -> bytes:
        """Gives the PCM (8 kHz S16LE mono) of `text` spoken in `lang`, made if need be."""
        made = self.prepare(lang, text).result()
        if made is not None:
            return made
        path = self.path(lang, text)
        try:
            pcm = read_wav(path)
        except FileNotFoundError:           # trimmed between the look and the read
            return self._make(lang, text, path)
        _touch(path)
        return pcm

    def prepare(self, lang: str, text: str) -> Future:
        """Starts making `text` unless it is on disk or being made; gives a future of its
        PCM (of None when it is on disk). Call it as soon as the words are known, so
        that they are ready when said."""
        path = self.path(lang, text)
        with self._lock:
            making = self._making.get(path)
            if making is None and path.is_file():
                making = Future()
                making.set_result(None)         # on disk: pcm() reads it
            elif making is None:
                making = self._making[path] = Future()
                self._queue.put((lang, text, path, making))
                if self._thread is None:
                    self._thread = threading.Thread(target=self._work, name="phrase-make",
                                                    daemon=True)
                    self._thread.start()
        return making

    def _work(self) -> None:
        while True:
            try:
                lang, text, path, making = self._queue.get(timeout=self.idle_s)
            except queue.Empty:
                with self._lock:        # prepare() queues and looks at the thread under it
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            making.set_running_or_notify_cancel()
            try:
                making.set_result(self._make(lang, text, path))
            except Exception as error:      # the caller of pcm() gets it; the worker goes on
                log.error("phrase %r (%s) not made: %s", text, lang, error)
                making.set_exception(error)
            finally:
                with self._lock:
                    self._making.pop(path, None)
            self._trim_quietly()            # after the phrase is handed over: no caller waits

    def _make(self, lang: str, text: str, path: pathlib.Path) -> bytes:
        started = time.monotonic()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            synthesize(text, _language(lang), path)
        except OSError as error:
            log.warning("phrase cache %s not writable (%s): %r made but not kept",
                        self.folder, error, text)
            with tempfile.TemporaryDirectory(prefix="callbox-phrase-") as work:
                aside = pathlib.Path(work) / "phrase.wav"
                synthesize(text, _language(lang), aside)
                return read_wav(aside)
        log.info("phrase %r (%s) made in %.0f ms", text, lang,
                 1000 * (time.monotonic() - started))
        return read_wav(path)

    def _trim_quietly(self) -> None:
        try:
            self.trim()
        except OSError as error:        # a cache that cannot be trimmed still gives phrases
            log.warning("phrase cache %s not trimmed: %s", self.folder, error)

    def trim(self) -> int:
        """Deletes the least recently used phrases past max_bytes; gives how many."""
        files = []
        for wav in self.folder.glob("*/*.wav"):
            try:
                stat = wav.stat()
            except FileNotFoundError:
                continue          # trimmed by another process meanwhile
            files.append((stat.st_mtime_ns, stat.st_size, wav))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return 0
        deleted = 0
        for _, size, wav in sorted(files):
            if total <= self.max_bytes * KEEP_AFTER_TRIM:
                break
            wav.unlink(missing_ok=True)
            total -= size
            deleted += 1
        log.info("phrase cache %s trimmed: %d least recently used phrases deleted",
                 self.folder, deleted)
        return deleted


def premake(lang: str, folder: pathlib.Path = PREMADE_DIR, minutes: int = PREMADE_MINUTES,
            workers: int | None = None) -> tuple[int, int]:
    """Makes the phrases of 1 to `minutes` minutes of `lang` that `folder` lacks (in
    parallel); gives (made, already there)."""
    language = _language(lang)
    wanted = {phrase_path(folder, lang, text): text
              for text in (duration_text(60 * n, lang) for n in range(1, minutes + 1))}
    missing = {path: text for path, text in wanted.items() if not path.is_file()}
    if missing:
        (folder / lang).mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=workers or min(8, os.cpu_count() or 1)) as pool:
            list(pool.map(lambda item: synthesize(item[1], language, item[0]),
                          missing.items()))
    return len(missing), len(wanted) - len(missing)


def _language(lang: str) -> Language:
    try:
        return LANGUAGES[lang]
    except KeyError:
        raise PromptError(f"no voice to speak {lang!r} phrases with (have "
                          f"{', '.join(sorted(LANGUAGES))})") from None


def _touch(path: pathlib.Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass      # a read-only cache is still a cache: only its order of deletion suffers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audio.phrases",
                                     description="Make the duration phrases ahead (8 kHz WAV).")
    parser.add_argument("--lang", action="append", choices=sorted(LANGUAGES),
                        help="only this language (repeatable; default: every language)")
    parser.add_argument("--out", type=pathlib.Path, default=PREMADE_DIR)
    args = parser.parse_args(argv)
    started = time.monotonic()
    for lang in args.lang or CODES:
        made, there = premake(lang, args.out)
        print(f"{lang}: {made} duration phrases made, {there} there already", flush=True)
    print(f"phrases in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
