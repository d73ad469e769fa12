"""Names in a paragraph: runs of capitalised words, told apart as people, places and organisations.

No statistical model: spaCy's tokenizer and sentencizer cut the text; a run of capitalised words (with the
particles names carry, "von", "al-", "da") is one name; titles before it ("Belarusian President", "coach")
make it a person and describe them; the gazetteer makes it a place; an organisation's head word
("Authority", "Ministry of ...", "Ltd") an organisation. A lone capitalised word is decided later, in
`entities`, once the article's full names are known ("Lukashenko" after "Alexander Lukashenko").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from tidings.enrich import lexicon as lx
from tidings.enrich.gazetteer import Gazetteer

_HAS_LETTER = re.compile(r"[^\W\d_]")
_ACRONYM = re.compile(r"[A-Z][A-Z.&]{1,6}")
_GLUED_PARTICLE = re.compile(r"(?:al|el|ben|bin|abu|ibn|ul|ad|as|ash|az)-[A-Z]\w*")
_QUOTE_OPENERS = "“‘\"'«„‚"

PERSON, PLACE, ORG, UNKNOWN = "PERSON", "PLACE", "ORG", "UNKNOWN"


@dataclass(slots=True)
class Word:
    text: str
    start: int
    end: int
    index: int
    sent: int
    sent_start: bool
    gap: str  # what stands between the previous word and this one
    lower: str = ""  # the text lower-cased, made once: the rules ask for it again and again

    def __post_init__(self) -> None:
        self.lower = self.text.lower()

    @property
    def cap(self) -> bool:
        text = self.text
        return text[0].isupper() or ("-" in text and bool(_GLUED_PARTICLE.fullmatch(text)))


@dataclass(slots=True)
class Mention:
    paragraph: int
    start: int
    end: int
    text: str
    kind: str
    first: int  # index of its first word
    last: int  # index of its last word
    sent: int
    sent_start: bool = False
    titled: bool = False
    canonical: str | None = None  # the gazetteer's main name
    descriptors: set[str] = field(default_factory=set)
    in_quote: bool = False
    entity: int = -1
    after: str = ""  # the word right before it, lower-cased ("in", "near", "said")
    subject: bool = False  # the first name in its sentence, near its start: what the sentence is about


def words(doc: Doc) -> list[Word]:
    """A paragraph's words, hyphenated names kept whole ("Ben-David", "al-Rashid"), possessives dropped."""
    sent_of: list[int] = []  # token -> sentence number
    for number, sentence in enumerate(doc.sents):  # once: Token.is_sent_start scans the whole doc each time
        sent_of.extend([number] * len(sentence))
    tokens = [(t.text, t.idx, bool(t.whitespace_)) for t in doc]
    text = doc.text  # Doc.text joins every token: once
    out: list[Word] = []
    i, n = 0, len(tokens)
    previous_end, last_sent = 0, -1
    while i < n:
        token, idx, _ = tokens[i]
        if (not _HAS_LETTER.search(token) and not token[:1].isdigit()) or token.lower() in ("'s", "’s"):
            i += 1
            continue
        j = i
        while (
            j + 2 < n
            and not tokens[j][2]
            and tokens[j + 1][0] in ("-", "‐")
            and not tokens[j + 1][2]
            and _HAS_LETTER.search(tokens[j + 2][0])
        ):
            j += 2
        end = tokens[j][1] + len(tokens[j][0])
        sent = sent_of[i]
        gap = text[previous_end:idx]
        # A quotation opens with a capital whatever its first word is: 'replied: "Ask me …"'.
        mark = gap.rstrip()[-1:]
        opens = sent != last_sent or (
            mark != "" and mark in _QUOTE_OPENERS and gap.replace(" ", "")[:-1] in ("", ":", ",")
        )
        out.append(Word(text[idx:end], idx, end, len(out), sent, opens, gap))
        previous_end, last_sent = end, sent
        i = j + 1
    return out


def find(paragraph: int, ws: list[Word], text: str, gaz: Gazetteer) -> list[Mention]:
    """Every name in one paragraph's words."""
    found: list[Mention] = []
    for run in _runs(ws):
        found.extend(_classify(paragraph, run, ws, text, gaz))
    for mention in found:
        _describe(mention, ws)
    return found


# What a statistical model's entity labels are in Tidings' three kinds.
_MODEL_LABELS = {"PERSON": PERSON, "PER": PERSON, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE, "ORG": ORG}


def from_entities(paragraph: int, doc: Doc, ws: list[Word], gaz: Gazetteer) -> list[Mention]:
    """The mentions a statistical model's named-entity recogniser found, titles cut off people's names."""
    found: list[Mention] = []
    text = doc.text
    for ent in doc.ents:
        kind = _MODEL_LABELS.get(ent.label_)
        run = [w for w in ws if w.start >= ent.start_char and w.end <= ent.end_char]
        if kind is None or not run:
            continue
        title_end = _title_end(run) if kind == PERSON else -1
        descriptors = {w.lower for w in run[: title_end + 1]}
        run = run[title_end + 1 :]
        mention = _make(paragraph, run, text, gaz, titled=title_end >= 0, kind=kind)
        mention.descriptors |= descriptors
        found.append(mention)
    for mention in found:
        _describe(mention, ws)
        _locate(mention, ws)
    return found


