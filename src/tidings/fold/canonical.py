"""The canonical article: one clean text built from all the copies of an article.

The base is the most complete, best-typeset copy. Every other copy is aligned with it word by word
(after typography folding); a run of words that only the base has, inside a paragraph, where the others
go straight on, was inserted by one site (a teaser) and is dropped when the others outvote it or it
is sentence-sized. Content one copy alone has in its own place (a dek, the rest of a truncated text) is kept.
The result depends only on the set of copies, never on the order they arrived in.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tidings.models import CanonicalArticle, StoredCopy
from tidings.text import normalise, repair_quotes, typography_score, word_spans

MAX_INSERT_WORDS = 40  # a lone insertion longer than this is content, not a teaser
TRUNCATED_SHARE = 0.8


@dataclass(frozen=True, slots=True)
class _Token:
    word: str
    paragraph: int
    start: int
    end: int


def _tokens(body: Sequence[str]) -> list[_Token]:
    return [_Token(w, i, s, e) for i, p in enumerate(body) for s, e, w in word_spans(p, split_glued=True)]


def _quality(copy: StoredCopy) -> tuple[object, ...]:
    text = " ".join(copy.copy.body)
    # Complete before truncated, longer before shorter, typographic before plain, then a stable tiebreak.
    return (copy.copy.truncated, -len(text.split()), -typography_score(text), copy.document_sha256, text)


def build(copies: Sequence[StoredCopy]) -> CanonicalArticle:
    ordered = sorted(copies, key=_quality)
    base, others = ordered[0], ordered[1:]
    base_tokens = _tokens(base.copy.body)
    other_tokens = [_tokens(o.copy.body) for o in others]
    drop = _inserted_by_base(base_tokens, other_tokens)
    rebuilt = _best_typography(_rebuild(base.copy.body, base_tokens, drop), [c.copy.body for c in ordered])
    body = tuple(p for p in (repair_quotes(p) for p in rebuilt) if p)
    title = _vote([c.copy.title for c in ordered])
    dek = _vote([c.copy.dek for c in ordered])
    if dek and body and normalise(dek) == normalise(body[0]):
        dek = None
    dated = [c.copy.published_at for c in ordered if c.copy.published_at is not None]
    article = CanonicalArticle(
        title=title,
        dek=dek,
        body=body,
        publisher=_vote([c.copy.publisher for c in ordered]),
        author=_vote([c.copy.author for c in ordered]),
        published_at=min(dated) if dated else None,
        language=_vote([c.copy.language for c in ordered]),
        image=_vote([c.copy.image for c in ordered]),
    )
    changes = {c.id: copy_changes(c, article, dropped_from_base=bool(drop) and c is base) for c in ordered}
    return replace(article, copy_changes=changes)


def _inserted_by_base(base: list[_Token], others: list[list[_Token]]) -> set[int]:
    """Indices of base tokens that other copies show were spliced in by the base's site."""
    if not others:
        return set()
    votes: Counter[int] = Counter()  # base token index -> copies that skip straight over it
    for tokens in others:
        matcher = difflib.SequenceMatcher(
            None, [t.word for t in base], [t.word for t in tokens], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "delete" and j1 > 0 and j2 < len(tokens) and i1 > 0 and i2 < len(base):
                for i in range(i1, i2):
                    votes[i] += 1
    drop: set[int] = set()
    for run in _runs(sorted(votes)):
        words_in_run = len(run)
        inside_paragraph = len({base[i].paragraph for i in run}) == 1 and not _whole_paragraph(base, run)
        outvoted = all(votes[i] * 2 > len(others) for i in run) and len(others) >= 2
        lone_teaser = all(votes[i] == len(others) for i in run) and inside_paragraph
        if outvoted or (lone_teaser and words_in_run <= MAX_INSERT_WORDS):
            drop.update(run)
    return drop


def _runs(indices: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _whole_paragraph(base: list[_Token], run: list[int]) -> bool:
    paragraph = base[run[0]].paragraph
    return sum(1 for t in base if t.paragraph == paragraph) == len(run)


def _rebuild(body: Sequence[str], tokens: list[_Token], drop: set[int]) -> list[str]:
    """The base body with the dropped words (and what stands between them) cut out."""
    out = []
    for index, paragraph in enumerate(body):
        cuts: list[tuple[int, int]] = []
        positions = [i for i, t in enumerate(tokens) if t.paragraph == index]
        for i in positions:
            if i not in drop:
                continue
            start = tokens[i].start
            following = next((k for k in positions if k > i and k not in drop), None)
            end = (
                _keep_opening_marks(paragraph, tokens[following].start)
                if following is not None
                else len(paragraph)
            )
            if cuts and cuts[-1][1] >= start:
                start = cuts[-1][0]
                cuts.pop()
            elif cuts and paragraph[cuts[-1][1] : start].strip() == "":
                start = cuts.pop()[0]
            cuts.append((start, max(end, start)))
        text = paragraph
        for start, end in reversed(cuts):
            text = f"{text[:start].rstrip()} {text[end:].lstrip()}"
        out.append(text.strip())
    return out


def _keep_opening_marks(paragraph: str, end: int) -> int:
    """Step back over quote marks glued to the next kept word: they belong to it."""
    while end > 0 and paragraph[end - 1] in "\"'“”‘’«(":
        end -= 1
    return end


def _best_typography(body: list[str], bodies: list[Sequence[str]]) -> list[str]:
    """Each paragraph in the best-typeset form any copy has of exactly that text."""
    best: dict[str, str] = {}
    for candidate in (p for b in bodies for p in b):
        key = normalise(candidate)
        if key not in best or typography_score(candidate) > typography_score(best[key]):
            best[key] = candidate
    # The base copy comes first in `bodies`, so on a tie its own form stays.
    return [best.get(normalise(p), p) for p in body]


def _vote(values: Sequence[str | None]) -> str | None:
    """The value most copies agree on (after folding), best-typeset; ties go to the better copy."""
    present = [v for v in values if v]
    if not present:
        return None
    counts = Counter(normalise(v) for v in present)
    winner = max(
        counts, key=lambda key: (counts[key], -next(i for i, v in enumerate(present) if normalise(v) == key))
    )
    forms = [v for v in present if normalise(v) == winner]
    return repair_quotes(max(forms, key=typography_score))


def copy_changes(
    copy: StoredCopy, article: CanonicalArticle, *, dropped_from_base: bool = False
) -> tuple[str, ...]:
    """What this copy did to the article: truncated, teaser inserted, retitled, edited."""
    changes: list[str] = []
    mine = [t.word for t in _tokens(copy.copy.body)]
    canon = [t.word for t in _tokens(article.body)]
    matcher = difflib.SequenceMatcher(None, mine, canon, autojunk=False)
    opcodes = matcher.get_opcodes()
    tail_missing = opcodes and opcodes[-1][0] == "insert" and opcodes[-1][3] > 0
    if copy.copy.truncated or (len(mine) < TRUNCATED_SHARE * len(canon) and tail_missing):
        changes.append("truncated")
    if (
        "teaser inserted" in copy.copy.changes
        or dropped_from_base
        or any(
            tag == "delete" and i1 > 0 and j2 < len(canon) and i2 - i1 <= MAX_INSERT_WORDS
            for tag, i1, i2, _, j2 in opcodes
        )
    ):
        changes.append("teaser inserted")
    if article.title and copy.copy.title and normalise(copy.copy.title) != normalise(article.title):
        changes.append("retitled")
    if any(tag == "replace" for tag, *_ in opcodes):
        changes.append("edited")
    return tuple(changes)
