"""The canonical article: one clean text built from all the copies of an article.

The base is the most complete, best-typeset copy. Every other copy is aligned with it word by word
(after typography folding); a run of words that only the base has, inside a paragraph, where the others
go straight on, was inserted by one site (a teaser) and is dropped when the others outvote it or it
is sentence-sized. Content one copy alone has in its own place (a dek, the rest of a truncated text) is kept.
The result depends only on the set of copies, never on the order they arrived in.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from tidings.models import CanonicalArticle, StoredCopy
from tidings.text import normalise, repair_quotes, typography_score, word_spans, words

MAX_INSERT_WORDS = 40  # a lone insertion longer than this is content, not a teaser
MAX_CHROME_WORDS = 12  # a line at the top or bottom only one copy has, this short, is its site's chrome
MIN_TEASER_WORDS = 3  # fewer words one copy alone has are an edit, not something spliced in
MAX_EDIT_WORDS = 4  # a replaced run of words this short is an edit
TRUNCATED_SHARE = 0.8


class _Token(NamedTuple):
    word: str
    paragraph: int
    start: int
    end: int


_WORD = re.compile(r"\w+")
_GLUED = re.compile(r"[a-z][A-Z]")


def _tokens(body: Sequence[str]) -> list[_Token]:
    out: list[_Token] = []
    for i, p in enumerate(body):
        if p.isascii() and not _GLUED.search(p):  # the common case, without a Python step per letter
            low = p.lower()
            out.extend(_Token(low[m.start() : m.end()], i, m.start(), m.end()) for m in _WORD.finditer(p))
        else:
            out.extend(_Token(w, i, s, e) for s, e, w in word_spans(p, split_glued=True))
    return out


def _fold_key(text: str) -> str:
    return "".join(ch for ch in normalise(text) if ch.isalnum())


def is_original(copy: StoredCopy) -> bool:
    """Whether the copy comes from the publisher's own site (the site's name and the publisher's agree):
    the source of truth among the copies."""
    site = _fold_key((copy.site or "").rsplit(".", 1)[0] if "." in (copy.site or "") else copy.site or "")
    publisher = _fold_key(copy.copy.publisher or "").removeprefix("the")
    return bool(site and publisher) and (site in publisher or publisher in site)


def _quality(copy: StoredCopy) -> tuple[object, ...]:
    text = " ".join(copy.copy.body)
    original = is_original(copy)
    # Complete before truncated; the publisher's own copy (its latest version) before others; then longer
    # before shorter, typographic before plain, and a stable tiebreak.
    latest = -copy.fetched_at.timestamp() if original else 0.0
    return (
        copy.copy.truncated,
        not original,
        latest,
        -len(text.split()),
        -typography_score(text),
        copy.document_sha256,
        text,
    )


def build(copies: Sequence[StoredCopy]) -> CanonicalArticle:
    ordered = sorted(copies, key=_quality)
    base, others = ordered[0], ordered[1:]
    tokens = {c.id: _tokens(c.copy.body) for c in ordered}
    base_tokens = tokens[base.id]
    fixes = _fixes(base_tokens, [(tokens[o.id], o.copy.body) for o in others], trusted=is_original(base))
    rebuilt = _best_typography(_rebuild(base.copy.body, base_tokens, fixes), [c.copy.body for c in ordered])
    body = tuple(p for p in (_printable(repair_quotes(p)) for p in rebuilt) if p is not None and p)
    title = _printable(_vote([c.copy.title for c in ordered]))
    dek = _printable(_vote([c.copy.dek for c in ordered]))
    if dek:  # a site that put the dek into the body (under a line of its own perhaps): it is the dek
        body = tuple(p for i, p in enumerate(body) if i > 1 or normalise(p) != normalise(dek))
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
    canon = [t.word for t in _tokens(article.body)]
    changes = {
        c.id: _changes(
            c, article, [t.word for t in tokens[c.id]], canon, dropped=bool(fixes.drop) and c is base
        )
        for c in ordered
    }
    return replace(article, copy_changes=changes)


@dataclass(slots=True)
class _Fixes:
    """What the canonical text changes in the base copy: token indices cut, and token ranges whose words
    the other copies agree on in another form ((first, last + 1) -> their text)."""

    drop: set[int] = field(default_factory=set)
    swap: dict[tuple[int, int], str] = field(default_factory=dict)


def _printable(text: str | None) -> str | None:
    """The text without control characters (a page's stray escapes are not the article's)."""
    if text is None or text.isprintable():
        return text
    return "".join(ch for ch in text if ch.isprintable() or ch == " ") or None


def _fixes(base: list[_Token], others: list[tuple[list[_Token], Sequence[str]]], *, trusted: bool) -> _Fixes:
    """What the other copies show the base's site did to the article.

    Inside the text: a run of at least `MIN_TEASER_WORDS` that every other copy covering it goes straight
    over (a teaser, a promo line) is cut; when the base is the publisher's own copy it takes two other
    copies agreeing to overrule it. A word or two only the base has, or has otherwise, is an edit: set
    right when at least two other copies agree (never in the publisher's own copy). At the top or
    bottom: a short line no other copy has (the base site's chrome), unless the base is the publisher's
    own copy (then it is an update). Copies that stop early (truncated) have no say after their end."""
    fixes = _Fixes()
    if not others:
        return fixes
    words = [t.word for t in base]
    skipped: Counter[int] = Counter()  # base token -> copies that go straight over it
    covering: Counter[int] = Counter()  # base token -> copies with text on both sides of it
    lacking: Counter[int] = Counter()  # base token -> copies that lack it at the top or bottom
    having: Counter[int] = Counter()  # base token -> copies that have it
    swaps: Counter[tuple[int, int, str]] = Counter()
    texts: dict[tuple[int, int, str], str] = {}
    for tokens, body in others:
        matcher = difflib.SequenceMatcher(None, words, [t.word for t in tokens], autojunk=False)
        opcodes = matcher.get_opcodes()
        end = max((i2 for tag, _, i2, _, j2 in opcodes if tag == "equal"), default=0)
        covering.update(range(end))
        for tag, i1, i2, j1, j2 in opcodes:
            inner = j1 > 0 and j2 < len(tokens) and i1 > 0 and i2 < len(base)
            if tag == "equal":
                having.update(range(i1, i2))
            elif tag == "delete" and inner:
                skipped.update(range(i1, i2))
            elif tag == "delete" and (i1 == 0 or (i2 == len(base) and i2 - i1 <= MAX_CHROME_WORDS)):
                lacking.update(range(i1, i2))
            elif tag == "replace" and inner and max(i2 - i1, j2 - j1) <= MAX_EDIT_WORDS:
                paragraph = tokens[j1].paragraph
                if paragraph == tokens[j2 - 1].paragraph and base[i1].paragraph == base[i2 - 1].paragraph:
                    key = (i1, i2, " ".join(t.word for t in tokens[j1:j2]))
                    swaps[key] += 1
                    texts.setdefault(key, body[paragraph][tokens[j1].start : tokens[j2 - 1].end])
    for run in _runs(sorted(skipped), base):
        size, voters = len(run), max(1, min(covering[i] for i in run))
        everyone = all(skipped[i] >= voters for i in run)
        majority = voters >= 2 and all(skipped[i] * 2 > voters for i in run)
        if size < MIN_TEASER_WORDS:
            if majority and not trusted:
                fixes.drop.update(run)
        elif trusted:
            if everyone and voters >= 2:
                fixes.drop.update(run)
        elif majority or (everyone and size <= MAX_INSERT_WORDS):
            fixes.drop.update(run)
    if not trusted:
        for run in _runs(sorted(lacking), base):
            chrome = len(run) <= MAX_CHROME_WORDS and _whole_paragraph(base, run)
            if chrome and not any(having[i] for i in run):
                fixes.drop.update(run)
        for (i1, i2, said), votes in swaps.items():
            if votes >= 2 and votes * 2 > min(covering[i] for i in range(i1, i2)):
                fixes.swap[(i1, i2)] = texts[(i1, i2, said)]
    return fixes


def _runs(indices: list[int], tokens: list[_Token]) -> list[list[int]]:
    """Consecutive indices, a run per paragraph."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and runs[-1][-1] == i - 1 and tokens[i].paragraph == tokens[i - 1].paragraph:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _whole_paragraph(base: list[_Token], run: list[int]) -> bool:
    paragraph = base[run[0]].paragraph
    return sum(1 for t in base if t.paragraph == paragraph) == len(run)


def _rebuild(body: Sequence[str], tokens: list[_Token], fixes: _Fixes) -> list[str]:
    """The base body with the dropped words (and what stands between them) cut out and the agreed words
    put in. Only paragraphs with a cut or a fix are touched; tokens come in paragraph order, so each
    paragraph's tokens are one range."""
    drop = fixes.drop
    ranges: dict[int, range] = {}
    first = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].paragraph != tokens[first].paragraph:
            ranges[tokens[first].paragraph] = range(first, i)
            first = i
    swaps: dict[int, list[tuple[int, int, str]]] = {}
    for (i1, i2), said in fixes.swap.items():
        if not drop.intersection(range(i1, i2)):
            swaps.setdefault(tokens[i1].paragraph, []).append((i1, i2, said))
    touched = {tokens[i].paragraph for i in drop} | set(swaps)
    out = []
    for index, paragraph in enumerate(body):
        if index not in touched:
            out.append(paragraph.strip())
            continue
        spans: list[tuple[int, int, str | None]] = []  # (start, end, new text, or None for a cut)
        positions = ranges.get(index, range(0))
        for i in positions:
            if i not in drop:
                continue
            start = tokens[i].start
            following = next((k for k in range(i + 1, positions.stop) if k not in drop), None)
            end = (
                _keep_opening_marks(paragraph, tokens[following].start)
                if following is not None
                else len(paragraph)
            )
            if (spans and spans[-1][1] >= start) or (spans and paragraph[spans[-1][1] : start].strip() == ""):
                start = spans.pop()[0]
            spans.append((start, max(end, start), None))
        for i1, i2, said in swaps.get(index, []):
            spans.append((tokens[i1].start, tokens[i2 - 1].end, said))
        text = paragraph
        for start, end, replacement in sorted(spans, key=lambda span: (span[0], span[1]), reverse=True):
            if replacement is None:
                text = f"{text[:start].rstrip()} {text[end:].lstrip()}"
            else:
                text = f"{text[:start]}{replacement}{text[end:]}"
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
    mine = [t.word for t in _tokens(copy.copy.body)]
    canon = [t.word for t in _tokens(article.body)]
    return _changes(copy, article, mine, canon, dropped=dropped_from_base)


def _changes(
    copy: StoredCopy, article: CanonicalArticle, mine: list[str], canon: list[str], *, dropped: bool
) -> tuple[str, ...]:
    """Truncated (the canonical text goes on after it stops), teaser inserted (words of its own inside
    the text), retitled (other words in its headline), edited (a few words other than the canonical
    text's, inside it)."""
    changes: list[str] = []
    opcodes = difflib.SequenceMatcher(None, mine, canon, autojunk=False).get_opcodes()
    tail_missing = bool(opcodes) and opcodes[-1][0] == "insert" and opcodes[-1][3] > 0
    if copy.copy.truncated or (len(mine) < TRUNCATED_SHARE * len(canon) and tail_missing):
        changes.append("truncated")
    inner = [
        op for op in opcodes if op[0] != "equal" and op[1] > 0 and op[2] < len(mine) and op[4] < len(canon)
    ]
    if (
        "teaser inserted" in copy.copy.changes
        or dropped
        or any(
            tag == "delete" and MIN_TEASER_WORDS <= i2 - i1 <= MAX_INSERT_WORDS for tag, i1, i2, _, _ in inner
        )
    ):
        changes.append("teaser inserted")
    if article.title and copy.copy.title and words(copy.copy.title) != words(article.title):
        changes.append("retitled")
    if any(
        (tag == "replace" and i2 - i1 <= MAX_EDIT_WORDS and j2 - j1 <= MAX_EDIT_WORDS)
        or (tag != "replace" and max(i2 - i1, j2 - j1) < MIN_TEASER_WORDS)
        for tag, i1, i2, j1, j2 in inner
    ):
        changes.append("edited")
    return tuple(changes)