# Prepositions after which a name is a place: "in Eastmoor", "near Carrow Bay".
LOCATIVE = frozenset({"in", "near", "outside", "inside", "across", "around", "at", "into", "from", "towards"})
_LOCATIVE_MULTIWORD = frozenset({"in", "near", "outside", "inside", "across", "around"})


def _locate(mention: Mention, ws: list[Word]) -> None:
    """Type a name the rules could not by the preposition before it, and remember that word."""
    if mention.first > 0 and not ws[mention.first].gap.strip():
        mention.after = ws[mention.first - 1].lower
    multiword_default = mention.kind == PERSON and not mention.titled and " " in mention.text
    if multiword_default and mention.after in _LOCATIVE_MULTIWORD:
        mention.kind = PLACE


def _joins(word: Word) -> bool:
    """Only white space between this word and the last, or an editor's bracket ("[Vladimir] Zelensky"), or
    a plural's apostrophe ("Farmers' Union")."""
    gap = word.gap.strip()
    return gap in ("", "[", "]", "&") or (gap in ("'", "’") and word.gap[-1:].isspace())


def _runs(ws: list[Word]) -> list[list[Word]]:
    runs: list[list[Word]] = []
    i = 0
    while i < len(ws):
        if not ws[i].cap:
            i += 1
            continue
        run = [ws[i]]
        j = i + 1
        while j < len(ws) and _joins(ws[j]):
            word = ws[j]
            name_follows = j + 1 < len(ws) and ws[j + 1].cap and _joins(ws[j + 1])
            particles_then_name = name_follows or (
                j + 2 < len(ws) and ws[j + 1].lower in lx.PARTICLES and ws[j + 2].cap and _joins(ws[j + 2])
            )  # "van der Berg"
            particle = word.lower in lx.PARTICLES and particles_then_name
            # "of" joins only after an organisation's or place's head: "University of Ibadan", "Isle of Skye"
            connector = name_follows and (
                (word.lower in ("of", "for") and run[-1].lower in lx.ORG_HEADS | lx.PLACE_OPENERS)
                or (
                    word.lower in ("and", "&") and run[-1].lower not in lx.ORG_HEADS and _org_ahead(ws, j + 1)
                )
            )
            if not (word.cap or particle or connector):
                break
            run.append(word)
            j += 1
        runs.append(run)
        i = j
    return runs


def _org_ahead(ws: list[Word], j: int) -> bool:
    """An organisation's head word ends the capitalised run from word `j` ("… and Consumer Authority")."""
    k = j
    while k + 1 < len(ws) and ws[k + 1].cap and _joins(ws[k + 1]) and k < j + 6:
        k += 1
    return ws[k].lower in lx.ORG_HEADS


def _span_text(text: str, run: list[Word]) -> str:
    return text[run[0].start : run[-1].end]


def _classify(paragraph: int, run: list[Word], ws: list[Word], text: str, gaz: Gazetteer) -> list[Mention]:
    """The mentions one run of capitalised words makes: the name, and places or bodies in its title."""
    whole = _span_text(text, run)
    if len(run) == 1 and not _single_kind(run[0], gaz):
        return []
    if gaz.organisation(whole) or gaz.place(whole):
        return [_make(paragraph, run, text, gaz, titled=False)]
    # A sentence's first word is capitalised whatever it is.
    while run and run[0].sent_start and run[0].lower in lx.STOPWORDS and not _acronym(run[0].text):
        run = run[1:]
    while run and (run[0].text in lx.PARTICLES or run[0].lower in lx.CONNECTORS):
        run = run[1:]  # a capitalised particle opens a name: "Von Hallberg said"
    while run and (run[-1].lower in lx.PARTICLES or run[-1].lower in lx.CONNECTORS):
        run = run[:-1]
    if not run:
        return []
    out: list[Mention] = []
    title_end = _title_end(run)
    titled = title_end >= 0
    descriptors = set()
    for word in run[: title_end + 1]:
        descriptors.add(word.lower)
        kind = _lone_kind(word, gaz)
        if kind is not None:
            out.append(_make(paragraph, [word], text, gaz, titled=False, kind=kind))
    name = run[title_end + 1 :]
    if not name:
        return out
    previous = ws[name[0].index - 1] if name[0].index > 0 else None
    lowercase_title = previous is not None and not previous.cap and previous.lower in lx.TITLES
    if not titled and lowercase_title and not name[0].gap.strip():  # "coach Marco Bellini"
        titled = True
        descriptors.add(ws[name[0].index - 1].lower)
    mention = _make(paragraph, name, text, gaz, titled=titled)
    if mention.kind:
        mention.descriptors |= descriptors
        out.append(mention)
    return out


def _acronym(text: str) -> bool:
    return len(text) > 1 and text.isupper()


