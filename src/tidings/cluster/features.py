"""What an article brings to clustering: its terms, each with a weighted count and a kind.

Events are told apart by who, where and how many: two earthquakes differ in their places and magnitudes,
two arrests in the names. So besides plain words, names (capitalised words inside a sentence, and runs of
them as phrases: "Tara Reid", "Northern California") and numbers ("6.1", "2013", "33") are terms of their
own kinds, which `cluster.Weights` weighs up. The headline and the lead (first sentences) say what the
event is, so their terms count more than the background further down.

Names come from `names_in`, a light rule-based recogniser (no model). Entity extraction proper lives in
`enrich`; this one function is the place to swap it in. Everything is done with a few regular expressions
over whole texts, not token by token: clustering must keep up with ingestion.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import repeat

from tidings.models import CanonicalArticle

WORD = "w"
NAME = "e"
PHRASE = "p"
NUMBER = "n"

TITLE_WEIGHT = 2.0
LEAD_WEIGHT = 2.0  # the dek and the first LEAD_SENTENCES sentences of the body
LEAD_SENTENCES = 2
MAX_CHARS = 50_000  # the rest of a very long text adds little but time
MAX_PHRASE = 4
MAX_TERM = 60

_WORDS = re.compile(r"[^\W\d_]{3,}")
# On an ASCII text (str.isascii is a flag, not a scan) the same matches are found faster: words by making
# every byte but a-z a space and splitting (a lower-cased text has no capitals; the same words in the same
# order once the short ones are dropped, in ~60% of the pattern's time), the other patterns with plain
# ranges for the classes (\w there is [A-Za-z0-9_]), which the engine tests faster.
_NOT_LETTERS = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
# A number not inside a word or another number; the first digit comes first (the lookbehind then checks
# the character before it), so the engine scans for digits.
_NUMBERS = re.compile(r"\d(?<![\w.,]\d)\d*(?:[.,:]\d+)*")
_ASCII_NUMBERS = re.compile(r"[0-9](?<![A-Za-z0-9_.,][0-9])[0-9]*(?:[.,:][0-9]+)*")
# A run of capitalised words on one line (a name or a title-case phrase) not inside a word. The capital
# comes first (the lookbehind then checks the character before it), so the engine scans for capitals.
_CAPS = re.compile(r"[A-Z](?<![\w'’.-].)[\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*)*")
_ASCII_CAPS = re.compile(r"[A-Z](?<![A-Za-z0-9_'.-].)[A-Za-z0-9_'.-]*(?:[ \t]+[A-Z][A-Za-z0-9_'.-]*)*")
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?…:][\"'”’»)\]]*|[\"“‘(\[«—–-])\s*$")
# A sentence's end: its mark comes first (the lookbehinds then check the characters before it: not after a
# capital's initial or a title such as "Mr"), so the engine scans for marks.
_SENTENCE_END = re.compile(r"[.!?…](?<![A-Z].)(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|No|Mt).)[\"'”’»)\]]*\s+|\n+")
# Whether a capital opens a sentence depends only on the 4 characters before it (past the text's first 4):
# the answers, by those characters, kept across texts (bounded).
_OPENS: dict[str, bool] = {}
_OPENS_HELD = 100_000
_EDGE = "'’.-"

_STOP_TEXT = """
a about above across after afterwards again against all almost alone along already also although
always am among amongst an and another any anyhow anyone anything anyway anywhere are around as at
back be became because become becomes becoming been before beforehand behind being below beside
besides between beyond both but by can cannot could did do does doing done down due during each
either else elsewhere enough even ever every everyone everything everywhere except few for former
formerly from further get gets getting give given go going gone got had has have having he hence her
here hereafter hereby herein hers herself him himself his how however i if in indeed into is it its
itself just keep last least less made make many may me meanwhile might mine more moreover most
mostly much must my myself namely neither never nevertheless next no nobody none noone nor not
nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own per perhaps please put quite rather re really regarding same say says said see seem
seemed seeming seems several she should show since so some somehow someone something sometime
sometimes somewhere still such take than that the their theirs them themselves then thence there
thereafter thereby therefore therein thereupon these they this those though through throughout thru
thus to together too toward towards under unless until up upon us used using very via was we well
were what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
whether which while whither who whoever whole whom whose why will with within without would yet you
your yours yourself yourselves mr mrs ms told according new year years week weeks day days time like
people including today yesterday tomorrow ago don didn doesn isn wasn
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def names_in(text: str) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words in `text`, each as (its words, stop words at the edges dropped; whether
    the run opens a sentence). A word opening a sentence is capitalised anyway: it is a name only when the
    text also capitalises it inside a sentence, or when it leads a longer run ("Jack Ketsoyan said")."""
    runs = []
    known = _OPENS
    search = _SENTENCE_BEFORE.search
    for match in (_ASCII_CAPS if text.isascii() else _CAPS).finditer(text):
        start = match.start()
        if start > 4:
            window = text[start - 4 : start]
            opens = known.get(window)
            if opens is None:
                if len(known) >= _OPENS_HELD:
                    known.clear()
                opens = known[window] = bool(search(text, start - 4, start))
        else:
            opens = start == 0 or bool(search(text, 0, start))
        words = []
        for word in match.group().split():
            if word.endswith(("'s", "’s", "'S", "’S")):
                word = word[:-2]
            word = word.strip(_EDGE)
            if word:
                words.append(word)
        if opens and words and words[0].lower() in STOP_WORDS:
            words = words[1:]
            opens = False  # "The Geysers": what follows a capitalised stop word is a name
        while words and words[-1].lower() in STOP_WORDS:
            words.pop()
        if words:
            runs.append((words, opens))
    return runs


def _named(runs: list[tuple[list[str], bool]], known: set[str]) -> Iterable[list[str]]:
    for words, opens in runs:
        if opens and len(words) == 1 and words[0] not in known:
            continue
        yield words


class _Terms:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.named: Counter[str] = Counter()
        self.kinds: dict[str, str] = {}

    def add(
        self, text: str, runs: list[tuple[list[str], bool]], weight: float, known: set[str], title: bool
    ) -> None:
        if not text:
            return
        lower = text.lower()
        # stop words are dropped once, from the counts (`result`)
        if lower.isascii():
            words = [w for w in lower.encode().translate(_NOT_LETTERS).decode().split() if len(w) > 2]
        else:
            words = _WORDS.findall(lower)
        numbers = [n.replace(",", "") for n in (_ASCII_NUMBERS if text.isascii() else _NUMBERS).findall(text)]
        names: list[str] = []
        phrases: list[str] = []
        stop = STOP_WORDS
        for run in _named(runs, known):
            if title:  # a title-case or shouted headline: only what the body also names
                run = [w for w in run if w in known]
            if len(run) == 1:  # most runs: one word, a name and no phrase
                word = run[0]
                low = word.lower()
                if len(word) >= 2 and low not in stop:
                    if "-" in low:
                        names += [part for part in low.split("-") if len(part) >= 2]
                    elif len(low) >= 2:
                        names.append(low)
                continue
            lowered = [w.lower() for w in run if w.lower() not in stop and len(w) >= 2]
            names += [part for w in lowered for part in w.replace("-", " ").split() if len(part) >= 2]
            if len(lowered) >= 2:
                phrases.append(" ".join(lowered[:MAX_PHRASE]))
        # Counted in C (Counter.update over a list); a whole weight is that many passes (one list repeated),
        # others scale.
        passes = int(weight) if weight == int(weight) else 0
        kinds = self.kinds
        for items, kind, target in (
            (words, WORD, self.counts),
            (numbers, NUMBER, self.named),
            (names, NAME, self.named),
            (phrases, PHRASE, self.named),
        ):
            if not items:
                continue
            if passes:
                target.update(items * passes if passes > 1 else items)
            else:
                target.update({t: n * weight for t, n in Counter(items).items()})
            if kind != WORD:  # a term keeps the kind it was first met as
                for term in set(items).difference(kinds):
                    kinds[term] = kind

    def result(self) -> dict[str, tuple[float, str]]:
        counts = self.counts
        for word in counts.keys() & STOP_WORDS:
            del counts[word]
        # Built in C (no Python step per word); the rare overlong word is then taken out.
        out: dict[str, tuple[float, str]] = dict(zip(counts, zip(counts.values(), repeat(WORD)), strict=True))
        if out and max(map(len, out)) > MAX_TERM:
            for term in [t for t in out if len(t) > MAX_TERM]:
                del out[term]
        for term, named in self.named.items():
            if len(term) > MAX_TERM:
                continue
            kind = self.kinds[term]
            if kind == NAME:
                plain = self.counts.get(term, 0.0)  # the same word's every use, named or not
                total = max(plain, named)
                # A word mostly written as a name is a name ("Reid"); mostly not, a word ("Rehab").
                out[term] = (total, NAME if named * 2 >= total else WORD)
            else:
                out[term] = (named, kind)
        return out


def _lead_split(body: str) -> tuple[str, str]:
    for ends, match in enumerate(_SENTENCE_END.finditer(body), start=1):
        if ends == LEAD_SENTENCES:
            return body[: match.end()], body[match.end() :]
    return body, ""


def text_terms(title: str, dek: str, body: Sequence[str] | Iterable[str]) -> dict[str, tuple[float, str]]:
    """term -> (weighted count, kind) for a headline, dek and body paragraphs."""
    text = "\n".join(p for p in body if p)[:MAX_CHARS]
    lead, rest = _lead_split(text)
    if dek:
        lead = dek + "\n" + lead
    parts = [(title, TITLE_WEIGHT, bool(text)), (lead, LEAD_WEIGHT, False), (rest, 1.0, False)]
    runs = [names_in(part) if part else [] for part, _, _ in parts]
    # Words the body capitalises inside sentences are names wherever they appear, also opening a sentence
    # or in a title-case or shouted headline.
    known = {w for found in runs[1:] for words, opens in found for w in words[opens:]}
    terms = _Terms()
    for (part, weight, is_title), found in zip(parts, runs, strict=True):
        terms.add(part, found, weight, known, is_title)
    return terms.result()


def article_terms(article: CanonicalArticle) -> dict[str, tuple[float, str]]:
    """term -> (weighted count, kind) for an article."""
    return text_terms(article.title or "", article.dek or "", article.body)


__all__ = ["NAME", "NUMBER", "PHRASE", "STOP_WORDS", "WORD", "article_terms", "names_in", "text_terms"]
