"""Names in running text: the article a country's or a committee's name takes in English, and ISO 3166 names as
they read in a sentence.

A committee's full name takes "the" ("the Commission on the Status of Women"); its short name takes "the" too
("the CSW", "the Third Committee") unless its profile says `article: ""`, as for an acronym read as a word
("ECOSOC"). A country's name takes "the" where UN usage gives it one ("the Philippines", "the United States",
"the People's Republic of China", "the Lao People's Democratic Republic") and none otherwise ("China",
"Japan"); a country profile's `article` overrides the rule. Templates use the `in_text` and `name_in_text`
fields (docs/template-api.md), and the `upper_first` filter at the start of a sentence.
"""

from __future__ import annotations

import re

# Short names that take "the" as a whole (UN terminology), and words that give a name "the" wherever they stand.
_THE_NAMES = frozenset({"bahamas", "comoros", "congo", "gambia", "holy see", "netherlands", "niger", "philippines",
                        "sudan", "maldives", "cook islands", "marshall islands", "czech republic"})
_THE_WORDS = frozenset({"republic", "kingdom", "federation", "states", "emirates", "union", "commonwealth",
                        "principality", "sultanate", "duchy", "confederation", "state", "territory", "islands"})
_NO_ARTICLE = frozenset({"solomon islands"})  # UN usage


def country_article(name: str) -> str:
    """'the' where a country's name takes it in running text, else ''."""
    # UN's forms with a parenthesis ("Bolivia (Plurinational State of)") take none: the words inside do not count
    plain = " ".join(re.sub(r"\([^)]*\)?", " ", name).replace(",", " ").split()).lower()
    if plain.startswith("the ") or plain in _NO_ARTICLE:
        return ""
    if plain in _THE_NAMES or _THE_WORDS & set(plain.split()):
        return "the"
    return ""


def with_article(article: str | None, name: str, default: str = "the") -> str:
    """The name as it reads in a sentence: 'the CSW', 'ECOSOC' (`article` None: `default`)."""
    article = default if article is None else article.strip()
    if not name or not article or name.lower().startswith(article.lower() + " "):
        return name
    return f"{article} {name}"


def iso_short_name(name: str) -> str:
    """An ISO 3166 short name in the order a sentence uses: 'Korea, Republic of' -> 'Republic of Korea',
    'Congo, The Democratic Republic of the' -> 'Democratic Republic of the Congo'."""
    head, _, tail = name.partition(", ")
    if tail.endswith((" of", " of the")):
        if tail.startswith("The "):
            tail = tail[4:]
        return f"{tail[:1].upper()}{tail[1:]} {head}"
    return name


def upper_first(text: object) -> str:
    """The text with its first letter in capitals, the rest as it is (the `upper_first` filter: a name that opens
    a sentence, 'The Philippines asks...'); Jinja's `capitalize` would lower the rest ('The csw')."""
    text = str(text)
    return text[:1].upper() + text[1:]
