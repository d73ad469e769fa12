"""Keywords of an article or a story: YAKE's statistical key phrases, with names put in their full form.

YAKE (Campos et al., 2020) scores phrases by how a text uses them (position, frequency, spread, case,
how many different words stand beside them) with no model and no corpus; the scoring is written here from
the paper, over plain regular-expression tokens, because the `yake` package builds graphs and numpy
medians for every word (about 40 ms an article, more than the rest of enrich together). Its phrases often
cut a name and a title apart ("Belarusian President Alexander"); a phrase that shares words with one of
the article's entities becomes that entity's name, once.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jellyfish

from tidings.enrich import lexicon as lx

# Characters read: the time grows with the text, and the headline and the lead hold the topic.
MAX_TEXT = 1_000
TOP = 10
MAX_WORDS = 3  # longest key phrase
SIMILAR = 0.7  # Jaro similarity above which a phrase repeats a better one
_SENTENCE = re.compile(r"\n+|(?<=[.!?…])[\"'”’)\]]*\s+")
_TOKEN = re.compile(r"\w+(?:[-'’.&]\w+)*\.?|[^\w\s]")
_NUMBER = re.compile(r"[\d.,:/%-]+")
_YAKE_CODES = (
    "ar bg br cz da de el en es et fa fi fr hi hr hu hy id it ja lt lv nl no pl pt ro ru sk sl sv tr uk zh"
)
_YAKE_LANGUAGES = frozenset(_YAKE_CODES.split())


@dataclass(slots=True)
class _Term:
    count: int = 0
    capitals: int = 0  # capitalised away from a sentence's start
    acronyms: int = 0
    sentences: list[int] = field(default_factory=list)
    left: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    stop: bool = False
    score: float = 0.0


@functools.lru_cache(maxsize=16)
def stop_words(language: str) -> frozenset[str]:
    """The language's stop words (English for a language YAKE has no list for): the lists the `yake`
    package ships, read as data (importing spaCy's language modules for theirs costs seconds each); in
    English also the reporting verbs."""
    code = {"cs": "cz"}.get(language, language)
    code = code if code in _YAKE_LANGUAGES else "en"
    spec = importlib.util.find_spec("yake")  # located, not imported: yake's import pulls in networkx
    folders = spec.submodule_search_locations if spec else None
    if not folders:
        return lx.STOPWORDS | lx.SPEECH_VERBS
    raw = (Path(folders[0]) / "core" / "StopwordsList" / f"stopwords_{code}.txt").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    words = frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())
    return words | lx.SPEECH_VERBS if code == "en" else words


def extract(text: str, language: str | None, names: Sequence[str] = ()) -> list[str]:
    """Up to ten keywords, best first."""
    if not text.strip():
        return []
    phrases = key_phrases(text[:MAX_TEXT], stop_words(language or "en"), TOP * 2)
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


def key_phrases(text: str, stops: frozenset[str], top: int) -> list[str]:
    """YAKE's best `top` phrases of one to three words, lowest score first, near-repeats left out."""
    blocks: list[list[tuple[str, str]]] = []  # runs of words between punctuation: (key, as written)
    terms: dict[str, _Term] = defaultdict(_Term)
    sentences = [s for s in _SENTENCE.split(text) if s and s.strip()]
    for number, sentence in enumerate(sentences):
        block: list[tuple[str, str]] = []
        for position, token in enumerate(_TOKEN.findall(sentence)):
            word = token[:-1] if len(token) > 1 and token.endswith(".") and token.count(".") == 1 else token
            if not word[0].isalnum() or _NUMBER.fullmatch(word) or not any(c.isalpha() for c in word):
                if block:
                    blocks.append(block)
                block = []
                continue
            key = word.casefold()
            if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
                key = key[:-1]  # plurals count with their singular
            term = terms[key]
            term.count += 1
            term.sentences.append(number)
            term.stop = word.casefold() in stops or len(key) < 3
            if word.isupper() and len(word) > 1:
                term.acronyms += 1
            elif word[0].isupper() and position > 0:
                term.capitals += 1
            if block:
                term.left[block[-1][0]] += 1
                terms[block[-1][0]].right[key] += 1
            block.append((key, word))
        if block:
            blocks.append(block)
    if not terms:
        return []
    _score_terms(terms, len(sentences))
    found: dict[str, list[str]] = {}  # phrase key -> words as first written
    counts: Counter[str] = Counter()
    for block in blocks:
        keys = [k for k, _ in block]
        stop = [terms[k].stop for k in keys]
        for i in range(len(block)):
            if stop[i]:
                continue
            for j in range(i, min(i + MAX_WORDS, len(block))):
                if not stop[j]:
                    key = " ".join(keys[i : j + 1])
                    counts[key] += 1
                    if key not in found:
                        found[key] = [w for _, w in block[i : j + 1]]
    ranked = sorted(found, key=lambda k: (_phrase_score(k.split(), counts[k], terms), k))
    chosen: list[str] = []
    for key in ranked:
        if all(jellyfish.jaro_similarity(key, other) <= SIMILAR for other in chosen):
            chosen.append(key)
            if len(chosen) == top:
                break
    return [" ".join(found[key]) for key in chosen]


def _score_terms(terms: dict[str, _Term], sentences: int) -> None:
    """Each word's YAKE weight: lower for a word that is capitalised, early, frequent and spread across the
    text without being a function word (few different neighbours)."""
    counts = [t.count for t in terms.values() if not t.stop] or [1]
    mean, spread = statistics.fmean(counts), statistics.pstdev(counts)
    most = max(t.count for t in terms.values())
    for term in terms.values():
        case = max(term.capitals, term.acronyms) / (1.0 + math.log(term.count))
        position = math.log(math.log(3.0 + statistics.median(term.sentences)))
        frequency = term.count / (mean + spread)
        left = len(term.left) / sum(term.left.values()) if term.left else 0.0
        right = len(term.right) / sum(term.right.values()) if term.right else 0.0
        related = 1.0 + (left + right) * term.count / most
        different = len(set(term.sentences)) / sentences
        term.score = position * related / (case + frequency / related + different / related)


def _phrase_score(keys: list[str], count: int, terms: dict[str, _Term]) -> float:
    """A phrase's weight from its words' (a stop word inside it weighs by how often it joins its
    neighbours), lower for a phrase the text repeats."""
    product, total = 1.0, 0.0
    for i, key in enumerate(keys):
        term = terms[key]
        if not term.stop:
            product *= term.score
            total += term.score
            continue
        before, after = terms[keys[i - 1]], terms[keys[i + 1]]
        joined = (term.left[keys[i - 1]] / before.count) * (term.right[keys[i + 1]] / after.count)
        product *= 2.0 - joined
        total -= 1.0 - joined
    return product / (count * (1.0 + total))


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
