"""A deterministic syndication corpus: articles, the copies sites made of them, and the hard negatives.

Every article is written by a small phrase-structure grammar over a news lexicon (people, places and
organisations made up from syllables, topic vocabularies, quotes, figures), so unrelated articles share
only the common phrases real news shares. Each article has 1–6 copies: the publisher's own (typographic
quotes and dashes, a dek) and aggregators' copies, each site with its own habits — straight quotes,
merged or split paragraphs, teasers spliced in, a few words edited, a new headline, leftovers of its
chrome, the first third only with a link out. Some articles get a new version (an update or correction
paragraph) that must fold into them.

The hard negatives are what must never fold together: two publishers' own articles on one event (same
names and figures, often one shared quote), templated articles (market reports, match results, weather)
that share most of their words and differ in names and figures, and an article's follow-up, which reuses
its background paragraphs under a new lead.

`chunks(n, seed)` streams the corpus in self-contained chunks (every copy of an article and both sides of
every negative pair are in one chunk), so a million documents never sit in memory at once.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from tidings.models import Copy

CHUNK = 2000  # documents per chunk (about)


# --- lexicon ---------------------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    return text.split()


def _phrases(text: str) -> list[str]:
    return text.split("|")


_FIRST = _words(
    "Anna Ben Clara David Elena Farid Grace Hugo Ines James Karin Liam Maya Noah Olga Pavel Quinn Rosa "
    "Samir Tara Umar Vera Wen Xavier Yara Zoe Aditi Bruno Chloe Dmitri Erin Felix Gita Hamid Ivy Jonas "
    "Kofi Lena Marco Nadia Omar Priya Rafael Sofia Tomas Uma Victor Wanda Yusuf Amara Boris Carmen Diego "
    "Esther Femi Greta Hana Igor Julia Kenji Leila Mateo Nina Oscar Paula Ravi Selma Theo Ursula Vikram "
    "Willa Zainab Alice Conor Dana Emil Fatima Gabriel Helen Isaac Joanna Karl Lucia Miriam Niall Petra"
)
_SYL_A = _words(
    "Hal Ash Brack Cor Dun Eld Fair Gar Hol Ing Kes Lang Mor Nor Pem Quar Ros Stan Thorn Ul Ver Wex Yar "
    "Zel Bel Cal Dra Fen Gil Har Kil Lis Mar Ost Pell Rad Sel Tal Wil Bram Carr Dal Esk Farn Glen Hock "
    "Jar Kirk Lom Mel"
)
_SYL_B = _words(
    "den worth ley by ford ton well ridge mere wick stone field more hurst land ington sen ova ez ini ard "
    "ling cott ham"
)
_PLACE_B = _words(
    "moor vale haven bridge port ford bury mouth dale field gate wick ton stead chester minster"
)
_ORG_KIND = _words(
    "Group Holdings Industries Energy Airways Bank Motors Foods Pharma Telecom Logistics Systems "
    "Insurance Mining Retail Media Shipping Construction"
)
_INSTITUTION = _phrases(
    "City Council|University|General Hospital|Football Club|Police|Water|Transport Authority|"
    "Chamber of Commerce|Port Authority|Housing Trust|Fire Service|District Court"
)
_MINISTRY = _words("Health Finance Transport Education Defence Environment Justice Energy Housing Labour")
_ROLES = _phrases(
    "chief executive|finance director|a spokesperson|the mayor|a senior analyst|the head coach|"
    "the lead author|a police spokesperson|the health minister|a union representative|a local resident|"
    "the chief economist|the company's chair|a council member|an independent expert|the fire chief|"
    "a lawyer for the family|the project manager|the opposition leader|a researcher"
)

_GENERAL_NOUNS = _words(
    "plan report decision proposal budget review inquiry project agreement deal scheme programme policy "
    "investigation statement figure estimate warning change move process system service network centre "
    "site area region community board committee panel group team meeting talks vote hearing ruling appeal "
    "case claim complaint request offer bid contract payment fund grant loan price cost rate fee tax bill "
    "law rule measure target deadline delay shortage rise fall increase cut loss gain profit result "
    "outcome response reaction concern fear hope demand pressure support opposition criticism debate "
    "campaign protest strike dispute crisis problem issue question answer evidence data survey study "
    "analysis forecast outlook trend record level number share majority minority population resident "
    "worker family parent student patient customer passenger driver officer official minister leader "
    "expert analyst critic supporter member owner tenant employer union industry market sector economy "
    "city town village street road bridge station airport harbour coast river hospital school court "
    "office factory plant warehouse store building site field park"
)
_TOPIC_NOUNS = {
    "politics": _words(
        "election coalition parliament minister cabinet reform referendum mandate ballot constituency "
        "manifesto senator legislation amendment majority"
    ),
    "business": _words(
        "shares investors revenue earnings merger acquisition quarter dividend shareholders inflation "
        "lender startup valuation layoffs supplier"
    ),
    "sport": _words(
        "match season league title striker goalkeeper coach fixture tournament final semi-final penalty "
        "squad stadium fans"
    ),
    "science": _words(
        "researchers telescope species vaccine trial molecule climate samples orbit genome laboratory "
        "experiment findings journal particles"
    ),
    "crime": _words(
        "police suspect arrest charges court trial jury verdict sentence detectives witness burglary "
        "fraud prosecutors bail"
    ),
    "transport": _words(
        "trains services commuters railway timetable passengers flights runway ferry tram motorway "
        "congestion signalling fares operators"
    ),
    "health": _words(
        "patients doctors nurses waiting lists ward treatment clinic infections symptoms screening "
        "prescriptions surgery outbreak hospitals"
    ),
    "weather": _words(
        "storm rainfall flooding temperatures heatwave winds snow forecasters warning drought gusts "
        "showers frost humidity thunder"
    ),
}
_TOPICS = tuple(_TOPIC_NOUNS)
_ADJ = _words(
    "new major local national regional senior former recent early late significant serious small large "
    "key main final initial public private independent official annual monthly weekly rapid sharp modest "
    "steady strong weak further wider broader tough fresh urgent unexpected controversial ambitious "
    "cautious long short brief detailed rare common growing falling rising"
)
_VERBS = [  # base, past, past participle
    v.split("/")
    for v in _words(
        "approve/approved/approved reject/rejected/rejected announce/announced/announced "
        "confirm/confirmed/confirmed deny/denied/denied launch/launched/launched open/opened/opened "
        "close/closed/closed delay/delayed/delayed cut/cut/cut raise/raised/raised "
        "review/reviewed/reviewed publish/published/published release/released/released "
        "block/blocked/blocked back/backed/backed criticise/criticised/criticised "
        "defend/defended/defended expand/expanded/expanded reduce/reduced/reduced "
        "extend/extended/extended suspend/suspended/suspended investigate/investigated/investigated "
        "propose/proposed/proposed sign/signed/signed win/won/won lose/lost/lost build/built/built "
        "sell/sold/sold buy/bought/bought warn/warned/warned promise/promised/promised "
        "request/requested/requested complete/completed/completed replace/replaced/replaced "
        "report/reported/reported examine/examined/examined question/questioned/questioned "
        "fund/funded/funded scrap/scrapped/scrapped support/supported/supported "
        "challenge/challenged/challenged"
    )
]
_ADJ_SET = frozenset(_ADJ)
_PREPS = _words("in at near across outside around throughout beyond")
_TIME_PHRASES = _phrases(
    "on Monday|on Tuesday|on Wednesday|on Thursday|on Friday|on Saturday|on Sunday|last week|"
    "earlier this month|this year|in the coming weeks|by the end of the year|over the weekend|"
    "late on Friday|in recent days|since January|for the first time|next month|within months|"
    "by the summer"
)
_DAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTHS = _words("January February March April May June July August September October November December")
_CONNECT = _phrases("However,|Meanwhile,|In addition,|Separately,|At the same time,|Earlier,|Later,|Still,")
_SAY = [
    "said",
    "added",
    "told reporters",
    "said in a statement",
    "wrote in a letter",
    "told a news conference",
]
_EDITS = {  # light editing: the words sub-editors change
    "said": "stated",
    "added": "continued",
    "about": "around",
    "large": "big",
    "rapid": "quick",
    "significant": "considerable",
    "warned": "cautioned",
    "criticised": "criticized",
    "defended": "backed",
    "expected": "likely",
    "also": "additionally",
    "recent": "latest",
}
_TEASER_CUES = ("Read more:", "READ MORE:", "Also read:", "Related:", "See also:", "MORE:")
_TOP_RESIDUE = ("By {author}", "{publisher} | {day} {time}", "Listen to this article", "Share this story")
_BOTTOM_RESIDUE = (
    "Follow {site} on Telegram for the latest news",
    "© 2025 {publisher}. All rights reserved.",
    "This article was republished from {publisher}.",
    "Tags: {tags}",
)


def _surname(r: random.Random) -> str:
    return r.choice(_SYL_A) + r.choice(_SYL_B)


def _person(r: random.Random) -> str:
    return f"{r.choice(_FIRST)} {_surname(r)}"


def _place(r: random.Random) -> str:
    base = r.choice(_SYL_A) + r.choice(_PLACE_B)
    return r.choice((base, base, base, f"Port {base}", f"North {base}", f"East {base}", f"{base} Bay"))


def _org(r: random.Random, place: str) -> str:
    k = r.random()
    if k < 0.45:
        return f"{_surname(r)} {r.choice(_ORG_KIND)}"
    if k < 0.8:
        return f"{place} {r.choice(_INSTITUTION)}"
    return f"the Ministry of {r.choice(_MINISTRY)}"


@dataclass(slots=True)
class _Cast:
    """The names and figures one event is about: shared by every article on that event."""

    topic: str
    people: list[str]
    roles: list[str]
    place: str
    orgs: list[str]
    figures: list[str]
    day: str


def _cast(r: random.Random) -> _Cast:
    place = _place(r)
    return _Cast(
        topic=r.choice(_TOPICS),
        people=[_person(r) for _ in range(3)],
        roles=r.sample(_ROLES, 3),
        place=place,
        orgs=[_org(r, place) for _ in range(2)],
        figures=[_figure(r) for _ in range(4)],
        day=r.choice(_DAYS),
    )


def _figure(r: random.Random) -> str:
    k = r.random()
    if k < 0.25:
        return f"{r.randint(2, 95)} per cent"
    if k < 0.5:
        return f"£{r.randint(2, 900)}m"
    if k < 0.7:
        return f"{r.randint(2, 60) * 50:,} people"
    if k < 0.85:
        return f"${r.randint(11, 99) / 10:.1f} billion"
    return f"{r.randint(3, 48)} hours"


class _Writer:
    """Sentences and paragraphs for one article, drawing on its cast and topic."""

    def __init__(self, r: random.Random, cast: _Cast, curly: bool) -> None:
        self.r, self.cast, self.curly = r, cast, curly

    def noun(self) -> str:
        r = self.r
        return r.choice(_TOPIC_NOUNS[self.cast.topic]) if r.random() < 0.4 else r.choice(_GENERAL_NOUNS)

    def np(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.15:
            return r.choice(self.cast.orgs)
        if k < 0.25:
            return (
                f"{self.cast.place}'s {self.noun()}"
                if not self.curly
                else f"{self.cast.place}’s {self.noun()}"
            )
        det = r.choice(("the", "the", "a", "its", "their", "this"))
        adj = f"{r.choice(_ADJ)} " if r.random() < 0.5 else ""
        tail = f" of {self.noun()}s" if r.random() < 0.2 else ""
        np = f"{det} {adj}{self.noun()}{tail}"
        return "an" + np[1:] if np.startswith("a ") and np[2] in "aeiou" else np

    def clause(self) -> str:
        r = self.r
        base, past, pp = r.choice(_VERBS)
        k = r.random()
        subject = self.np()
        if k < 0.35:
            out = f"{subject} {past} {self.np()}"
        elif k < 0.55:
            out = f"{subject} was {pp} by {self.np()}"
        elif k < 0.7:
            out = f"{subject} will {base} {self.np()}"
        elif k < 0.85:
            out = f"{subject} {past} {self.np()} after {self.np()} {r.choice(_VERBS)[1]} {self.np()}"
        else:
            out = f"{r.choice(self.cast.people)} {past} {self.np()}"
        if r.random() < 0.45:
            out += f" {r.choice(_PREPS)} {self.cast.place if r.random() < 0.4 else self.np()}"
        if r.random() < 0.4:
            out += f" {r.choice(_TIME_PHRASES)}"
        if r.random() < 0.25:
            out += f", with {r.choice(self.cast.figures)} affected"
        return out

    def sentence(self) -> str:
        r = self.r
        k = r.random()
        if k < 0.12:
            text = f"{r.choice(_CONNECT)} {self.clause()}"
        elif k < 0.22:
            text = f"According to {r.choice(self.cast.orgs)}, {self.clause()}"
        elif k < 0.3:
            text = f"{self.clause()}, and {self.clause()}"
        else:
            text = self.clause()
        return text[0].upper() + text[1:] + "."

    def quote(self) -> str:
        r = self.r
        who = r.randrange(len(self.cast.people))
        words = " ".join(
            (
                r.choice(("We", "I", "They", "This")),
                r.choice(("think", "know", "believe", "expect", "fear", "hope")),
                self.clause(),
            )
        )
        say = r.choice(_SAY)
        person, role = self.cast.people[who], self.cast.roles[who]
        if self.curly:
            return f"“{words},” {person}, {role}, {say}."
        return f'"{words}," {person}, {role}, {say}.'

    def paragraph(self) -> str:
        r = self.r
        if r.random() < 0.25:
            return self.quote()
        return " ".join(self.sentence() for _ in range(r.choice((1, 2, 2, 3, 3, 4))))

    def lead(self) -> str:
        c, r = self.cast, self.r
        return (
            f"{c.orgs[0][0].upper()}{c.orgs[0][1:]} {r.choice(_VERBS)[1]} {self.np()} {r.choice(_PREPS)} "
            f"{c.place} on {c.day}, with {c.figures[0]} affected, "
            f"{r.choice(('officials said', 'its statement said', 'a spokesperson confirmed'))}."
        )

    def headline(self) -> str:
        c, r = self.cast, self.r
        base, _, _ = r.choice(_VERBS)
        name = r.choice((c.place, c.orgs[0], c.people[0].split()[1]))
        name = name[0].upper() + name[1:]
        return f"{name} to {base} {self.noun()} {r.choice(('as', 'after', 'amid', 'despite'))} {self.np()}"

    def body(self, paragraphs: int) -> list[str]:
        return [self.lead(), *(self.paragraph() for _ in range(paragraphs - 1))]


# --- templated articles (market reports, results, weather) -------------------------------------------------
def _market(r: random.Random, entity: str, publisher: str) -> tuple[str, list[str]]:
    tick = "".join(c for c in entity.upper() if c.isalpha())[:4]
    move = r.choice(("rose", "fell", "climbed", "slipped"))
    pct, price, vol = r.randint(1, 95) / 10, r.randint(300, 9000) / 100, r.randint(2, 90) * 10_000
    firm = f"{_surname(r)} Securities"
    paras = [
        f"Shares of {entity} ({tick}) {move} {pct}% in trading on {r.choice(_DAYS)}, closing at "
        f"${price:.2f}. About {vol:,} shares changed hands, compared with an average volume of "
        f"{vol * r.randint(8, 14) // 10:,} shares.",
        f"{firm} set a price target of ${price * r.randint(105, 140) / 100:.2f} on the stock and rated it "
        f'"{r.choice(("buy", "hold", "outperform", "neutral"))}" in a research note. Analysts on average '
        f'rate the shares a "{r.choice(("moderate buy", "hold", "strong buy"))}".',
        f"The company has a market capitalisation of ${r.randint(12, 990) / 10:.1f} billion, a "
        f"price-to-earnings ratio of {r.randint(80, 450) / 10} and a beta of {r.randint(50, 190) / 100}. "
        f"Its 50-day moving average is ${price * 0.97:.2f} and its 200-day moving average is "
        f"${price * 0.91:.2f}.",
        f"{entity} last posted quarterly earnings of ${r.randint(5, 300) / 100:.2f} per share on revenue of "
        f"${r.randint(50, 9000) / 10:.1f} million, against analysts' expectations of "
        f"${r.randint(5, 300) / 100:.2f} per share.",
        f"{entity} operates through its retail, wholesale and services segments and sells its products in "
        f"more than {r.randint(12, 80)} countries. The company was founded in {r.randint(1890, 2010)} "
        f"and is based in {_place(r)}.",
        f"This story was generated automatically by {publisher} using data from market data providers. "
        "Prices may be delayed by at least 15 minutes and are provided for information only. Receive "
        "news and ratings for your stocks by entering your email address below to receive a concise "
        "daily summary of the latest news and analysts' ratings.",
    ]
    return f"{entity} ({tick}) shares {move} {pct}% on {r.choice(_DAYS)}", paras


def _result(r: random.Random, entity: str, publisher: str) -> tuple[str, list[str]]:
    other = f"{_place(r)} {r.choice(('United', 'Rovers', 'City', 'Athletic', 'Wanderers'))}"
    a, b = r.randint(0, 5), r.randint(0, 4)
    verb = "beat" if a > b else ("drew with" if a == b else "lost to")
    scorer, minute = _person(r), r.randint(3, 90)
    paras = [
        f"{entity} {verb} {other} {a}-{b} at home on {r.choice(_DAYS)} in front of a crowd of "
        f"{r.randint(3, 60) * 1000:,}.",
        f"{scorer} opened the scoring in the {minute}th minute, and {_person(r)} added another after "
        f"{min(90, minute + r.randint(1, 40))} minutes. {_person(r)} was shown a yellow card shortly before "
        "half-time.",
        f"The result leaves {entity} in {r.randint(1, 20)}th place in the table with {r.randint(3, 80)} "
        f"points from {r.randint(5, 38)} games, while {other} sit {r.randint(1, 20)}th.",
        f"{entity} travel to {_place(r)} next {r.choice(_DAYS)}, and {other} host {_place(r)} Rovers.",
        f"Match reports are compiled by {publisher} from official league data. Kick-off times are local "
        "and may change for television coverage. Results are provisional until confirmed by the league, "
        "and tables are updated after the final match of each round.",
    ]
    return f"{entity} {verb} {other} {a}-{b}", paras


def _weather(r: random.Random, entity: str, publisher: str) -> tuple[str, list[str]]:
    sky = r.choice(("sunny spells", "heavy showers", "cloudy skies", "thunderstorms", "light rain", "fog"))
    hi, lo, wind = r.randint(8, 36), r.randint(-3, 20), r.randint(5, 70)
    paras = [
        f"{entity} can expect {sky} on {r.choice(_DAYS)}, with a high of {hi}C and a low of {lo}C. Winds "
        f"from the {r.choice(('north', 'south', 'east', 'west'))} will reach {wind}km/h in the afternoon.",
        f"On {r.choice(_DAYS)}, {r.choice(('showers', 'sunshine', 'cloud', 'drizzle'))} is forecast with "
        f"temperatures between {lo + r.randint(0, 4)}C and {hi + r.randint(-3, 3)}C. The chance of rain is "
        f"{r.randint(5, 95)} per cent.",
        f"Sunrise is at {r.randint(4, 8)}:{r.randint(10, 59)} and sunset at {r.randint(17, 21)}:"
        f"{r.randint(10, 59)}. The pollen count is {r.choice(('low', 'moderate', 'high', 'very high'))} "
        f"and the UV index is {r.randint(1, 10)}.",
        f"The forecast for {entity} is produced by {publisher} with data from the national weather service. "
        "Warnings can change at short notice: check the latest forecast before you travel, and follow the "
        "advice of the emergency services when a warning is in force.",
    ]
    return f"{entity} weather: {sky} and {hi}C on {r.choice(_DAYS)}", paras


_TEMPLATES = (_market, _result, _weather)


# --- the corpus --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Item:
    """One document's copy and the truth about it."""

    copy: Copy
    article: int  # ground-truth article
    site: str
    changes: frozenset[str] = frozenset()  # what the generator did to this copy
    made: int = 0  # when it appeared (later versions of an article come after it)


