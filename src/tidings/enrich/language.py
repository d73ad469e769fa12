"""The language of an article: its script, then, among languages sharing a script, its function words.

Function words are the commonest words of a language and carry no topic, so a few hundred words of news
tell the language with little doubt. Scripts used by one language (Greek, Hebrew, Thai, Korean, Japanese
kana, Armenian, Georgian) decide alone; Cyrillic and Arabic scripts are told apart by the letters each
language alone uses and by their function words. No model, nothing to download.
"""

from __future__ import annotations

import re

_FUNCTION_WORDS = {
    "en": "the of and to in a is that for on with as was said by it at from he his are be has have not this",
    "fr": "le la les de des et un une du en est que qui dans pour pas sur au il a avec son ne se plus",
    "de": "der die und das den ist nicht ein eine zu mit von sich des auf für im dem auch es sie wird",
    "es": "el la de que y en los las del se por un una con para es al lo su como más pero sus",
    "it": "il di che la è e un una per non in del della sono le con si gli al da nel anche",
    "pt": "o a de que e do da em um uma para com não os as no na por se mais ao dos foi",
    "nl": "de het een en van is dat op te in voor niet met zijn er aan ook als bij heeft",
    "sv": "och att det som en på är av för med till den har inte om ett var jag",
    "da": "og at det som en på er af for med til den har ikke om et var jeg de",
    "no": "og at det som en på er av for med til den har ikke om et var jeg de",
    "pl": "i w na nie się z do to że jest o jak po co ale od za przez",
    "cs": "a v se na je že to s z do o jako ale by po jsou pro",
    "ro": "și în de la a care cu pe nu o un din că se mai este pentru",
    "tr": "ve bir bu da de için ile olarak daha çok gibi en ne ki olan",
    "id": "dan yang di ini itu dengan untuk tidak dari dalam akan pada juga ke",
    "fi": "ja on ei se että oli hän kun mutta niin tai myös ovat jo",
    "hu": "a az és hogy nem is egy van meg de ez már csak mint",
    "ru": "и в не на что с по это как из он к но за от то его для о она также",
    "uk": "і в не на що з до це як та він за від але для про його також",
    "bg": "и в на за не се от да че с е по са като това което",
    "ar": "في من على أن إلى عن مع هذا التي الذي ما لا كان",
    "fa": "و در به از که این را با است برای آن یک می",
}
_TABLE = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")
_SCRIPTS = (
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("hy", re.compile(r"[\u0530-\u058f]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect(text: str, sample: int = 20_000) -> str | None:
    """ISO 639-1 code of the text's language, or None when there is too little text to tell."""
    text = text[:sample]
    letters = _LATIN.findall(text)
    counts = {
        "cyrillic": len(_CYRILLIC.findall(text)),
        "arabic": len(_ARABIC.findall(text)),
        "latin": len(letters),
    }
    for lang, pattern in _SCRIPTS:
        counts[lang] = len(pattern.findall(text))
    script, size = max(counts.items(), key=lambda kv: kv[1])
    if size < 20:
        return None
    if script == "zh" and counts["ja"]:
        return "ja"
    if script not in ("cyrillic", "arabic", "latin"):
        return script
    candidates: tuple[str, ...]
    if script == "cyrillic":
        candidates = ("ru", "uk", "bg")
        if re.search("[іїєґ]", text.lower()):
            return "uk"
    elif script == "arabic":
        candidates = ("ar", "fa")
        if re.search("[پچژگ]", text):
            return "fa"
    else:
        candidates = tuple(k for k in _TABLE if k not in ("ru", "uk", "bg", "ar", "fa"))
    tokens = [w.casefold() for w in _WORD.findall(text)]
    scores = {lang: sum(1 for t in tokens if t in _TABLE[lang]) for lang in candidates}
    lang, hits = max(scores.items(), key=lambda kv: kv[1])
    if hits < 3 or hits < len(tokens) * 0.05:
        return None
    return lang
