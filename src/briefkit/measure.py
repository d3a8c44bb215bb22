"""Measuring a composed text: words, and speaking time."""

from __future__ import annotations

import re

WORDS_PER_MINUTE = 140
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d][\w'’\-]*")  # 1,234 is one word
_NOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:.*(?:\n(?: {4}|\t).*)*$", re.MULTILINE)
_MARKUP = re.compile(r"\[\^[^\]]+\]|\{:[^}]*\}|<!--.*?-->|[#*_`>|]")


def count_words(text: str) -> int:
    """Words in a composed text (without its reference list), leaving out notes and Markdown syntax."""
    return len(_WORD.findall(_MARKUP.sub(" ", _NOTE_DEFINITION.sub("", text))))


def speaking_seconds(words: int) -> int:
    """Seconds to speak `words` at the pace of a Model UN speech."""
    return round(words * 60 / WORDS_PER_MINUTE)


def duration(seconds: float) -> str:
    """'1 min 05 s', '45 s'."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
