"""An article's mentions merged into entities: "President Alexander Lukashenko", "Lukashenko" are one person.

A person's shorter mentions ("Lukashenko", "Von Hallberg", "Wang") join the fullest name whose words they
are; a lone capitalised word that is no one's name is a place when the gazetteer knows it, an organisation
when the text names it mid-sentence ("Volkswagen said"), and nothing when it only opens a sentence.
Organisations and places merge by the gazetteer's main name ("Kiev" and "Kyiv"), or an acronym by the
initials of a name the article spells out ("the Nigerian Ports Authority (NPA)").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Protocol

from tidings.enrich.gazetteer import Gazetteer
from tidings.enrich.names import LOCATIVE, ORG, PERSON, PLACE, UNKNOWN, Mention

_SKIP_INITIALS = frozenset({"of", "the", "and", "for", "&", "de", "la"})


class KnownNames(Protocol):
    """People named in articles already read, which the store keeps: "Lukashenko said" in a new article
    is the Alexander Lukashenko of earlier ones when he is the only such person known."""

    def person_names(self, word: str) -> list[str]: ...


@dataclass(slots=True)
class Cluster:
    kind: str
    name: str
    mentions: list[Mention] = field(default_factory=list)
    descriptors: set[str] = field(default_factory=set)

    def add(self, mention: Mention, number: int) -> None:
        mention.entity = number
        self.mentions.append(mention)
        self.descriptors |= mention.descriptors


@functools.lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    return tuple(name.casefold().replace("-", " ").split())


def _is_part(short: str, full: str) -> bool:
    """'Lukashenko' of 'Alexander Lukashenko', 'Von Hallberg' of 'Friedrich von Hallberg', 'Wang' of
    'Wang Yi'."""
    s, f = _name_words(short), _name_words(full)
    if len(s) >= len(f):
        return False
    return f[-len(s) :] == s or f[: len(s)] == s


def _initials(name: str) -> str:
    return "".join(
        w[0] for w in name.split() if w.casefold() not in _SKIP_INITIALS and w[0].isalpha()
    ).upper()


def merge(mentions: list[Mention], gaz: Gazetteer, known: KnownNames | None = None) -> list[Cluster]:
    """Entities, in order of first mention; each mention's `entity` set to its cluster's index."""
    clusters: list[Cluster] = []
    people: list[int] = []
    asked = _Asked(known) if known is not None else None
    by_key: dict[tuple[str, str], int] = {}
    confirmed = {m.text for m in mentions if not m.sent_start or m.kind == PERSON}
    located = {m.text for m in mentions if m.after in LOCATIVE}
    # Every proper start and end of a full name, so that `_is_part(text, any full name)` is one look-up.
    parts_of_people = {
        part
        for m in mentions
        if m.kind == PERSON and len(words := _name_words(m.text)) > 1
        for k in range(len(words))
        for part in (words[:k], words[len(words) - k :] if k else ())
    }

    def join(kind: str, key: str, name: str, mention: Mention) -> None:
        number = by_key.get((kind, key))
        if number is None:
            number = len(clusters)
            by_key[(kind, key)] = number
            clusters.append(Cluster(kind, name))
            if kind == PERSON:
                people.append(number)
        clusters[number].add(mention, number)

    for mention in sorted(mentions, key=lambda m: (m.paragraph, m.start)):
        kind = mention.kind
        surname_like = kind == PLACE and " " not in mention.text  # "Mendoza" after "Carlos Mendoza"
        if kind in (PERSON, UNKNOWN) or surname_like:
            person = _person_for(mention, clusters, people)
            if person is not None:
                if len(_name_words(mention.text)) > len(_name_words(clusters[person].name)):
                    by_key[(PERSON, clusters[person].name.casefold())] = person
                    clusters[person].name = mention.text  # a fuller name given later
                    by_key[(PERSON, mention.text.casefold())] = person
                mention.kind = PERSON
                clusters[person].add(mention, person)
                continue
            known_name = _known_person(mention, asked) if kind != PERSON or " " not in mention.text else None
            if known_name is not None:
                mention.kind = PERSON
                join(PERSON, known_name.casefold(), known_name, mention)
                continue
            if kind == UNKNOWN:
                if _name_words(mention.text) in parts_of_people:
                    kind = PERSON  # the full name comes later in the article
                else:
                    kind = _unknown_kind(mention, gaz, confirmed, located)
                    if not kind:
                        continue
                mention.kind = kind
        if kind == PERSON:
            join(PERSON, mention.text.casefold(), mention.text, mention)
        elif kind in (ORG, PLACE):
            name = mention.canonical or mention.text
            acronym = _acronym_of(mention, clusters)
            if acronym is not None:
                clusters[acronym].add(mention, acronym)
                continue
            join(kind, name.casefold(), name, mention)
    return clusters


def _person_for(mention: Mention, clusters: list[Cluster], people: list[int]) -> int | None:
    """The person this mention names: the same name, or a fuller one it is part of (the latest such)."""
    words = set(_name_words(mention.text))
    text = mention.text.casefold()
    for number in reversed(people):
        name = clusters[number].name
        if words.isdisjoint(_name_words(name)):
            continue
        if name.casefold() == text or _is_part(mention.text, name) or _is_part(name, mention.text):
            return number
    return None


class _Asked:
    """`KnownNames` asked once per word in an article (a surname recurs; each question is a query)."""

    def __init__(self, known: KnownNames) -> None:
        self.known = known
        self.answers: dict[str, list[str]] = {}

    def person_names(self, word: str) -> list[str]:
        if word not in self.answers:
            self.answers[word] = self.known.person_names(word)
        return self.answers[word]


def _known_person(mention: Mention, known: KnownNames | None) -> str | None:
    """The one person of earlier articles whose surname this lone word is."""
    if known is None or " " in mention.text or not mention.text[:1].isupper() or mention.text.isupper():
        return None
    names = known.person_names(mention.text)
    return names[0] if len(names) == 1 else None


def _unknown_kind(mention: Mention, gaz: Gazetteer, confirmed: set[str], located: set[str]) -> str:
    if gaz.place(mention.text):
        mention.canonical = gaz.place(mention.text)
        return PLACE
    if gaz.organisation(mention.text):
        mention.canonical = gaz.organisation(mention.text)
        return ORG
    # A word that only ever opens sentences may be any word; mid-sentence, a capital marks a name.
    if mention.text not in confirmed:
        return ""
    return PLACE if mention.text in located else ORG  # "near Eastmoor"; "Volkswagen said"


def _acronym_of(mention: Mention, clusters: list[Cluster]) -> int | None:
    if not mention.text.isupper() or len(mention.text) < 2 or mention.kind != ORG:
        return None
    for number, cluster in enumerate(clusters):
        if cluster.kind == ORG and " " in cluster.name and _initials(cluster.name) == mention.text:
            return number
    return None
