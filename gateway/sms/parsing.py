"""What an SMS command's text asks for: its command word and the words after it, and the
phone number those words write (gateway/sms/commands.py does what they ask).

Words are separated by spaces or commas; emoji and other marks that are no letter,
digit or punctuation are dropped from their ends. A command word is accepted in every
language (gateway/config/sms.py `command_of`).
"""
from __future__ import annotations

from dataclasses import dataclass
import re
import unicodedata

_SEPARATORS = re.compile(r"[\s,;]+")
# Unicode categories of marks around words that carry no command: symbols (emoji, U+FFFD),
# format characters (zero-width joiner), combining marks (emoji variation selectors),
# surrogates and unassigned code points.
_DECORATION = frozenset({"So", "Sk", "Cf", "Cs", "Co", "Cn", "Mn", "Mc", "Me"})
_NUMBER_PIECE = re.compile(r"[+0-9][0-9()./-]*|\([0-9]+\)[0-9./-]*")


@dataclass(frozen=True)
class Request:
    """A parsed text: the command and the words after its command word."""

    command: str            # cb | connect | reg | unreg | bal | lang | help
    words: tuple[str, ...]
    known: bool = True      # False: the first word named no command


def text_words(text: str) -> list[str]:
    """Gives the words of a text, emoji and other marks that are no letter, digit or
    punctuation dropped from their ends: "BAL 😀", "BAL😀" and "😀 BAL" are all BAL."""
    words = []
    for word in _SEPARATORS.split(text or ""):
        start, end = 0, len(word)
        while start < end and unicodedata.category(word[start]) in _DECORATION:
            start += 1
        while end > start and unicodedata.category(word[end - 1]) in _DECORATION:
            end -= 1
        if start < end:
            words.append(word[start:end])
    return words


def parse(text: str, sms_config) -> Request:
    """Gives the command a text asks for."""
    words = text_words(text)
    if not words:
        return Request("cb" if sms_config.empty_sms_is_callback else "help", ())
    command = sms_config.command_of(words[0])
    if command is None:
        return Request("help", tuple(words), known=False)
    return Request(command, tuple(words[1:]))


def number_words(words: tuple[str, ...]) -> str | None:
    """Gives the leading words that write one phone number, joined ("030 1234 567")."""
    pieces = []
    for word in words:
        if not _NUMBER_PIECE.fullmatch(word) or (pieces and word.startswith("+")):
            break
        pieces.append(word)
    return "".join(pieces) or None
