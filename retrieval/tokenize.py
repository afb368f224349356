"""Lexical analysis for BM25: lowercase word tokens, English stopwords out, Snowball stems."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
# A compact English stopword list: frequent function words carry no retrieval signal,
# but question words and negations ("not", "never") are kept because they change meaning.
_STOPWORD_TEXT = """
a an and are as at be been being but by did do does doing for from had has have having he her hers him
his i if in into is it its itself me my myself of on or our ours she so than that the their theirs them
then there these they this those to too us was we were will with would you your yours yourself i'm i've
i'd i'll it's that's you're
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Terms of ``text`` in order, repeated terms kept (BM25 counts them)."""
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]
