"""Who said what: direct quotations (in quote marks) and reported speech, each with its speaker.

A direct quotation's speaker stands in its attribution: after it ("…,” Lukashenko stressed", "…,” said
Leila Haddad"), or before it ("Kellogg later said on X that “…”", "He said, ‘…’"). A quotation with no
attribution continues the one before it (a follow-on sentence, or a paragraph that opens where the last one
left a quotation open), or belongs to the person the sentence before is about. Reported speech is a
reporting verb with a subject and a clause: "X said (that) …", "…, X said on Tuesday.", "According to X, …",
"…, adding that …".

Speakers are resolved to entities: a name to its entity; "he"/"she" to the last person quoted (or, failing
that, the last person named outside quotation marks); "the minister", "the Belarusian leader" to the person
the text described with those words; "the company", "a company spokesman" to the last organisation named.
Nobody is guessed for "critics", "officials", an anonymous source or a quotation nested in another.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from tidings.enrich import lexicon as lx
from tidings.enrich.entities import Cluster
from tidings.enrich.marks import QuoteMarks
from tidings.enrich.names import ORG, PERSON, PLACE, Mention, Word
from tidings.models import Quote, TextSpan

_SENTENCE_END = re.compile(r"[.!?]")
_TRAILING = " \t,;:—–-"
_TIME = (
    "today yesterday tonight afterwards later earlier again recently previously separately "
    "also then publicly privately"
)
_TIME_WORDS = frozenset(_TIME.split())


@dataclass(slots=True)
class Paragraph:
    index: int
    text: str
    words: list[Word]
    quotes: list[QuoteMarks]
    mentions: list[Mention]
    by_first: dict[int, Mention] = field(default_factory=dict)
    by_last: dict[int, Mention] = field(default_factory=dict)

    def index_mentions(self) -> None:
        """Index the mentions that belong to an entity by their first and last words (after merging)."""
        self.by_first = {m.first: m for m in self.mentions if m.entity >= 0}
        self.by_last = {m.last: m for m in self.mentions if m.entity >= 0}
        seen: set[int] = set()
        for mention in sorted(self.by_first.values(), key=lambda m: m.first):
            sentence = [
                w for w in self.words[max(0, mention.first - 6) : mention.first] if w.sent == mention.sent
            ]
            verbs = any(w.lower in lx.SPEECH_VERBS or w.lower in lx.PREPOSITIONS for w in sentence)
            mention.subject = mention.sent not in seen and len(sentence) <= 5 and not verbs
            seen.add(mention.sent)

    def quoted(self, word: Word) -> bool:
        return any(q.start <= word.start < q.end for q in self.quotes)

    def word_at(self, char: int) -> int:
        """Index of the first word starting at or after `char`."""
        for word in self.words:
            if word.start >= char:
                return word.index
        return len(self.words)


@dataclass(slots=True)
class Ref:
    """How the text points at a speaker: a name, a pronoun or a description ("the minister")."""

    form: str  # "name", "pronoun", "nominal"
    words: list[Word]
    mention: Mention | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(slots=True)
class Found:
    """A quotation before its speaker is resolved."""

    paragraph: int
    start: int
    end: int
    kind: str
    ref: Ref | None
    cue: str | None
    nested: bool = False
    follows: Found | None = None  # the quotation this one continues
    attribution_end: int = -1  # index of the last word of its attribution
    unclosed: bool = False
    speaker: int | None = None  # entity index, once resolved


# finding ------------------------------------------------------------------------------------------
def find(paragraphs: list[Paragraph], clusters: list[Cluster]) -> list[Quote]:
    found: list[Found] = []
    for para in paragraphs:
        para.index_mentions()
        direct = _direct(para, found)
        found.extend(direct)
        found.extend(_indirect(para, direct))
    found.sort(key=lambda f: (f.paragraph, f.start))
    return _resolve(found, paragraphs, clusters)


def _direct(para: Paragraph, earlier: list[Found]) -> list[Found]:
    out: list[Found] = []
    for q in para.quotes:
        item = Found(para.index, q.start, q.end, "direct", None, None, nested=q.depth > 0)
        item.unclosed = q.close_at < 0
        ref, cue, end = _attribution(para, q)
        item.ref, item.cue, item.attribution_end = ref, cue, end
        if q.depth > 0:
            if ref is not None and ref.form != "name":
                item.ref = None
            out.append(item)
            continue
        if ref is None:
            item.follows = _continued(para, q, out, earlier)
            if item.follows is None:
                item.ref, item.cue = _neighbour_sentence(para, q)
        out.append(item)
    return out


def _attribution(para: Paragraph, q: QuoteMarks) -> tuple[Ref | None, str | None, int]:
    """(speaker reference, reporting verb, index of the attribution's last word) of one quotation."""
    inside = para.text[q.start : q.end].rstrip()
    after_text = para.text[q.close_at + 1 : q.close_at + 3] if q.close_at >= 0 else ""
    if q.close_at >= 0 and (inside[-1:] in ",?!—–-…" or after_text.startswith(",")):
        found = _after(para, para.word_at(q.close_at + 1), q)
        if found[0] is not None:
            return found
    return _before(para, q)


def _same_clause(para: Paragraph, i: int, limit: int) -> bool:
    """No sentence end and no other quotation between character `limit` and word `i`."""
    if i >= len(para.words):
        return False
    between = para.text[limit : para.words[i].start]
    return not _SENTENCE_END.search(between) and not any(c in between for c in '“‘"«')


def _after(para: Paragraph, k: int, q: QuoteMarks) -> tuple[Ref | None, str | None, int]:
    """'…,” Lukashenko stressed', '…,” said Leila Haddad', '…,” according to Marina da Silva'."""
    ws = para.words
    if not _same_clause(para, k, q.close_at + 1):
        return None, None, -1
    if k + 1 < len(ws) and ws[k].lower == "according" and ws[k + 1].lower == "to":
        ref = _ref_forward(para, k + 2)
        return (ref, "according to", ref.words[-1].index) if ref else (None, None, -1)
    ref = _ref_forward(para, k)
    if ref is not None:
        v = _skip_apposition(para, ref.words[-1].index + 1)
        v = _skip_aux(ws, v)
        if v < len(ws) and ws[v].lower in lx.SPEECH_VERBS and not _negated(ws, v):
            return ref, ws[v].lower, v
    v = _skip_aux(ws, k)
    if v < len(ws) and ws[v].lower in lx.SPEECH_VERBS and not _negated(ws, v):
        ref = _ref_forward(para, v + 1, titles=True)
        if ref is not None:
            return ref, ws[v].lower, ref.words[-1].index
    return None, None, -1


def _before(para: Paragraph, q: QuoteMarks) -> tuple[Ref | None, str | None, int]:
    """'Kellogg later said on X that “…”', 'He said, ‘…’', 'Governor Luis Herrera replied: "…"'."""
    ws = para.words
    end = para.word_at(q.open_at)
    for v in range(end - 1, max(0, end - 14) - 1, -1):
        word = ws[v]
        if para.quoted(word) or _SENTENCE_END.search(para.text[word.end : q.open_at]):
            break
        if word.lower == "according" and v + 1 < end and ws[v + 1].lower == "to":
            ref = _ref_forward(para, v + 2)
            if ref is not None:
                return ref, "according to", end - 1
        if word.lower in lx.SPEECH_VERBS and not _negated(ws, v):
            return _ref_before(para, v), word.lower, end - 1
    return None, None, -1


def _continued(para: Paragraph, q: QuoteMarks, mine: list[Found], earlier: list[Found]) -> Found | None:
    """The quotation this unattributed one goes on from, if any."""
    previous = [f for f in mine if not f.nested and f.start < q.start]
    if previous:
        last = previous[-1]
        between = para.text[last.end : q.open_at]
        # "“…,” said X, standing outside, “and …”": the sentence goes on; "“…,” X said. “…”": the speaker
        # goes on, when only the attribution's sentence stands between.
        ends = len(_SENTENCE_END.findall(between.rstrip().rstrip("“‘\"'«").rstrip()))
        lower_start = para.text[q.start : q.start + 1].islower()
        if (last.ref is not None or last.follows is not None) and ((ends == 0 and lower_start) or ends <= 1):
            return last
        return None
    opens_paragraph = not para.text[: q.open_at].strip()
    before = [f for f in earlier if f.paragraph == para.index - 1 and not f.nested and f.kind == "direct"]
    if opens_paragraph and before and before[-1].unclosed:
        return before[-1]
    return None


def _neighbour_sentence(para: Paragraph, q: QuoteMarks) -> tuple[Ref | None, str | None]:
    """A quotation that is a sentence of its own: the person the sentence before is about, or the one named
    in a following 'That was how X put it'."""
    ws = para.words
    first = para.word_at(q.start)
    if first >= len(ws) or not ws[first].sent_start:
        return None, None
    sent = ws[first].sent
    if sent > 0 and para.text[: q.open_at].strip():
        opening = [w for w in ws if w.sent == sent - 1][:4]  # its subject, after any title ("Dr.")
        for w in opening:
            mention = para.by_first.get(w.index)
            if mention is not None:
                if mention.kind == PERSON and not para.quoted(w):
                    return Ref("name", ws[mention.first : mention.last + 1], mention), None
                break
            if w.lower not in lx.TITLES and w.lower.rstrip(".") not in lx.TITLES:
                break
    after = [w for w in ws if w.start >= q.end and not para.quoted(w)]
    if after and after[0].lower in ("that", "this", "so", "such") and after[0].sent_start:
        for w in after[:8]:
            named = para.by_first.get(w.index)
            if named is not None and named.kind == PERSON:
                return Ref("name", ws[named.first : named.last + 1], named), None
    return None, None


def _indirect(para: Paragraph, direct: list[Found]) -> list[Found]:
    """Reported speech in the sentences of one paragraph."""
    out: list[Found] = []
    ws = para.words
    covered_until = -1
    for v, word in enumerate(ws):
        if v <= covered_until or para.quoted(word):
            continue
        if word.lower == "according" and v + 1 < len(ws) and ws[v + 1].lower == "to":
            item = _according_to(para, v)
        elif word.lower in lx.CLAUSE_VERBS and not _negated(ws, v):
            item = _reported(para, v)
        else:
            item = None
        if item is None or len(para.text[item.start : item.end].split()) < 4:
            continue
        if any(d.start - 1 <= item.start and item.end <= d.end + 1 for d in direct if not d.nested):
            continue
        if para.text[item.start : item.start + 1] in "“‘\"'«":
            continue
        out.append(item)
        covered_until = max(covered_until, para.word_at(item.end) - 1)
    return out


def _sentence_bounds(para: Paragraph, v: int) -> tuple[int, int]:
    """Character span of the sentence holding word `v`, by the words' sentence numbers."""
    ws = para.words
    sent = ws[v].sent
    first = next(w for w in ws if w.sent == sent)
    last = [w for w in ws if w.sent == sent][-1]
    start = first.start
    while start > 0 and para.text[start - 1] in "“‘\"'«(":
        start -= 1
    return start, last.end


def _according_to(para: Paragraph, v: int) -> Found | None:
    ws = para.words
    ref = _ref_forward(para, v + 2)
    if ref is None:
        return None
    sent_start, sent_end = _sentence_bounds(para, v)
    after = ref.words[-1].index + 1
    if ws[v].sent_start and after < len(ws) and ws[after].gap.strip().startswith(","):
        return Found(para.index, ws[after].start, sent_end, "indirect", ref, "according to")
    if ws[v].gap.strip() == "," and not ws[v].sent_start:
        return Found(para.index, sent_start, ws[v - 1].end, "indirect", ref, "according to")
    return None


def _reported(para: Paragraph, v: int) -> Found | None:
    """'X said (that) …', '…, X said on Tuesday.', '…, said X.', ', adding that …'."""
    ws = para.words
    verb = ws[v].lower
    sent_start, sent_end = _sentence_bounds(para, v)
    ref = _ref_before(para, v)
    if ref is None and verb.endswith("ing") and ws[v].gap.strip() == ",":
        ref = _sentence_subject(para, v)
    if ref is None and ws[v].gap.strip() == "," and not ws[v].sent_start:
        ref = _ref_forward(para, v + 1, titles=True)  # "…, said Tomáš Dvořák, the deputy mayor."
        if ref is not None and _clause_ends(para, ref.words[-1].index + 1, sent_end):
            return Found(para.index, sent_start, ws[v - 1].end, "indirect", ref, verb)
        return None
    if ref is None:
        return None
    content = _clause_after(para, v, sent_end)
    if content is not None:
        return Found(para.index, content, sent_end, "indirect", ref, verb)
    subject_start = _subject_phrase_start(para, ref)
    rest = para.text[ws[v].end : sent_end]
    if (
        not any(c in rest for c in '“‘"«:')
        and subject_start > 0
        and ws[subject_start].gap.strip() == ","
        and not ws[subject_start].sent_start
        and _clause_ends(para, v + 1, sent_end)
    ):
        end = ws[subject_start - 1].end
        return Found(para.index, sent_start, end, "indirect", ref, verb)
    return None


def _subject_phrase_start(para: Paragraph, ref: Ref) -> int:
    """First word of the phrase naming a speaker: 'Belarusian President Alexander Lukashenko', 'chief
    executive Pieter van der Berg', 'the EU's trade commissioner, Jonas Lindqvist'."""
    ws = para.words
    k = ref.words[0].index
    floor = max(0, k - 4)
    while k > floor and not ws[k].gap.strip() and (ws[k - 1].lower in lx.TITLES or ws[k - 1].cap):
        k -= 1
    if k > 1 and ws[k].gap.strip() == "," and ws[k - 1].lower in lx.PERSON_ROLES:
        j = k - 1
        while j > max(0, k - 7) and ws[j].gap.strip() in ("", "'s", "’s"):
            j -= 1
        if ws[j].lower in lx.DETERMINERS or ws[j].gap.strip() == ",":
            return j
    return k


def _clause_after(para: Paragraph, v: int, sent_end: int) -> int | None:
    """Where the reported clause after verb `v` starts: 'said (that) …', 'told reporters in Beijing that …',
    'said in a statement that …', 'urged governments to …'; None when no clause follows
    ('said on Tuesday.')."""
    ws = para.words
    verb, k = ws[v].lower, v + 1
    if k >= len(ws) or ws[k].start >= sent_end or ws[k].gap.strip():
        return None
    if ws[k].lower == "that":
        return ws[k + 1].start if k + 1 < len(ws) and ws[k + 1].start < sent_end else None
    when = _time_phrase_end(ws, k)
    if when is not None and verb in lx.BARE_CLAUSE_VERBS and when < len(ws) and _plain(ws[when]):
        if ws[when].lower == "that":
            when += 1
        if when < len(ws) and ws[when].start < sent_end and ws[when].lower not in lx.PREPOSITIONS:
            return ws[when].start  # "said on Tuesday it would cut 3,000 jobs"
    if (
        verb in lx.OBJECT_VERBS
        or verb not in lx.BARE_CLAUSE_VERBS
        or ws[k].lower in lx.PREPOSITIONS
        or ws[k].lower in _TIME_WORDS
    ):
        for j in range(k + 1, min(len(ws), k + 13)):
            if ws[j].start >= sent_end or ws[j].gap.strip():
                break
            if ws[j].lower == "that":
                return ws[j + 1].start if j + 1 < len(ws) and ws[j + 1].start < sent_end else None
            if ws[j].lower == "to" and verb in ("urged", "urges", "asked", "asks"):
                return ws[k].start
        return None
    return ws[k].start


_TIME_NOUN_LIST = "week month year night morning evening afternoon weekend day"
_TIME_NOUNS = frozenset(_TIME_NOUN_LIST.split())


def _time_phrase_end(ws: list[Word], k: int) -> int | None:
    """Index after a time phrase at word `k` ("on Tuesday", "last week", "in March"), or None."""
    if ws[k].lower not in ("on", "in", "last", "this", "late", "early", "earlier", "on", "at"):
        return None
    for j in range(k + 1, min(len(ws), k + 4)):
        if not _plain(ws[j]):
            return None
        if ws[j].text in lx.CALENDAR or ws[j].lower in _TIME_NOUNS:
            return j + 1
    return None


def _clause_ends(para: Paragraph, k: int, sent_end: int) -> bool:
    """Only a short adverbial ("on Tuesday", "in London") between word `k` and the sentence's end."""
    rest = [w for w in para.words[k:] if w.start < sent_end]
    return len(rest) <= 7 and not any(w.lower == "that" for w in rest)


# references ---------------------------------------------------------------------------------------
def _ref_forward(para: Paragraph, k: int, titles: bool = False) -> Ref | None:
    """A speaker reference starting at word `k`: a name, a pronoun, 'the minister', 'a company spokesman'."""
    ws = para.words
    if titles:  # "said lead author Henrik Aas", "said coach Marco Bellini"
        j = k
        while (
            j < min(len(ws), k + 4)
            and j not in para.by_first
            and (ws[j].lower == ws[j].text or ws[j].lower.rstrip(".") in lx.TITLES)
            and _plain(ws[j])
        ):
            j += 1
        if j in para.by_first and j > k and any(ws[i].lower in lx.TITLES for i in range(k, j)):
            k = j
    if k >= len(ws):
        return None
    if ws[k].lower == "the" and k + 1 in para.by_first and _plain(ws[k + 1]):
        k += 1  # "according to the World Health Organization"
    mention = para.by_first.get(k)
    if mention is not None:
        return Ref("name", ws[mention.first : mention.last + 1], mention)
    if ws[k].lower in lx.PRONOUNS_PERSON or ws[k].lower in lx.PRONOUNS_ORG:
        return Ref("pronoun", [ws[k]])
    if ws[k].lower in lx.DETERMINERS:
        j = k + 1
        while j < len(ws) and j < k + 5 and not ws[j].gap.strip():
            if j in para.by_first:
                j = para.by_first[j].last + 1
                continue
            if _role_word(ws[j].lower) and (j + 1 >= len(ws) or not _role_word(ws[j + 1].lower)):
                return Ref("nominal", ws[k : j + 1])
            j += 1
    return None


def _plain(word: Word) -> bool:
    """Nothing but white space (or a possessive) between this word and the one before."""
    return word.gap.strip() in ("", "'s", "’s", "'", "’")


def _role_word(word: str) -> bool:
    return word in lx.PERSON_ROLES or word in lx.ORG_NOUNS or word in ("official", "officials", "source")


def _ref_before(para: Paragraph, v: int) -> Ref | None:
    """The subject of the verb at word `v`: 'Lukashenko stressed', 'Amina Yusuf, a spokeswoman for …, told',
    'The Belarusian leader said', 'Officials in Canberra insisted' (nobody)."""
    ws = para.words
    j = v - 1
    while (
        j >= 0 and (ws[j].lower in lx.AUXILIARIES or ws[j].lower.endswith("ly")) and not ws[j + 1].gap.strip()
    ):
        j -= 1
    if j < 0 or ws[j].sent != ws[v].sent:
        return None
    if ws[j].lower in ("and", "but") and not ws[j + 1].gap.strip():
        return _sentence_subject(para, j)
    gap = ws[j + 1].gap.strip()
    if gap == ",":
        group_start = j
        while group_start > 0 and _plain(ws[group_start]) and ws[group_start].sent == ws[v].sent:
            group_start -= 1
        mention = para.by_last.get(j)
        if mention is not None and mention.first == group_start:
            return Ref("name", ws[mention.first : mention.last + 1], mention)
        if ws[group_start].gap.strip() != ",":
            return None
        j = group_start - 1  # an apposition or a relative clause between the subject and its verb
        if j < 0 or ws[j].sent != ws[v].sent:
            return None
    elif gap:
        return None
    return _ref_ending(para, j)


def _ref_ending(para: Paragraph, j: int) -> Ref | None:
    ws = para.words
    mention = para.by_last.get(j)
    if mention is not None:
        k = mention.first - 1
        if k >= 0 and ws[k].lower in ("the", "a", "an") and _plain(ws[k + 1]):
            k -= 1
        if k >= 0 and ws[k].lower in lx.PREPOSITIONS and _plain(ws[k + 1]):
            return None  # "Officials in Canberra insisted", "an official at the Bank said": not the subject
        return Ref("name", ws[mention.first : mention.last + 1], mention)
    word = ws[j]
    if word.lower in lx.PRONOUNS_PERSON or word.lower in lx.PRONOUNS_ORG:
        return Ref("pronoun", [word])
    if _role_word(word.lower):
        k = j
        while k > 0 and k > j - 5 and not ws[k].gap.strip() and ws[k].lower not in lx.DETERMINERS:
            k -= 1
        if ws[k].lower in lx.DETERMINERS:
            return Ref("nominal", ws[k : j + 1])
    return None


def _sentence_subject(para: Paragraph, v: int) -> Ref | None:
    """The subject of the sentence holding word `v`, for 'and said …', ', adding that …'."""
    ws = para.words
    sent = ws[v].sent
    first = next(w.index for w in ws if w.sent == sent)
    for j in range(first, v):
        if para.quoted(ws[j]):
            continue
        if ws[j].lower in lx.SPEECH_VERBS or ws[j].lower in lx.CLAUSE_VERBS:
            found = _ref_before(para, j)
            if found is not None:
                return found
    return _ref_forward(para, first)


def _skip_apposition(para: Paragraph, k: int) -> int:
    """Past ', a former NATO commander,' after a name."""
    ws = para.words
    if (
        k < len(ws)
        and ws[k].gap.strip() == ","
        and ws[k].lower in ("a", "an", "the", "who", "whose", "which")
    ):
        j = k + 1
        while j < len(ws) and j < k + 20 and not ws[j].gap.strip():
            j += 1
        if j < len(ws) and ws[j].gap.strip() == ",":
            return j
    return k


def _skip_aux(ws: list[Word], k: int) -> int:
    while k < len(ws) and ws[k].lower in lx.AUXILIARIES and not ws[k].gap.strip():
        k += 1
    return k


def _negated(ws: list[Word], v: int) -> bool:
    return any(ws[j].lower in lx.NEGATIONS or ws[j].lower.endswith("n't") for j in range(max(0, v - 2), v))


# resolving ----------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Memory:
    last_person: int | None = None  # the last person quoted
    last_at: tuple[int, int] = (-1, -1)  # where: (paragraph, character)


def _resolve(found: list[Found], paragraphs: list[Paragraph], clusters: list[Cluster]) -> list[Quote]:
    memory = _Memory()
    mentions = sorted(
        (m for p in paragraphs for m in p.mentions if m.entity >= 0 and not m.in_quote),
        key=lambda m: (m.paragraph, m.start),
    )
    places = [(m.paragraph, m.start) for m in mentions]  # sorted: the mentions before a point are a prefix
    out: list[Quote] = []
    for item in found:
        if item.follows is not None:
            item.speaker = item.follows.speaker
            item.ref, item.cue = item.follows.ref, item.follows.cue
        elif item.ref is not None:
            item.speaker = _speaker(item, mentions, places, clusters, memory)
        if item.speaker is not None and clusters[item.speaker].kind == PERSON and not item.nested:
            memory.last_person, memory.last_at = item.speaker, (item.paragraph, item.start)
        out.append(_quote(item, paragraphs[item.paragraph].text, clusters))
    return out


def _speaker(
    item: Found,
    mentions: list[Mention],
    places: list[tuple[int, int]],
    clusters: list[Cluster],
    memory: _Memory,
) -> int | None:
    ref = item.ref
    assert ref is not None
    if ref.form == "name" and ref.mention is not None:
        return ref.mention.entity
    earlier = mentions[: bisect.bisect_left(places, (item.paragraph, ref.words[0].start))]
    if ref.form == "pronoun":
        if ref.words[0].lower in lx.PRONOUNS_PERSON:
            # The last person quoted, unless the text has since turned to another ("His deputy, Ama Owusu,
            # said …"): "he" and "she" stand for whom the text is about.
            people = [m for m in earlier if clusters[m.entity].kind == PERSON]
            subjects = [m for m in people if m.subject]
            recent = memory.last_person is not None and item.paragraph - memory.last_at[0] <= 2
            if subjects and (not recent or (subjects[-1].paragraph, subjects[-1].start) > memory.last_at):
                return subjects[-1].entity
            if recent:
                return memory.last_person
            return people[-1].entity if people else None
        bodies = [m.entity for m in earlier if clusters[m.entity].kind in (ORG, PLACE) and m.sent_start]
        return bodies[-1] if bodies else None
    return _nominal(ref, earlier, clusters)


def _nominal(ref: Ref, earlier: list[Mention], clusters: list[Cluster]) -> int | None:
    """'the minister', 'the Belarusian leader' → the person so described; 'the company' → the organisation."""
    words = [w.lower for w in ref.words[1:]]
    head = words[-1]
    if head in lx.ORG_NOUNS or any(w in lx.ORG_NOUNS for w in words[:-1]):
        return _organisation(words, earlier, clusters)
    if head not in lx.PERSON_ROLES:
        return None
    wanted = lx.ROLE_SYNONYMS.get(head, frozenset()) | {head}
    best: tuple[int, int] | None = None
    for order, mention in enumerate(earlier):
        cluster = clusters[mention.entity]
        if cluster.kind != PERSON:
            continue
        score = 2 * len(set(words[:-1]) & cluster.descriptors) + (1 if wanted & cluster.descriptors else 0)
        if score and (best is None or (score, order) >= (best[0], best[1])):
            best = (score, order)
    return earlier[best[1]].entity if best is not None else None


def _organisation(words: list[str], earlier: list[Mention], clusters: list[Cluster]) -> int | None:
    """'the company', 'a company spokesman', 'the ministry' → the last organisation named that fits: one
    whose name holds the noun, else the last one, unless the phrase describes an organisation of its own
    ('the Hamas-run health ministry')."""
    nouns = [w for w in words if w in lx.ORG_NOUNS]
    others = [w for w in words[:-1] if w not in lx.ORG_NOUNS]
    orgs = [m.entity for m in earlier if clusters[m.entity].kind == ORG]
    fitting = [e for e in orgs if any(n in clusters[e].name.casefold() for n in nouns)]
    if fitting:
        return fitting[-1]
    if others or not orgs:
        return None
    return orgs[-1]


def _quote(item: Found, text: str, clusters: list[Cluster]) -> Quote:
    start, end = item.start, item.end
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    cluster = clusters[item.speaker] if item.speaker is not None else None
    return Quote(
        text=text[start:end],
        kind=item.kind,
        span=TextSpan(item.paragraph, start, end),
        speaker=cluster.name if cluster else None,
        speaker_kind=cluster.kind if cluster else None,
        speaker_text=item.ref.text if item.ref and cluster else None,
        cue=item.cue,
        nested=item.nested,
    )