@dataclass(slots=True)
class Chunk:
    items: list[Item] = field(default_factory=list)
    # pairs of articles that must never fold together: (article, article, "same event" | "templated" | ...)
    negatives: list[tuple[int, int, str]] = field(default_factory=list)
    # each article as its publisher last published it: what the canonical article should read
    originals: dict[int, Copy] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Site:
    name: str
    truncate: float
    teaser: float
    straight: float
    paragraphs: float
    retitle: float
    residue: float
    edit: float
    cue: str


def _sites(r: random.Random, n: int) -> list[_Site]:
    names = sorted(
        {
            (_surname(r) + r.choice(("news", "wire", "daily", "24", "post", "feed", "now"))).lower()
            for _ in range(n * 2)
        }
    )[:n]
    return [
        _Site(
            name=name,
            truncate=r.choice((0.0, 0.0, 0.3, 0.8)),
            teaser=r.choice((0.0, 0.2, 0.5)),
            straight=r.choice((0.0, 0.5, 1.0)),
            paragraphs=r.choice((0.0, 0.3, 0.6)),
            retitle=r.choice((0.0, 0.2, 0.5)),
            residue=r.choice((0.0, 0.3, 0.6)),
            edit=r.choice((0.0, 0.15, 0.4)),
            cue=r.choice(_TEASER_CUES),
        )
        for name in names
    ]


