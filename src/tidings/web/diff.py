"""A readable word-level diff of one copy against the canonical article, as escaped HTML.

Words the copy lacks are shown struck through (<del>), words only the copy has are underlined (<ins>);
paragraph breaks stay paragraph breaks. Every word is escaped; only the markup made here is raw.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from tidings.text import fold_typography

_BREAK = "\n"  # stands for a paragraph break among the words
# Bounds on the work one diff may take, whatever the copies hold: paragraphs compared, and words compared
# within one changed run of paragraphs (a longer run is shown as removed and added whole).
MAX_PARAGRAPHS = 5_000
MAX_BLOCK_WORDS = 3_000


@dataclass(frozen=True, slots=True)
class DiffStats:
    same: int
    removed: int  # words of the canonical text the copy lacks
    added: int  # words the copy has that the canonical text does not


def _key(text: str) -> str:
    # Single or double, curly or straight: sites swap quote marks freely; that is not an edit.
    return fold_typography(text).replace('"', "'")


def _words(paragraphs: Sequence[str]) -> list[str]:
    words: list[str] = []
    for paragraph in paragraphs:
        split = paragraph.split()
        if not split:
            continue
        if words:
            words.append(_BREAK)
        words.extend(split)
    return words


class _Writer:
    """Collects runs of words in one state (same, del, ins) into paragraphs of escaped HTML."""

    def __init__(self) -> None:
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.run: list[str] = []
        self.state = ""

    def word(self, word: str, state: str) -> None:
        if word == _BREAK:
            self._flush_run()
            self._flush_paragraph()
            return
        if state != self.state:
            self._flush_run()
            self.state = state
        self.run.append(word)

    def _flush_run(self) -> None:
        if self.run:
            text = str(escape(" ".join(self.run)))
            self.current.append(f"<{self.state}>{text}</{self.state}>" if self.state else text)
        self.run = []

    def _flush_paragraph(self) -> None:
        if self.current:
            self.paragraphs.append("<p>" + " ".join(self.current) + "</p>")
        self.current = []

    def html(self) -> Markup:
        self._flush_run()
        self._flush_paragraph()
        return Markup("\n".join(self.paragraphs))  # every word went through escape()


def word_diff(canonical: Sequence[str], copy: Sequence[str]) -> tuple[Markup, DiffStats]:
    """The copy's text marked against the canonical text, and how many words each side differs by.

    Paragraphs are matched first; words are compared only inside paragraphs that changed, so the work
    stays proportional to the changes, whatever the length of the article. Typography (curly or straight
    quote marks, dashes) is not a change: words are compared with it folded, shown as the article has them.
    """
    old = [" ".join(p.split()) for p in canonical if p.strip()][:MAX_PARAGRAPHS]
    new = [" ".join(p.split()) for p in copy if p.strip()][:MAX_PARAGRAPHS]
    out = _Writer()
    counts = {"": 0, "del": 0, "ins": 0}

    def emit(paragraphs: Sequence[str], state: str) -> None:
        for paragraph in paragraphs:
            words = paragraph.split()
            for word in words:
                out.word(word, state)
            out.word(_BREAK, state)
            counts[state] += len(words)

    old_keys, new_keys = [_key(p) for p in old], [_key(p) for p in new]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old_keys, new_keys, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            emit(old[i1:i2], "")
        elif tag == "delete":
            emit(old[i1:i2], "del")
        elif tag == "insert":
            emit(new[j1:j2], "ins")
        else:
            a, b = _words(old[i1:i2]), _words(new[j1:j2])
            if len(a) > MAX_BLOCK_WORDS or len(b) > MAX_BLOCK_WORDS:
                emit(old[i1:i2], "del")
                emit(new[j1:j2], "ins")
                continue
            a_keys, b_keys = [_key(w) for w in a], [_key(w) for w in b]
            for op, k1, k2, l1, l2 in difflib.SequenceMatcher(None, a_keys, b_keys).get_opcodes():
                if op == "equal":
                    for word in a[k1:k2]:
                        out.word(word, "")
                    counts[""] += sum(w != _BREAK for w in a[k1:k2])
                    continue
                if op in ("delete", "replace"):
                    for word in a[k1:k2]:
                        out.word(word, "del")
                    counts["del"] += sum(w != _BREAK for w in a[k1:k2])
                if op in ("insert", "replace"):
                    for word in b[l1:l2]:
                        out.word(word, "ins")
                    counts["ins"] += sum(w != _BREAK for w in b[l1:l2])
            out.word(_BREAK, "")
    return out.html(), DiffStats(same=counts[""], removed=counts["del"], added=counts["ins"])


def line_diff(canonical: str | None, copy: str | None) -> Markup:
    """A one-line diff (headlines, deks)."""
    html, _ = word_diff([canonical or ""], [copy or ""])
    return Markup(html.removeprefix("<p>").removesuffix("</p>"))
