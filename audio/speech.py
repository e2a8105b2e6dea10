"""What the box says, as PCM: prompts by name, and money, durations and numbers as phrases.

    speech = Speech(lang="de", currency="EUR")
    speech.say("your_balance_is", speech.money_words(2150))
        -> "Ihr Guthaben beträgt" + "einundzwanzig Euro und fünfzig Cent"

A part of `say` is a prompt name, a list of them, or a `Phrase`: words with the
grammar of the language (audio/words.py, num2words) spoken whole from the phrase
cache (audio/phrases.py). `Speech(lang=...)` is how the rest of the box asks for a
language. A prompt missing in that language is said in English, and logged.
"""
from __future__ import annotations

import logging
import pathlib
from collections.abc import Iterable

from audio.pcm import RATE, SAMPLE_BYTES
from audio.phrases import Phrase, PhraseCache
from audio.player import PAUSE_S, PromptError, load_prompt
from audio.prompts import LANGUAGES
from audio.words import LANGS, duration_text, known_currency, money_text

log = logging.getLogger(__name__)

__all__ = ["Phrase", "Speech", "Spoken"]

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


class Spoken(bytes):
    """PCM that knows what it says: `names`, its prompt names and phrases (a call's
    timeline lists them)."""

    def __new__(cls, pcm: bytes, names: Iterable[str]):
        spoken = super().__new__(cls, pcm)
        spoken.names = tuple(str(name) for name in names)
        return spoken


class Speech:
    """Says prompts, numbers, money and durations in one language and currency, as PCM."""

    def __init__(self, lang: str = "en", prompt_dir: pathlib.Path | str | None = None,
                 currency: str | None = None, pause_s: float = PAUSE_S,
                 phrases: PhraseCache | None = None):
        code = (currency or "USD").upper()
        if not known_currency(code):
            raise ValueError(f"no words for the currency {code!r} in any language "
                             "(an ISO 4217 code num2words knows, like EUR, USD, PLN, RUB)")
        self.lang = lang
        # a language of recordings only (no texts, no voice): its amounts in English
        self.words_lang = lang if lang in LANGS and lang in LANGUAGES else "en"
        if self.words_lang != lang:
            log.warning("no number words or voice for %s: money and durations are said in "
                        "English", lang)
        self.prompt_dir = prompt_dir
        self.currency = code
        self.pause_s = pause_s
        self.phrases = phrases or PhraseCache()
        self._missing_said: set[str] = set()

    def in_language(self, lang: str) -> "Speech":
        """Gives this voice in another language: same currency, prompt folder, pauses and
        phrase cache."""
        return Speech(lang, self.prompt_dir, self.currency, self.pause_s, self.phrases)

    # -- words -------------------------------------------------------------------------
    def money_words(self, minor_units: int) -> Phrase:
        """Gives an amount of minor units as the phrase that says it ("vingt et un euros")."""
        return self._phrase(money_text(minor_units, self.words_lang, self.currency))

    def duration_words(self, seconds: int | float) -> Phrase:
        """Gives a time limit as a phrase: whole minutes, or seconds below a minute."""
        return self._phrase(duration_text(seconds, self.words_lang))

    def digit_words(self, number: str) -> list[str]:
        """Gives the prompt names that read a phone number digit by digit."""
        return [DIGITS[int(digit)] for digit in number if digit.isdigit()]

    def ready(self, part: str) -> bool:
        """Tells whether `part` can be said at once: a prompt, or a phrase on disk or made
        (one still being made would keep the caller waiting for it)."""
        if not isinstance(part, Phrase):
            return True
        return self.phrases.prepare(self.words_lang, part).done()

    def _phrase(self, text: str) -> Phrase:
        self.phrases.prepare(self.words_lang, text)      # made while the flow goes on
        return Phrase(text)

    # -- sound -------------------------------------------------------------------------
    def say(self, *parts: str | list[str], pause_after: bool = False) -> bytes:
        """Gives the PCM of prompt names, lists of them and phrases, a short pause between
        (and after them: `pause_after`, when more follows in another piece)."""
        pieces: list[str] = []
        for part in parts:
            pieces.extend([part] if isinstance(part, str) else part)
        pcm = self.sequence(pieces)
        if not pause_after:
            return pcm
        return Spoken(pcm + bytes(SAMPLE_BYTES * round(RATE * self.pause_s)), pcm.names)

    def sequence(self, names: Iterable[str]) -> bytes:
        """Gives the PCM of prompts (and phrases) `names` with short pauses between them."""
        names = list(names)
        pause = bytes(SAMPLE_BYTES * round(RATE * self.pause_s))
        return Spoken(pause.join(self._pcm(name) for name in names), names)

    def money(self, minor_units: int) -> bytes:
        return self.say(self.money_words(minor_units))

    def duration(self, seconds: int | float) -> bytes:
        return self.say(self.duration_words(seconds))

    def _pcm(self, part: str) -> bytes:
        if isinstance(part, Phrase):
            return self.phrases.pcm(self.words_lang, part)
        try:
            return load_prompt(part, self.lang, self.prompt_dir)
        except PromptError as error:
            if self.lang == "en":
                raise
            if part not in self._missing_said:
                self._missing_said.add(part)
                log.error("prompt %s has no %s version, said in English: %s", part,
                          self.lang, error)
            return load_prompt(part, "en", self.prompt_dir)
