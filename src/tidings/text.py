"""Text normalisation shared by the stages: quote marks, dashes, white space and word tokens.

Copies of one article differ in typography (straight vs typographic quotes, dashes, spacing), so every
comparison between texts goes through `normalise`; what is shown to readers keeps the best typography,
mended by `repair_quotes`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

_QUOTE_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\ufeff": "",
    }
)
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def fold_typography(text: str) -> str:
    """Typographic quotes, dashes and ellipses to their plain forms; white space collapsed."""
    return collapse_ws(unicodedata.normalize("NFKC", text).translate(_QUOTE_FOLD))


def normalise(text: str) -> str:
    """The comparison form of a text: folded typography, case-folded."""
    return fold_typography(text).casefold()


def word_spans(text: str, split_glued: bool = False) -> Iterator[tuple[int, int, str]]:
    """(start, end, comparison form) of every word in `text`. With `split_glued`, a word is also cut where
    a lower-case letter meets a capital ("weatherSupporters"): where a splice glued two texts together."""
    for match in _WORD.finditer(text):
        word, offset = match.group(), match.start()
        cuts = [i for i in range(1, len(word)) if split_glued and word[i - 1].islower() and word[i].isupper()]
        for start, end in zip([0, *cuts], [*cuts, len(word)], strict=True):
            part = word[start:end]
            # Words hold no quote marks or dashes: plain ASCII only needs lower-casing.
            yield offset + start, offset + end, part.lower() if part.isascii() else normalise(part)


def words(text: str) -> list[str]:
    return [w for _, _, w in word_spans(text)]


def typography_score(text: str) -> int:
    """How many typographic marks a text uses: the better-typeset copy wins ties."""
    return sum(text.count(c) for c in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026")


_CURLY = re.compile("[\u2018\u2019\u201c\u201d]")
# A closing mark where an opening one belongs: at the start of the text or after a space/bracket.
_MISOPENED_DOUBLE = re.compile(r"(^|[\s(\[{\u2014\u2013-])\u201d(?=\w)")
_MISCLOSED_DOUBLE = re.compile(r"(?<=[\w.,!?;:])\u201c(?=\s|$|[.,;:!?)])")
_MISOPENED_SINGLE = re.compile(r"(^|[\s(\[{\u201c\"])\u2019(?=[^\W\d])")
_MISCLOSED_SINGLE = re.compile(r"(?<=[\w.,!?;:])\u2018(?=\s|$|[.,;:!?)\u201d\"])")
_STRAIGHT_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_STRAIGHT_OPEN_SINGLE = re.compile(r"(^|[\s(\[{\u201c\"])'(?=\w)")
_STRAIGHT_CLOSE_SINGLE = re.compile(r"(?<=[\w.,!?;:])'")
_STRAIGHT_OPEN_DOUBLE = re.compile(r"(^|[\s(\[{\u2018])\"(?=\S)")
_STRAIGHT_CLOSE_DOUBLE = re.compile(r"\"")


def repair_quotes(text: str) -> str:
    """Mend typographic quote marks that point the wrong way, and finish half-typeset text.

    Splicing and retyping leave marks such as `”That’s` (a closing quote opening a sentence) or
    `‘first step'` (typographic and straight mixed). Text with no typographic marks is left alone:
    turning straight quotes curly is a guess we only make where the text already chose curly ones.
    """
    if not _CURLY.search(text):
        return text
    text = _MISOPENED_DOUBLE.sub("\\1\u201c", text)
    text = _MISCLOSED_DOUBLE.sub("\u201d", text)
    text = _MISOPENED_SINGLE.sub("\\1\u2018", text)
    text = _MISCLOSED_SINGLE.sub("\u2019", text)
    text = _STRAIGHT_APOSTROPHE.sub("\u2019", text)
    text = _STRAIGHT_OPEN_SINGLE.sub("\\1\u2018", text)
    text = _STRAIGHT_CLOSE_SINGLE.sub("\u2019", text)
    text = _STRAIGHT_OPEN_DOUBLE.sub("\\1\u201c", text)
    return _STRAIGHT_CLOSE_DOUBLE.sub("\u201d", text)


WORDS_PER_MINUTE = 230


def reading_minutes(body: Sequence[str]) -> int:
    """Minutes to read a body at an adult's average silent reading speed, at least one.

    Here rather than in `enrich` so that the reader can show it without loading enrich's language models.
    """
    words = sum(len(p.split()) for p in body)
    return max(1, round(words / WORDS_PER_MINUTE))


def error_line(exc: BaseException, limit: int = 300) -> str:
    """An unexpected exception in one line, `Type: first line of its message` (cut to `limit`), for the
    error a batch reports about the one item it failed on before going on with the rest."""
    text = str(exc).strip()
    first = text.splitlines()[0][:limit] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
