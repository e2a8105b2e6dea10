"""[languages]: the language of callers by their number's country calling code.

The section has no fixed keys: each key is an E.164 prefix, each value a language
the box has prompts for (audio.prompts.spoken_languages). gateway/money/languages.py
decides a call's language with it.
"""
from __future__ import annotations

import re

from audio.prompts import spoken_languages
from gateway.config.reader import Section, Table, describe

LANGUAGES = Section("languages", keys=(), key_notes=False, help="""\
The language of callers by their number's country calling code, for a caller
whose account has no language of its own (set it with `callbox account
language NAME CODE` or on the account's page) and who chose none in the
language menu. The longest prefix that matches wins; a number that matches
none hears [callback] language. Each language must have prompts (en, de, fr,
es, it, pl, tr, ru, ar, or a folder of your own recordings). For example:
  "+90" = "tr"
  "+48" = "pl"
  "+4930" = "de"
""")


def parse_languages(table: Table) -> tuple[tuple[str, str], ...]:
    """Gives the (prefix, language) pairs of [languages], longest prefix first."""
    known = spoken_languages()
    pairs = []
    for prefix, language in table.data.items():
        table.read.add(prefix)
        if not re.fullmatch(r"\+[0-9]{1,15}", prefix):
            raise table.error(prefix, "is not a country calling code or number prefix like "
                              "\"+90\" (+ and 1 to 15 digits)")
        if not isinstance(language, str):
            raise table.error(prefix, f"must be a language code like \"tr\", got "
                              f"{describe(language)}")
        if language not in known:
            raise table.error(prefix, f"no voice prompts in the language {language!r}: the "
                              f"languages are {', '.join(known)}")
        pairs.append((prefix, language))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))

