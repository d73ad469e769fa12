"""Language of a text from its commonest function words: good enough for news paragraphs, no model."""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": "the of and to in a is that for on with as was said by it at from he his are be has have",
    "fr": "le la les de des et un une du en est que qui dans pour pas sur au il a avec son",
    "de": "der die und das den ist nicht ein eine zu mit von sich des auf für im dem auch es",
    "es": "el la de que y en los las del se por un una con para es al lo su como más",
    "it": "il di che la è e un una per non in del della sono le con si gli al da",
    "pt": "o a de que e do da em um uma para com não os as no na por se mais",
    "nl": "de het een en van is dat op te in voor niet met zijn er aan ook als",
    "ru": "и в не на что с по это как из он к но за от то его для о она",
}
_TABLE = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def guess_language(text: str, min_hits: int = 3) -> str | None:
    """ISO 639-1 code, or None when the text is too short or unlike any language we know."""
    tokens = [w.casefold() for w in _WORD.findall(text[:20000])]
    if not tokens:
        return None
    scores = {lang: sum(1 for t in tokens if t in words) for lang, words in _TABLE.items()}
    lang, hits = max(scores.items(), key=lambda kv: kv[1])
    if hits < min_hits or hits < len(tokens) * 0.05:
        return _script_language(text)
    return lang


def _script_language(text: str) -> str | None:
    sample = text[:2000]
    if re.search(r"[\u3040-\u30ff]", sample):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", sample):
        return "zh"
    if re.search(r"[\u0600-\u06ff]", sample):
        return "ar"
    if re.search(r"[\u0590-\u05ff]", sample):
        return "he"
    return None
