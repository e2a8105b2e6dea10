"""The SMS command words and replies of each language the box ships with.

English is [sms.aliases] and [sms.replies] (gateway/config/table_sms.py); every other
language has a module here with WORDS (command -> its words, the first one shown in
replies) and TEXTS (reply name -> text), the keys of those two sections; REASONS: the
call side's reasons for a refusal (en.py: the English ones) in the language; STATES: how
a leg of a connect two ended, for its summary SMS (en.py: the English ones). An owner
overrides WORDS and TEXTS per language with [sms.texts.<lang>] and [sms.words.<lang>].

Command words are compared folded (`fold`): case, accents and the letters that
carry no accent to take off (Polish ł, Turkish dotless ı, German ß) do not matter,
so RÜCKRUF, Rueckruf and rückruf, SOLDE and Sølde... all match as written by
phones without the keyboard of the language. tests/test_sms_languages.py proves
that no folded word names two commands across the languages.
"""
from __future__ import annotations

import unicodedata

from gateway.config.sms_texts import ar, de, en, es, fr, it, pl, ru, tr

MODULES = {"de": de, "fr": fr, "es": es, "it": it, "pl": pl, "tr": tr, "ru": ru, "ar": ar}
WORDS: dict[str, dict[str, tuple[str, ...]]] = {lang: m.WORDS for lang, m in MODULES.items()}
TEXTS: dict[str, dict[str, str]] = {lang: m.TEXTS for lang, m in MODULES.items()}
REASONS: dict[str, dict[str, str]] = {"en": en.REASONS,
                                      **{lang: m.REASONS for lang, m in MODULES.items()}}
STATES: dict[str, dict[str, str]] = {"en": en.STATES,
                                     **{lang: m.STATES for lang, m in MODULES.items()}}

# letters with no Unicode decomposition a phone without the language's keyboard writes plain
_PLAIN = str.maketrans({"ł": "l", "ı": "i", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae",
                        "œ": "oe", "ё": "е", "ى": "ي", "ة": "ه"})


def fold(word: str) -> str:
    """Gives a command word as it is compared: no case, no accents ("Rückruf" -> "ruckruf",
    "BAKİYE" and "bakıye" -> "bakiye", "إلغاء" -> "الغاء")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_PLAIN)
