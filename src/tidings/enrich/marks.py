"""Quote marks: where quotations open and close in a paragraph, straight or typographic, nested or not.

A stack of open marks: a closing mark closes the nearest open mark of its kind (double or single), and
anything opened inside it and left open closes with it. Apostrophes ("don't", "Moscow's", "farmers' ") are
told from single quote marks by the letters around them and by whether a single quote is open at all.
A double quote still open at the paragraph's end runs to the end: in news copy a quotation that goes on
into the next paragraph leaves its closing mark off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOUBLE, SINGLE = "double", "single"
_DOUBLE_OPEN = "“„«‟"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‚‹"
_SINGLE_CLOSE = "’›"
_MARK = re.compile("[\"'“”„‟«»‘’‚‹›]")
_BEFORE_OPEN = " \t\n([{—–-/:;,“‘\"'«"


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    open_at: int  # index of the opening mark
    start: int  # first character inside
    end: int  # first character after the inside
    close_at: int  # index of the closing mark, -1 when the paragraph ends first
    depth: int  # 0 for a quotation, 1 for a quotation inside it, ...
    kind: str  # DOUBLE or SINGLE


def scan(text: str) -> list[QuoteMarks]:
    """Every quotation in `text`, in order of their opening marks."""
    stack: list[tuple[str, int]] = []  # (kind, index of the opening mark)
    found: list[QuoteMarks] = []
    for match in _MARK.finditer(text):
        i, char = match.start(), match.group()
        role = _role(text, i, char, stack)
        if role is None:
            continue
        action, kind = role
        if action == "open":
            stack.append((kind, i))
            continue
        depth = next((d for d in range(len(stack) - 1, -1, -1) if stack[d][0] == kind), None)
        if depth is None:
            continue
        while len(stack) > depth:
            open_kind, at = stack.pop()
            found.append(QuoteMarks(at, at + 1, i, i if len(stack) == depth else -1, len(stack), open_kind))
    while stack:
        open_kind, at = stack.pop()
        if open_kind == DOUBLE:  # a single mark left open was an apostrophe after all
            found.append(QuoteMarks(at, at + 1, len(text), -1, len(stack), open_kind))
    # A single letter between marks is an elision ("rock ’n’ roll"), not a quotation.
    return sorted((q for q in found if len(text[q.start : q.end].strip()) > 1), key=lambda q: q.open_at)


def _role(text: str, i: int, char: str, stack: list[tuple[str, int]]) -> tuple[str, str] | None:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    opens_here = before in _BEFORE_OPEN and not after.isspace()
    closes_here = not before.isspace() and (after.isspace() or not after.isalnum())
    double_open = any(kind == DOUBLE for kind, _ in stack)
    single_open = any(kind == SINGLE for kind, _ in stack)
    if char in _DOUBLE_OPEN:
        # “ set where ” belongs: after a word, before a space ("agree“ he said").
        if before.isalnum() and not after.isalnum() and double_open:
            return "close", DOUBLE
        return "open", DOUBLE
    if char in _DOUBLE_CLOSE:
        if char == "”" and opens_here and not double_open:  # ” turned the wrong way ("”That's")
            return "open", DOUBLE
        if char == "»" and not double_open:
            return "open", DOUBLE  # German and Danish quote »so«
        return "close", DOUBLE
    if char == '"':
        if double_open and not (opens_here and not closes_here and stack[-1][0] != DOUBLE):
            return "close", DOUBLE
        return "open", DOUBLE
    if text[i + 1 : i + 3].isdigit():
        return None  # a single mark before two digits elides a century: the ’90s
    if char in _SINGLE_OPEN:
        if before.isalnum() and single_open:
            return "close", SINGLE
        return "open", SINGLE
    if char in _SINGLE_CLOSE or char == "'":
        if before.isalnum() and after.isalnum():
            return None  # an apostrophe: don't, O'Connor
        if opens_here and after.isalpha() and not single_open:
            return "open", SINGLE
        if single_open and closes_here:
            return "close", SINGLE
    return None
