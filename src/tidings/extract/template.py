"""Per-site templates: what recurs across a site's pages is the site's chrome, not an article.

Two things are learned from a site's pages (the store keeps the counts, see `SiteTemplate`):
- lines that recur verbatim on several pages ("Read More Details", "DOWNLOAD THE APP");
- line *shapes* with a variable slot: a fixed head and tail around a part that changes from page to page,
  such as a footer that embeds each page's headline. The slot is then a headline for the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tidings.extract.lines import Line
from tidings.text import collapse_ws, normalise

# Lines longer than this are prose, not chrome: they are neither learned nor matched.
MAX_TEMPLATE_WORDS = 40
HEAD_WORDS = 4
_BRACKETS = " \t()[]{}«»\"'“”‘’:–—-|"


@dataclass(frozen=True, slots=True)
class LineShape:
    head: str  # normalised fixed text before the slot
    tail: str  # normalised fixed text after the slot


@dataclass(frozen=True, slots=True)
class SiteTemplate:
    lines: frozenset[str] = frozenset()  # normalised lines seen on several pages of the site
    shapes: tuple[LineShape, ...] = ()

    def is_chrome(self, line: str) -> bool:
        norm = normalise(line)
        return norm in self.lines or self.slot(line) is not None

    def slot(self, line: str) -> str | None:
        """The variable part of `line` if it has one of the site's learned shapes."""
        norm = normalise(line)
        for shape in self.shapes:
            if (
                norm.startswith(shape.head)
                and norm.endswith(shape.tail)
                and len(norm) > len(shape.head) + len(shape.tail)
            ):
                return _cut(line, shape)
        return None


EMPTY_TEMPLATE = SiteTemplate()


def _cut(line: str, shape: LineShape) -> str | None:
    """The slot in the original (un-normalised) line: map the normalised head/tail lengths back."""
    text = collapse_ws(line)
    # Normalising never changes the number of words; count words of head and tail to cut the original.
    head_words = len(shape.head.split())
    tail_words = len(shape.tail.split())
    parts = text.split(" ")
    middle = parts[head_words : len(parts) - tail_words if tail_words else None]
    slot = " ".join(middle).strip(_BRACKETS)
    return slot or None


def template_lines(lines: Iterable[Line]) -> set[str]:
    """The normalised lines of a page that can take part in learning: furniture-sized, not prose."""
    return {line.norm for line in lines if line.words <= MAX_TEMPLATE_WORDS and not line.is_prose}


def head_key(norm_line: str) -> str | None:
    """Lines sharing their first words may be one shape with a slot."""
    words = norm_line.split()
    if len(words) < HEAD_WORDS + 1:
        return None
    return " ".join(words[:HEAD_WORDS])


def learn_shapes(examples: Iterable[list[str]]) -> tuple[LineShape, ...]:
    """Shapes from groups of normalised lines (each group shares a head key, each from another page)."""
    shapes = []
    for group in examples:
        distinct = sorted(set(group))
        if len(distinct) < 2:
            continue
        head = _common_words(distinct)
        tail = _common_words([" ".join(reversed(s.split())) for s in distinct])
        tail = " ".join(reversed(tail.split()))
        if len(head.split()) >= HEAD_WORDS:
            shapes.append(LineShape(head=head, tail=tail))
    return tuple(shapes)


def _common_words(lines: list[str]) -> str:
    """The words every line starts with."""
    split = [s.split() for s in lines]
    common: list[str] = []
    for column in zip(*split, strict=False):
        if any(word != column[0] for word in column):
            break
        common.append(column[0])
    return " ".join(common)