def _title_end(run: list[Word]) -> int:
    """Index of the run's last title word, when a name follows it; -1 when the run has no title."""
    last = -1
    for k, word in enumerate(run[:-1]):
        if word.lower.rstrip(".") in lx.TITLES or word.lower in lx.TITLES:
            last = k
    if last >= 0 and run[-1].lower in lx.ORG_HEADS:
        return -1  # "General Motors", "Chief Executives Board": an organisation, not a title
    return last


def _lone_kind(word: Word, gaz: Gazetteer) -> str | None:
    """The kind of a single word in a title ("UN Secretary-General", "US President")."""
    if gaz.organisation(word.text):
        return ORG
    if gaz.place(word.text):
        return PLACE
    if _ACRONYM.fullmatch(word.text) and word.lower not in lx.TITLES:
        return ORG
    return None


def _make(
    paragraph: int, run: list[Word], text: str, gaz: Gazetteer, titled: bool, kind: str | None = None
) -> Mention:
    name = _span_text(text, run)
    if "[" in name or "]" in name:  # "[Vladimir] Zelensky": an editor's insertion, part of the name
        name = " ".join(w.text for w in run)
    canonical: str | None = None
    if kind is None:
        kind, canonical = _kind(run, name, gaz, titled)
    else:
        canonical = gaz.organisation(name) or gaz.place(name)
    return Mention(
        paragraph=paragraph,
        start=run[0].start,
        end=run[-1].end,
        text=name,
        kind=kind,
        first=run[0].index,
        last=run[-1].index,
        sent=run[0].sent,
        sent_start=run[0].sent_start,
        titled=titled,
        canonical=canonical,
    )


def _kind(run: list[Word], name: str, gaz: Gazetteer, titled: bool) -> tuple[str, str | None]:
    """("PERSON" | "PLACE" | "ORG" | "UNKNOWN" | "", gazetteer name); "" when the run names nothing."""
    lowers = [w.lower for w in run]
    org = gaz.organisation(name)
    if org:
        return ORG, org
    place = gaz.place(name)
    if place and not titled:
        return PLACE, place
    if lowers[-1] in lx.ORG_HEADS or any(
        w in lx.ORG_HEADS and nxt in ("of", "for") for w, nxt in itertools.pairwise(lowers)
    ):
        return ORG, None
    if len(run) > 1 and (lowers[-1] in lx.PLACE_HEADS or lowers[0] in lx.PLACE_OPENERS):
        return PLACE, None
    if len(run) > 1 and lowers[0] in lx.DIRECTIONS and gaz.place(name.split(" ", 1)[1]):
        return PLACE, gaz.place(name.split(" ", 1)[1])
    if titled:
        return PERSON, None
    if any(w.text in lx.CALENDAR or w.lower in lx.EVENT_HEADS for w in run):
        return "", None
    if any(c.isdigit() for c in name):
        return "", None
    if len(run) == 1:
        return _single_kind(run[0], gaz), None
    if all(gaz.is_demonym(w.text) or w.lower in lx.DIRECTIONS for w in run) or gaz.is_demonym(run[-1].text):
        return "", None  # "Western", "Earlier Azerbaijani (reports)"
    if len(run) > 5:
        return "", None
    return PERSON, None


def _single_kind(word: Word, gaz: Gazetteer) -> str:
    parts = word.text.split("-")
    if len(parts) > 1 and parts[-1].islower() and not _GLUED_PARTICLE.fullmatch(word.text):
        return ""  # "Western-supplied", "Kremlin-backed": an adjective
    if word.text in lx.NOT_NAMES or word.text in lx.CALENDAR or gaz.is_demonym(word.text):
        return ""
    if word.lower in lx.STOPWORDS and not _acronym(word.text):
        return ""
    if word.lower in lx.TITLES or word.lower in lx.ORG_NOUNS:
        return ""
    if _ACRONYM.fullmatch(word.text):
        return ORG
    return UNKNOWN


def _describe(mention: Mention, ws: list[Word]) -> None:
    """Words the text uses to describe a name: its apposition ("Kwame Mensah, the finance minister,") or the
    phrase it stands in apposition to ("Germany's economy minister, Katharina Vogel,")."""
    after = mention.last + 1
    if after < len(ws) and ws[after].gap.strip() == "," and ws[after].lower in ("a", "an", "the"):
        mention.descriptors |= _phrase(ws, after)
    first = mention.first
    if first > 0 and ws[first].gap.strip() == "," and ws[first - 1].lower in lx.PERSON_ROLES:
        k = first - 1
        while k > 0 and k > first - 6 and ws[k].gap.strip() in ("", "'s", "’s"):
            k -= 1
        mention.descriptors |= {w.lower for w in ws[k:first] if w.lower not in lx.STOPWORDS}


def _phrase(ws: list[Word], start: int, limit: int = 12) -> set[str]:
    out: set[str] = set()
    for word in ws[start : start + limit]:
        if word.index > start and word.gap.strip():
            break
        if word.lower not in lx.STOPWORDS:
            out.add(word.lower)
    return out
