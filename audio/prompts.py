"""The words the box says, and the generator that turns them into 8 kHz WAV prompts.

    python -m audio.prompts [--lang de ...] [--out DIR] [NAME ...]

writes `<out>/<lang>/<name>.wav` for every language of LANGUAGES (or those named;
default out: the `prompts` folder beside this module: the installed package's own
on a box, the checkout's in development) with espeak-ng, resampled with sox to 8 kHz mono S16 and normalized. A manifest beside the
WAVs records, per prompt, the hash of the text (and voice settings) it was
made from and the hash of the file made, so that

- a prompt whose text did not change is not made again, and
- a WAV whose hash is not the one recorded was put there by someone else
  (an admin's recording): it is kept, never overwritten, and reported.

Generation takes a lock on the folder, so concurrent runs (parallel test
workers, `make` twice) do not step on each other.
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib
import json
import logging
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

DEFAULT_DIR = pathlib.Path(__file__).resolve().parent / "prompts"
MANIFEST = "manifest.json"
PIPELINE = "espeak-ng|sox rate 8000 trim|-20 LUFS|v2"   # change to remake every prompt
# Every prompt is made equally loud, measured (ITU-R BS.1770, audio/loudness.py), so
# that a sentence built from pieces does not jump in level. -20 LUFS, not the -16 of
# podcasts: synthetic speech at 8 kHz peaks about 18 dB above its loudness, and -16
# would clip the peaks of half the prompts; at -20 every peak stays below -1 dBFS.
LOUDNESS_LUFS = -20.0
PEAK_LIMIT_DBFS = -1.0


@dataclass(frozen=True)
class Language:
    """How one language's prompts are spoken: espeak-ng voice, words per minute, texts."""

    voice: str
    speed: int
    texts: dict[str, str]


# The languages with texts, one module each in audio/texts/ (English first: the reference).
CODES = ("en", "de", "fr", "es", "it", "pl", "tr", "ru", "ar")


def _load(code: str) -> Language:
    module = importlib.import_module(f"audio.texts.{code}")
    return Language(voice=module.VOICE, speed=module.SPEED, texts=module.TEXTS)


LANGUAGES = {code: _load(code) for code in CODES}
ENGLISH = LANGUAGES["en"].texts

# The names the box says in every language (the flows name them; money, durations and
# numbers are phrases: audio/speech.py, audio/phrases.py).
NAMES = tuple(ENGLISH)


@dataclass
class Report:
    """What one generator run did, by prompt name."""

    total: int = 0
    generated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    recordings: list[str] = field(default_factory=list)     # kept: not made by us
    stale_recordings: list[str] = field(default_factory=list)  # kept although the text changed
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return len(self.generated) + len(self.unchanged) + len(self.recordings) + len(self.failed)


def text_hash(language: Language, text: str) -> str:
    """Gives the hash that changes when the text or the way it is spoken changes."""
    key = f"{PIPELINE}|{language.voice}|{language.speed}|{text}"
    return hashlib.sha256(key.encode()).hexdigest()


