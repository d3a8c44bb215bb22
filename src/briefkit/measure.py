"""Measuring a composed text: words, and speaking time.

Words are counted as Word counts them: a run of letters or digits is a word, and each Chinese character or
Japanese kana is one (those scripts are written without spaces; a Chinese brief's limits and pace are in
characters, its language file says `count: characters`). Korean separates its words with spaces.
"""

from __future__ import annotations

import functools
import re

WORDS_PER_MINUTE = 140  # English (languages/en.yaml `speaking_rate`); each language gives its own
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d][\w'’\-]*")  # 1,234 is one word
_NOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:.*(?:\n(?: {4}|\t).*)*$", re.MULTILINE)
_MARKUP = re.compile(r"\[\^[^\]]+\]|\{:[^}]*\}|<!--.*?-->|[#*_`>|]")


@functools.cache
def _east_asian() -> re.Pattern[str]:
    """Chinese and Japanese characters, each one a word (CJK ideographs and their extensions, kana; not Hangul);
    compiled on first need (3 ms: an English brief never needs it)."""
    return re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def count_words(text: str) -> int:
    """Words in a composed text (without its reference list), leaving out notes and Markdown syntax; a Chinese or
    Japanese character counts as one."""
    text = _MARKUP.sub(" ", _NOTE_DEFINITION.sub("", text))
    characters = 0
    if text and max(text) >= "\u3040":  # else no Chinese or Japanese character (the first is kana's)
        text, characters = _east_asian().subn(" ", text)
    return characters + len(_WORD.findall(text))


def speaking_seconds(words: int, rate: float | None = None) -> int:
    """Seconds to speak `words` at `rate` a minute (default: the pace of an English Model UN speech)."""
    return round(words * 60 / (rate or WORDS_PER_MINUTE))


def duration(seconds: float) -> str:
    """'1 min 05 s', '45 s'."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"
