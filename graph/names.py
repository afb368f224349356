"""Name keys for entity resolution: normalization, known aliases, acronyms and person names.

Pure string work, so the rules that decide "same entity?" can be read and tested in one place.
"""

from __future__ import annotations

import re
import unicodedata

_ARTICLES = frozenset({"the", "a", "an"})
_ORG_SUFFIXES = frozenset({"inc", "llc", "ltd", "corp", "corporation", "co", "company", "gmbh", "plc"})
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir"})

ALIASES: dict[str, str] = {
    "nyc": "new york city",
    "new york": "new york city",
    "la": "los angeles",
    "sf": "san francisco",
    "san fran": "san francisco",
    "dc": "washington dc",
    "washington d c": "washington dc",
    "uk": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "us": "united states",
    "usa": "united states",
    "united states of america": "united states",
    "america": "united states",
    "uae": "united arab emirates",
    "holland": "netherlands",
    "the netherlands": "netherlands",
    "mit": "massachusetts institute of technology",
    "ucla": "university of california los angeles",
    "nasa": "national aeronautics and space administration",
    "un": "united nations",
    "eu": "european union",
}
"""Well-known alternative names, each mapped to one canonical key (a normalized name)."""


def _fold(text: str) -> str:
    """Lower-case ASCII with accents dropped: "José" -> "jose"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def normalize_name(name: str) -> str:
    """The resolution key of a name: case, accents, punctuation, articles, possessives and
    company suffixes removed ("The Google, Inc.'s" -> "google")."""
    text = _fold(name).replace("’", "'")
    text = re.sub(r"'s\b|s'(?=\s|$)", "", text)
    words = re.findall(r"[a-z0-9]+", text)
    while words and words[0] in _ARTICLES | _TITLES:
        words = words[1:]
    while len(words) > 1 and words[-1] in _ORG_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def canonical_key(name: str) -> str:
    """The normalized name, mapped through :data:`ALIASES` when it is a known alternative."""
    key = normalize_name(name)
    return ALIASES.get(key, key)


def acronym(name: str) -> str | None:
    """Initials of a multi-word name ("New York City" -> "nyc"), None for a single word."""
    words = [word for word in normalize_name(name).split() if word not in {"of", "and", "for", "the"}]
    return "".join(word[0] for word in words) if len(words) > 1 else None


def is_acronym(name: str) -> bool:
    """An all-capitals token of 2 to 6 letters ("NYC", "IBM")."""
    stripped = name.strip().replace(".", "")
    return bool(re.fullmatch(r"[A-Z]{2,6}", stripped))


def person_tokens(name: str) -> list[str]:
    """Given name first, surname last: "Dr. Ana María Silva" -> ["ana", "maria", "silva"]."""
    return normalize_name(name).split()


def persons_compatible(first: str, second: str) -> bool:
    """Whether two person names may denote one person.

    Different given names never match, and when both names carry a surname the surnames
    must agree: "Ana Silva" and "Ana Costa" are two people, "Ana" and "Ana Silva" may be one.
    """
    a, b = person_tokens(first), person_tokens(second)
    if not a or not b:
        return False
    if a[0] != b[0]:
        return False
    return len(a) == 1 or len(b) == 1 or a[-1] == b[-1]


def is_nickname_of(short: str, full: str) -> bool:
    """ "Mel" for "Melanie": a one-word name of 3+ letters that starts the other's given name."""
    a, b = person_tokens(short), person_tokens(full)
    return len(a) == 1 and len(a[0]) >= 3 and bool(b) and b[0] != a[0] and b[0].startswith(a[0])


def is_descriptive(name: str) -> bool:
    """A stand-in name such as "user's husband", to be replaced when a proper name turns up."""
    return "'s " in name
