"""The hostile values the web and command-line tests throw at every input (hypothesis).

Unicode digits ('²' passes str.isdigit() and fails int(); '٣' passes both),
lone surrogates (JSON's "\\ud800", or a command-line byte that is not UTF-8),
NUL and other control characters, huge and negative numbers, deep JSON, wrong
JSON types, empty, and 1 MB strings.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st


@dataclass(frozen=True)
class Hostile:
    """One hostile value: as a path, query, form or argument carries it, and as a JSON
    literal (which may be no valid JSON at all)."""
    text: str
    json: bytes

    def __repr__(self) -> str:
        more = "..." if len(self.text) > 40 else ""
        return f"Hostile({self.text[:40]!r}{more}, {self.json[:40]!r})"


def of_text(text: str) -> Hostile:
    return Hostile(text, json.dumps(text).encode())


def of_json(value) -> Hostile:
    return Hostile(str(value), json.dumps(value).encode())


DEEP = Hostile("[" * 40000, b"[" * 40000 + b"]" * 40000)
TEXTS = ["", " ", "\t", "²", "٣", "１２３４", "߂߃", "\ud800", "a\udcffb", "\x00", "a\x00b",
         "\x01\x1b[2J\x7f", "\r\n", "-1", "-99999999999999999999", "0", str(10 ** 23),
         "9" * 5000, "1e400", "NaN", "Infinity", "true", "null", "[]", "{}", "' OR 1=1 --",
         "<script>x</script>", "%00", "../../etc/passwd"]
# Bodies that are no JSON object at all, each with a text that is no valid value either.
RAW = [Hostile("\udcff", b'"\xff\xfe"'), Hostile("{", b"{"), Hostile("", b""),
       Hostile("1 2\x00", b"1 2"), Hostile("NaN", b"NaN")]


def hostile_values() -> st.SearchStrategy[Hostile]:
    """Gives hostile values of every kind above."""
    # Digits other than 0-9 (Nd holds those too: '242' is a fine amount), number signs,
    # controls, surrogates, spaces, format characters
    odd_text = st.text(st.characters(categories=("Nd", "No", "Cc", "Cs", "Zs", "Cf"),
                                     exclude_characters="0123456789"), max_size=12)
    # Beyond 15 digits, so no value is a phone number: '-249' is one, typed with a dash.
    huge = st.one_of(st.integers(min_value=10 ** 16), st.integers(max_value=-10 ** 16))
    # no float within 10^16 of 0: its text is a fine amount or id ('0.26', '1800.0') or,
    # negative, a phone number typed with a dash and a dot ('-1.0' is 10, as '-249' is 249)
    floats = st.floats(allow_nan=False).filter(lambda value: not -10 ** 16 < value < 10 ** 16)
    wrong_types = st.one_of(st.booleans(), st.none(), floats,
                            st.lists(st.integers(), max_size=3),
                            st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    return st.one_of(st.sampled_from(TEXTS).map(of_text), odd_text.map(of_text),
                     huge.map(of_json), huge.map(lambda n: of_text(str(n))),
                     wrong_types.map(of_json), st.sampled_from(RAW), st.just(DEEP),
                     st.sampled_from(["x", "9", "²"]).map(lambda c: of_text(c * 2 ** 20)))


def unstorable(text: str) -> bool:
    """Gives whether a text holds what nothing may store: NUL, a lone surrogate, or a
    control character other than tab and line ends."""
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in "\t\r\n"
               for char in text)