@dataclass(slots=True)
class _Article:
    label: int
    publisher: str
    site: str
    copy: Copy
    templated: bool = False


class _ChunkWriter:
    def __init__(self, seed: int, index: int, sites: list[_Site]) -> None:
        self.r = random.Random(f"{seed}/{index}")
        self.base = index * 1_000_000
        self.sites = sites
        self.next_label = 0
        self.chunk = Chunk()
        mastheads = ("Herald", "Ledger", "Times", "Post", "Gazette", "Chronicle")
        self.publishers = [f"The {_place(self.r)} {self.r.choice(mastheads)}" for _ in range(12)]
        self.when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=index)

    def label(self) -> int:
        self.next_label += 1
        return self.base + self.next_label

    def article(self, cast: _Cast | None = None, publisher: str | None = None) -> tuple[_Article, _Cast]:
        r = self.r
        cast = cast or _cast(r)
        curly = r.random() < 0.7
        w = _Writer(r, cast, curly)
        body = w.body(r.choice((4, 5, 6, 7, 8, 9, 10, 12, 14, 18)))
        title = w.headline()
        dek = " ".join(w.sentence() for _ in range(1)) if r.random() < 0.7 else None
        publisher = publisher or r.choice(self.publishers)
        return self._make(title, dek, body, publisher, curly), cast

    def _make(self, title: str, dek: str | None, body: list[str], publisher: str, curly: bool) -> _Article:
        r = self.r
        if curly:
            body = [p.replace(" - ", " — ") for p in body]
        copy = Copy(
            title=title,
            dek=dek,
            body=tuple(body),
            publisher=publisher,
            author=_person(r) if r.random() < 0.6 else None,
            published_at=self.when + timedelta(minutes=r.randint(0, 600)),
            language="en",
        )
        site = publisher.removeprefix("The ").lower().replace(" ", "")
        return _Article(self.label(), publisher, site, copy)

    def templated(self, maker: object, entity: str, publisher: str) -> _Article:
        title, paras = maker(self.r, entity, publisher)  # type: ignore[operator]
        article = self._make(title, None, paras, publisher, curly=False)
        article.templated = True
        return article

    # copies ------------------------------------------------------------------------------------------------
    def add(self, item: Item) -> None:
        self.chunk.items.append(replace(item, made=len(self.chunk.items)))

    def emit(self, article: _Article, extra_copies: int, *, own: bool = True) -> None:
        self.chunk.originals.setdefault(article.label, article.copy)
        if own:
            self.add(Item(article.copy, article.label, article.site))
        for site in self.r.sample(self.sites, extra_copies):
            copy, changes = self.transform(article, site)
            self.add(Item(copy, article.label, site.name, frozenset(changes)))

    def transform(self, article: _Article, site: _Site) -> tuple[Copy, set[str]]:
        r, c = self.r, article.copy
        body, changes = list(c.body), set()
        title, dek, truncated = c.title, c.dek, False
        if dek and r.random() < 0.3:
            body.insert(0, dek)
            dek, changes = None, {"dek in body"}
        elif dek and r.random() < 0.4:
            dek = None
        if r.random() < site.truncate and sum(len(p.split()) for p in body) > 60:
            body = self.truncate(body)
            truncated = r.random() < 0.8
            changes.add("truncated")
        if r.random() < site.edit:  # after the cut: the edits are in what the copy shows
            edited = self.edit(body)
            if edited != body:
                changes.add("edited")
            body = edited
        if r.random() < site.paragraphs:
            body = self.reparagraph(body)
            changes.add("paragraphs")
        if r.random() < site.teaser:
            body = self.teaser(body, site)
            changes.add("teaser inserted")
        if r.random() < site.residue:
            body = self.residue(body, site, article)
            changes.add("residue")
        if r.random() < site.retitle:
            retitled = self.retitle(title or "", site)
            # a headline set in capitals is typography; other words are a new headline
            changes.add("retitled" if retitled.lower() != (title or "").lower() else "headline in capitals")
            title = retitled
        if r.random() < site.straight:
            body = [_straighten(p) for p in body]
            title = _straighten(title or "")
            changes.add("straight quotes")
        copy = replace(
            c,
            title=title,
            dek=dek,
            body=tuple(p for p in body if p.strip()),
            truncated=truncated,
            publisher=c.publisher if r.random() < 0.8 else None,
            author=c.author if r.random() < 0.5 else None,
            published_at=c.published_at + timedelta(minutes=r.randint(5, 900)) if c.published_at else None,
        )
        return copy, changes

    def edit(self, body: list[str]) -> list[str]:
        r = self.r
        out = list(body)
        for _ in range(r.randint(1, 4)):
            i = r.randrange(len(out))
            words = out[i].split(" ")
            spots = [j for j, w in enumerate(words) if w in _EDITS]
            if spots:
                j = r.choice(spots)
                words[j] = _EDITS[words[j]]
            else:  # an adjective cut
                cuts = [j for j, w in enumerate(words) if w in _ADJ_SET and 0 < j < len(words) - 1]
                if cuts:
                    del words[r.choice(cuts)]
            out[i] = " ".join(words)
        return out

    def reparagraph(self, body: list[str]) -> list[str]:
        r = self.r
        out = list(body)
        if len(out) > 2 and r.random() < 0.5:
            i = r.randrange(len(out) - 1)
            out[i : i + 2] = [f"{out[i]} {out[i + 1]}"]
        else:
            i = r.randrange(len(out))
            sentences = out[i].split(". ")
            if len(sentences) > 1:
                cut = r.randrange(1, len(sentences))
                out[i : i + 1] = [". ".join(sentences[:cut]) + ".", ". ".join(sentences[cut:])]
        return out

    def truncate(self, body: list[str]) -> list[str]:
        total = sum(len(p.split()) for p in body)
        keep = total * self.r.uniform(0.25, 0.45)
        out, seen = [], 0
        for p in body:
            words = p.split()
            if seen + len(words) > keep:
                # Aggregators cut at a sentence end or mid-sentence with an ellipsis.
                rest = int(keep - seen)
                if rest > 5:
                    out.append(" ".join(words[:rest]) + "…")
                break
            out.append(p)
            seen += len(words)
        return out or [body[0]]

    def teaser(self, body: list[str], site: _Site) -> list[str]:
        r = self.r
        other = self.chunk.items[r.randrange(len(self.chunk.items))].copy.title if self.chunk.items else None
        text = f"{site.cue} {other or _person(r) + ' speaks out'}"
        out = list(body)
        i = r.randrange(len(out))
        if r.random() < 0.5 or ". " not in out[i]:
            out.insert(max(1, i), text)
        else:
            sentences = out[i].split(". ")
            cut = r.randrange(1, len(sentences))
            out[i] = ". ".join(sentences[:cut]) + ". " + text + " " + ". ".join(sentences[cut:])
        return out

    def residue(self, body: list[str], site: _Site, article: _Article) -> list[str]:
        r = self.r
        fill = {
            "author": article.copy.author or _person(r),
            "publisher": article.publisher,
            "site": site.name.title(),
            "day": r.choice(_DAYS),
            "time": f"{r.randint(1, 12)}:{r.randint(10, 59)} {r.choice(('am', 'pm'))}",
            "tags": ", ".join(r.sample(_GENERAL_NOUNS, 3)),
        }
        out = list(body)
        if r.random() < 0.5:
            out.insert(0, r.choice(_TOP_RESIDUE).format(**fill))
        else:
            out.append(r.choice(_BOTTOM_RESIDUE).format(**fill))
        return out

    def retitle(self, title: str, site: _Site) -> str:
        r = self.r
        k = r.random()
        if k < 0.3:
            return f"{title} - {site.name.title()}"
        if k < 0.55:
            return title.upper()
        words = title.split()
        if k < 0.8 and len(words) > 5:
            return " ".join(words[: len(words) * 2 // 3]) + "..."
        return f"{r.choice(('WATCH:', 'Breaking:', 'Update:', 'Explained:'))} {title}"

    # families ----------------------------------------------------------------------------------------------
    def copies(self) -> int:
        return self.r.choices((0, 1, 2, 3, 4, 5), weights=(30, 25, 18, 12, 9, 6))[0]

    def plain(self) -> None:
        article, _ = self.article()
        own = self.r.random() < 0.75
        n = self.copies()
        self.emit(article, max(n, 0 if own else 1), own=own)
        if self.r.random() < 0.08:
            self.version(article)

    def version(self, article: _Article) -> None:
        """The publisher's own new version: an update or correction paragraph added."""
        r, c = self.r, article.copy
        w = _Writer(r, _cast(r), curly=False)
        k = r.random()
        body = list(c.body)
        if k < 0.4:
            body.append(f"Update, {r.choice(_DAYS)}: {w.sentence()}")
        elif k < 0.7:
            body.append(f"Correction: an earlier version of this article misstated {w.np()}. {w.sentence()}")
        else:
            body.insert(0, f"This article was updated on {r.choice(_DAYS)} to include {w.np()}.")
        copy = replace(c, body=tuple(body))
        self.add(Item(copy, article.label, article.site, frozenset({"new version"})))
        self.chunk.originals[article.label] = copy

    def same_event(self) -> None:
        first, cast = self.article()
        second, _ = self.article(
            cast=cast, publisher=self.r.choice([p for p in self.publishers if p != first.publisher])
        )
        if self.r.random() < 0.7:  # both quote the same statement
            quote = _Writer(self.r, cast, curly=self.r.random() < 0.5).quote()
            for a in (first, second):
                body = list(a.copy.body)
                body.insert(self.r.randint(1, len(body)), quote)
                a.copy = replace(a.copy, body=tuple(body))
        for a in (first, second):
            self.emit(a, self.copies())
        self.chunk.negatives.append((first.label, second.label, "same event"))

    def follow_up(self) -> None:
        first, cast = self.article()
        r = self.r
        w = _Writer(
            r,
            replace(cast, figures=[_figure(r) for _ in range(4)], day=r.choice(_DAYS)),
            curly=r.random() < 0.7,
        )
        old = list(first.copy.body)
        reused_n = max(1, min(len(old) // 2, r.randint(1, 3)))
        start = r.randrange(1, max(2, len(old) - reused_n + 1))
        reused = old[start : start + reused_n]
        new = [w.lead(), *(w.paragraph() for _ in range(max(len(reused) + 1, r.randint(2, 6))))]
        body = new[:2] + reused + new[2:]
        second = self._make(w.headline(), None, body, first.publisher, curly=False)
        self.emit(first, self.copies())
        self.emit(second, self.copies())
        self.chunk.negatives.append((first.label, second.label, "follow-up"))

    def family(self) -> None:
        """Templated articles from one publisher: some on the same entity, all on one template."""
        r = self.r
        maker = r.choice(_TEMPLATES)
        publisher = r.choice(self.publishers)
        entities = [
            f"{_surname(r)} {r.choice(_ORG_KIND)}"
            if maker is _market
            else (f"{_place(r)} {r.choice(('United', 'Rovers', 'City'))}" if maker is _result else _place(r))
            for _ in range(r.randint(1, 3))
        ]
        members = [self.templated(maker, r.choice(entities), publisher) for _ in range(r.randint(2, 5))]
        for m in members:
            self.emit(m, self.copies())
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                self.chunk.negatives.append((a.label, b.label, "templated"))


def _straighten(text: str) -> str:
    return (
        text.replace("“", '"')
        .replace("”", '"')
        .replace("‘", "'")
        .replace("’", "'")
        .replace(" — ", " - ")
        .replace("—", "-")
        .replace("…", "...")
    )


def chunks(documents: int, seed: int = 1) -> Iterator[Chunk]:
    """The corpus, about `documents` copies in all, in self-contained shuffled chunks."""
    sites = _sites(random.Random(f"{seed}/sites"), 40)
    made, index = 0, 0
    while made < documents:
        writer = _ChunkWriter(seed, index, sites)
        want = min(CHUNK, documents - made)
        while len(writer.chunk.items) < want:
            k = writer.r.random()
            if k < 0.70:
                writer.plain()
            elif k < 0.80:
                writer.same_event()
            elif k < 0.90:
                writer.family()
            else:
                writer.follow_up()
        chunk = writer.chunk
        chunk.items = chunk.items[:want]
        writer.r.shuffle(chunk.items)
        made += len(chunk.items)
        index += 1
        yield chunk
