"""Keywords of an article or a story: YAKE's statistical key phrases, with names put in their full form.

YAKE (Campos et al., 2020) scores phrases by how a text uses them (position, frequency, spread, case) with
no model and no corpus. Its phrases often cut a name and a title apart ("Belarusian President Alexander");
a phrase that shares words with one of the article's entities becomes that entity's name, once.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence

import yake

from tidings.enrich import lexicon as lx

# Characters YAKE reads: its time grows with the text, and the headline and the lead hold the topic.
MAX_TEXT = 1_000
TOP = 10
_YAKE_CODES = (
    "ar bg br cz da de el en es et fa fi fr hi hr hu hy id it ja lt lv nl no pl pt ro ru sk sl sv tr uk zh"
)
_YAKE_LANGUAGES = frozenset(_YAKE_CODES.split())


@functools.lru_cache(maxsize=8)
def _extractor(language: str) -> yake.KeywordExtractor:
    return yake.KeywordExtractor(lan=language, n=3, dedup_lim=0.7, dedup_func="jaro", top=TOP * 2)


def extract(text: str, language: str | None, names: Sequence[str] = ()) -> list[str]:
    """Up to ten keywords, best first."""
    if not text.strip():
        return []
    lang = language if language in _YAKE_LANGUAGES else "en"
    phrases = [p for p, _ in _extractor(lang).extract_keywords(text[:MAX_TEXT])]
    by_word: dict[str, str] = {}
    for name in names:
        for word in name.casefold().split():
            if word not in lx.STOPWORDS and len(word) > 2:
                by_word.setdefault(word, name)
    out: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        words = phrase.casefold().split()
        named = next((by_word[w] for w in words if w in by_word), None)
        keyword = named or phrase
        if not named and (
            phrase in lx.CALENDAR
            or words[0] in lx.TITLES
            or words[-1] in lx.TITLES
            or all(w in lx.STOPWORDS for w in words)
        ):
            continue
        if keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            out.append(keyword)
        if len(out) == TOP:
            break
    return out


def across(keyword_lists: Sequence[Sequence[str]], top: int = TOP) -> list[str]:
    """A story's keywords: those its articles share first, then by how high they rank in each."""
    score: dict[str, float] = defaultdict(float)
    shown: dict[str, str] = {}
    for keywords in keyword_lists:
        for rank, keyword in enumerate(keywords):
            key = keyword.casefold()
            score[key] += 1.0 + 1.0 / (rank + 1)
            shown.setdefault(key, keyword)
    return [shown[k] for k in sorted(score, key=lambda k: (-score[k], k))[:top]]