def file_hash(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def synthesize(text: str, language: Language, target: pathlib.Path) -> None:
    """Writes `text` spoken as 8 kHz mono S16 WAV to `target` (atomically)."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".make-") as work:
        spoken = pathlib.Path(work) / "spoken.wav"
        made = pathlib.Path(work) / "made.wav"
        _run(["espeak-ng", "-v", language.voice, "-s", str(language.speed), "-w", str(spoken),
              "--", text])
        # silence trims cut espeak's leading and trailing pauses: the player adds its own
        _run(["sox", str(spoken), "-c", "1", "-b", "16", "-e", "signed-integer", str(made),
              "silence", "1", "0.01", "0.1%", "reverse", "silence", "1", "0.01", "0.1%",
              "reverse", "rate", "8000", "gain", "-n", "-3"])
        # numpy only here: every `callbox` command imports this module, few make prompts
        from audio.loudness import normalize
        normalize(made, LOUDNESS_LUFS, PEAK_LIMIT_DBFS, f"{target.name} ({text!r})")
        os.replace(made, target)


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except FileNotFoundError as error:
        raise RuntimeError(f"{command[0]} is not installed (apt-get install espeak-ng sox)"
                           ) from error
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def generate(lang: str = "en", out_dir: pathlib.Path | str | None = None,
             names: Iterable[str] | None = None,
             progress: Callable[[Report, str], None] | None = None,
             language: Language | None = None) -> Report:
    """Makes the WAVs of `names` (default: all) that are missing or whose text changed.

    `language` replaces the built-in texts and voice of `lang` (tests, custom texts).
    """
    if language is None:
        if lang not in LANGUAGES:
            raise ValueError(f"no prompt texts for language {lang!r} (have {sorted(LANGUAGES)})")
        language = LANGUAGES[lang]
    wanted = list(language.texts) if names is None else list(names)
    unknown = [name for name in wanted if name not in language.texts]
    if unknown:
        raise ValueError(f"no prompt text for {', '.join(unknown)}")
    folder = pathlib.Path(out_dir or DEFAULT_DIR) / lang
    folder.mkdir(parents=True, exist_ok=True)
    report = Report(total=len(wanted))
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = _read_manifest(folder)
        to_make = _sort_out(wanted, language, folder, manifest, report)
        if progress:
            progress(report, "")
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
            futures = {name: pool.submit(synthesize, language.texts[name], language,
                                         folder / f"{name}.wav") for name in to_make}
            for name, future in futures.items():
                try:
                    future.result()
                except Exception as error:
                    report.failed[name] = str(error)
                    log.error("prompt %s: %s", name, error)
                else:
                    wav = folder / f"{name}.wav"
                    manifest[name] = {"text": text_hash(language, language.texts[name]),
                                      "wav": file_hash(wav)}
                    report.generated.append(name)
                if progress:
                    progress(report, name)
        _write_manifest(folder, manifest)
    return report


def missing(lang: str = "en", prompt_dir: pathlib.Path | str | None = None) -> list[str]:
    """Gives the names of the prompts that have no WAV for `lang` in `prompt_dir`."""
    folder = pathlib.Path(prompt_dir or DEFAULT_DIR) / lang
    return [name for name in NAMES if not (folder / f"{name}.wav").is_file()]


def spoken_languages(prompt_dir: pathlib.Path | str | None = None) -> tuple[str, ...]:
    """Gives the languages the box can speak: those with texts (CODES, in that order), then
    folders of an admin's own recordings in `prompt_dir`, by name."""
    folder = pathlib.Path(prompt_dir or DEFAULT_DIR)
    try:
        recorded = sorted(path.name for path in folder.iterdir()
                          if path.is_dir() and path.name not in CODES
                          and re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", path.name)
                          and any(path.glob("*.wav")))
    except FileNotFoundError:
        recorded = []
    return CODES + tuple(recorded)


def make_command(lang: str = "en", prompt_dir: pathlib.Path | str | None = None) -> str:
    """Gives the command that makes `lang`'s prompts where this program reads them."""
    # -I: run from inside a checkout, a bare `-m audio.prompts` imports the checkout's
    # module and writes there, not where the installed box reads.
    return (f"{sys.executable} -I -m audio.prompts --lang {lang} "
            f"--out {pathlib.Path(prompt_dir or DEFAULT_DIR)}")


def check(lang: str = "en", prompt_dir: pathlib.Path | str | None = None) -> str | None:
    """Gives why the box would be mute or gappy in `lang` (None: every prompt is there)."""
    absent = missing(lang, prompt_dir)
    if not absent:
        return None
    folder = pathlib.Path(prompt_dir or DEFAULT_DIR) / lang
    shown = ", ".join(absent[:5]) + (", ..." if len(absent) > 5 else "")
    if lang not in LANGUAGES:
        fix = f"record them as 8 kHz mono WAVs (there are no texts to generate {lang!r} from)"
    else:
        fix = f"make them (as the owner of that folder): {make_command(lang, prompt_dir)}"
    return (f"{len(absent)} of {len(NAMES)} voice prompts missing in {folder} ({shown}); "
            f"{fix}")


def _sort_out(wanted: list[str], language: Language, folder: pathlib.Path, manifest: dict,
              report: Report) -> list[str]:
    """Files each prompt as unchanged or a recording in `report`; gives those to make."""
    to_make = []
    for name in wanted:
        wav = folder / f"{name}.wav"
        entry = manifest.get(name, {})
        if wav.exists() and entry.get("wav") != file_hash(wav):
            report.recordings.append(name)
            if entry and entry.get("text") != text_hash(language, language.texts[name]):
                report.stale_recordings.append(name)
        elif wav.exists() and entry.get("text") == text_hash(language, language.texts[name]):
            report.unchanged.append(name)
        else:
            to_make.append(name)
    return to_make


def _read_manifest(folder: pathlib.Path) -> dict:
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        log.warning("%s unreadable (%s); every WAV there counts as a recording", path, error)
        return {}
    return data.get("prompts", {}) if isinstance(data, dict) else {}


def _write_manifest(folder: pathlib.Path, manifest: dict) -> None:
    path = folder / MANIFEST
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(json.dumps({"pipeline": PIPELINE, "prompts": manifest}, indent=1,
                              sort_keys=True) + "\n")
    os.replace(tmp, path)


def _show_progress(report: Report, _name: str) -> None:
    if sys.stdout.isatty():
        print(f"\r  {report.done}/{report.total} prompts done", end="", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m audio.prompts",
                                     description="Generate the spoken prompts (8 kHz WAV).")
    parser.add_argument("--lang", action="append", choices=sorted(LANGUAGES),
                        help="only this language (repeatable; default: every language)")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_DIR,
                        help=f"folder holding one subfolder per language (default {DEFAULT_DIR})")
    parser.add_argument("names", nargs="*", help="only these prompts (default: all)")
    args = parser.parse_args(argv)
    failed = False
    started = time.monotonic()
    for lang in args.lang or CODES:
        print(f"{lang}: {LANGUAGES[lang].voice} voice", flush=True)
        failed |= _generate_one(lang, args.out, args.names or None)
    print(f"{len(args.lang or CODES)} language(s) in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


def _generate_one(lang: str, out: pathlib.Path, names: list[str] | None) -> bool:
    """Makes one language's prompts and says what was done; gives whether any failed."""
    report = generate(lang, out, names, _show_progress)
    if sys.stdout.isatty():
        print()
    print(f"  {len(report.generated)}/{report.total} prompts generated in {out / lang}, "
          f"{len(report.unchanged)} unchanged, {len(report.recordings)} recordings kept")
    for name in report.recordings:
        stale = name in report.stale_recordings
        note = " (its text has changed since: re-record it?)" if stale else ""
        print(f"  {name}.wav is a recording, not generated: kept{note}")
    for name, error in report.failed.items():
        print(f"  {name}: FAILED: {error}", file=sys.stderr)
    return bool(report.failed)


if __name__ == "__main__":
    sys.exit(main())
