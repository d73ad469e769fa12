"""Inline teasers: another article's headline spliced into a paragraph ("Read more One step forward …").

Aggregators insert links to their other pages inside the body; in a text dump the link text is glued to
the paragraph with no space where the markup was ("…thaw”That’s the position…"). We cut from the cue to
that glue point. The fold stage catches what this misses, by agreement between copies.
"""

from __future__ import annotations

import re

from tidings.extract.lines import TEASER_CUE

# A cue at the start of the text or right after a sentence ended (with or without a space).
_CUE_AT = re.compile(r"(?:^|(?<=[.!?…\"”’]))\s*(?=" + TEASER_CUE.pattern + r")", re.I)
# Where two texts were glued: a lower-case letter or a closing mark, then (an optional quote mark and) a
# capital that starts a new word, with no space between.
_GLUE = re.compile(
    r"(?<=[a-z0-9\u00e0-\u024f.!?…)])(?=[\"“”‘’']?[A-Z\u00c0-\u00de\u0400-\u042f][a-z\u00e0-\u024f’']+)"
)
_MAX_TEASER_WORDS = 30
_MIN_REST_WORDS = 3


def cut_inline_teasers(text: str) -> tuple[str, bool]:
    """(text without spliced teasers, whether one was cut)."""
    cut = False
    search_from = 0
    while True:
        cue = _CUE_AT.search(text, search_from)
        if cue is None:
            return text.strip(), cut
        cue_match = TEASER_CUE.match(text, cue.end())
        assert cue_match is not None
        start = cue.start()
        end = _teaser_end(text, cue_match.end())
        if end is None:
            search_from = cue_match.end()
            continue
        before, after = text[:start].rstrip(), text[end:].lstrip()
        text = f"{before} {after}".strip() if before and after else (before or after)
        cut = True
        search_from = len(before)


def _teaser_end(text: str, title_start: int) -> int | None:
    """End of the teaser headline that starts at `title_start`: the first glue point after at least two
    words, or the end of the text when what is left is headline-sized."""
    window = text[title_start:]
    for glue in _GLUE.finditer(window):
        head = window[: glue.start()]
        if len(head.split()) < 2 or head.endswith((" ", "-")):
            continue
        if _is_camel_case(window, glue.start()):
            continue
        if len(head.split()) > _MAX_TEASER_WORDS:
            return None
        rest = window[glue.start() :]
        if len(rest.split()) >= _MIN_REST_WORDS:
            return title_start + glue.start()
        return None
    if len(window.split()) <= _MAX_TEASER_WORDS and not re.search(r"[.!?]\s+[A-Z]", window):
        return len(text)
    return None


def _is_camel_case(window: str, at: int) -> bool:
    """'McDonald', 'iPhone', 'YouTube' are words, not glue: the part before is one short word stem."""
    stem = re.search(r"(\w+)$", window[:at])
    if stem is None:
        return False
    return len(stem.group(1)) <= 3 and stem.group(1)[:1].isupper() and window[at] not in "\"“”‘’'"
