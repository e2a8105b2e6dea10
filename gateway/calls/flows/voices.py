"""The box's voice in each language its callers hear: one `Speech` per language, made
the first time a caller needs it and kept (same currency, prompt folder and phrase
cache as the box's own voice).

A language whose prompts are missing is not spoken: its callers hear the box's
language, and the log says so once.
"""
from __future__ import annotations

import logging
import threading

from audio import prompts
from gateway.calls.flows.seams import Voice

log = logging.getLogger(__name__)


class Voices:
    """Gives a Voice by language; see the module docstring. Safe from any thread."""

    def __init__(self, default: Voice):
        self.default = default
        self._made: dict[str, Voice] = {}
        self._lock = threading.Lock()

    @property
    def language(self) -> str:
        return getattr(self.default, "lang", "en")

    def get(self, language: str | None) -> Voice:
        """Gives the voice of `language` (the box's for None or one without prompts)."""
        if not language or language == self.language:
            return self.default
        with self._lock:
            voice = self._made.get(language)
            if voice is None:
                voice = self._made[language] = self._make(language)
        return voice

    def speaks(self, language: str) -> bool:
        """Gives whether `language` is spoken in its own voice (not the box's instead)."""
        return self.get(language) is not self.default or language == self.language

    def _make(self, language: str) -> Voice:
        make = getattr(self.default, "in_language", None)
        if make is None:            # a voice of one language only
            return self.default
        missing = prompts.check(language, getattr(self.default, "prompt_dir", None))
        if missing:
            log.error("callers of language %s hear %s instead: %s", language, self.language,
                      missing)
            return self.default
        log.info("voice in %s made (currency %s)", language,
                 getattr(self.default, "currency", "?"))
        return make(language)
