"""The English words the rules lean on: titles, roles, reporting verbs, name particles, organisation heads.

Kept in one place so that the rules read as rules and the word lists can be reviewed on their own.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that stand before a name as a title ("President", "Dr.", "Finance Minister", "coach").
# Occupations that stand before a name like a title ("firefighter Camila Rojas", "Resident Ellen Marsh").
OCCUPATIONS = _words(
    "resident witness farmer analyst economist lawyer attorney activist researcher scientist teacher student "
    "nurse engineer firefighter paramedic volunteer neighbour neighbor shopkeeper owner veteran pilot "
    "soldier "
    "officer driver worker journalist reporter correspondent photographer historian pastor priest survivor "
    "campaigner organiser organizer protester fisherman trader entrepreneur investor banker broker architect "
    "designer artist singer actor actress writer novelist poet director producer chef athlete player "
    "winger forward keeper referee umpire trainer"
)
TITLES = OCCUPATIONS | _words(
    "president vice-president president-elect prime minister premier chancellor senator sen. sen "
    "governor gov. "
    "mayor judge justice dr. dr doctor mr mr. mrs mrs. ms ms. miss sir dame lord lady king queen prof "
    "prince princess "
    "sheikh emir sultan pope cardinal archbishop bishop rabbi imam reverend rev. father general gen. colonel "
    "col. lieutenant lt. sergeant sgt. commander admiral chief secretary secretary-general under-secretary "
    "ambassador envoy spokesman spokeswoman spokesperson chairman chairwoman director professor prof. coach "
    "representative rep. congressman congresswoman deputy commissioner inspector superintendent detective "
    "councillor councilor speaker captain capt. marshal chief-executive ceo executive officer leader "
    "head president's author founder co-founder manager striker goalkeeper defender midfielder"
)

# Nouns by which a text refers back to a person already named ("the minister", "the Belarusian leader").
PERSON_ROLES = _words(
    "president minister premier chancellor senator governor mayor judge king queen prince princess "
    "sheikh emir "
    "pope general colonel commander admiral chief secretary ambassador envoy spokesman spokeswoman "
    "spokesperson chairman chairwoman director professor coach representative congressman congresswoman "
    "deputy commissioner inspector captain leader head executive ceo founder author manager monarch "
    "president-elect prosecutor diplomat negotiator"
)
# Heads of state and government go by "leader" too.
ROLE_SYNONYMS = {
    "leader": _words("president premier chancellor king queen emir sultan leader head prime"),
    "head": _words("president chief director chairman chairwoman head leader"),
    "chief": _words("chief head director executive ceo"),
    "executive": _words("executive ceo chief"),
}

# Nouns by which a text refers back to an organisation ("the company said").
ORG_NOUNS = _words(
    "company firm ministry agency government union party bank group organisation organization council "
    "commission committee court department authority military army police airline carrier regulator "
    "broadcaster newspaper fund office club federation league board team operator manufacturer insurer "
    "embassy administration cabinet coalition alliance movement"
)
# Words that make a capitalised run an organisation when they end it ("Nigerian Ports Authority").
ORG_HEADS = _words(
    "branch division unit directorate securities freight rail water power gas electric utilities rovers "
    "wanderers athletic fc chamber administration "
    "ministry department agency authority council commission committee bank party union fund organization "
    "organisation association institute university college school academy hospital clinic airlines airways "
    "group company corporation corp corp. inc inc. ltd ltd. llc plc gmbh ag sa nv foundation federation "
    "league court office service services police army navy force forces guard board bureau center centre "
    "society church museum times post news journal herald tribune press network systems technologies motors "
    "holdings partners capital energy exchange assembly parliament congress senate cabinet government "
    "coalition alliance movement front brigade command data labs media software pharma pharmaceuticals "
    "logistics industries international trust club fc united railways railway telecom commission's "
    "observatory secretariat tribunal review gazette chronicle monitor agency's institution"
)
# Words that make a capitalised run a place ("Black Sea", "Mekong Delta", "Isle of Skye").
PLACE_HEADS = _words(
    "road street lane square avenue boulevard highway motorway park harbour harbor airport "
    "sea ocean river delta gulf bay strait island islands isle lake mountains mountain mount valley desert "
    "peninsula coast province region county district oblast prefecture state's canal basin plateau heights "
    "strip straits archipelago highlands"
)
PLACE_OPENERS = _words("isle gulf strait bay lake mount cape sea straits port")
DIRECTIONS = _words("north south east west northern southern eastern western central upper lower greater")

# Lower-case parts of names ("Friedrich von Hallberg", "Marina da Silva", "Pieter van der Berg").
PARTICLES = _words("von van der den de da del della di du dos das al el bin ibn ben la le ter ten zu y abu")
# Words that join a run only after an organisation or place head ("University of Ibadan").
CONNECTORS = _words("of for & and")

# Capitalised words that do not name an entity.
CALENDAR = _words(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Christmas Easter Ramadan Eid Hanukkah Diwali Passover "
    "Thanksgiving Halloween New Year"
)
NOT_NAMES = _words(
    "I I'm I've I'd I'll OK Mr Mrs Ms Dr God Internet Covid COVID-19 Covid-19 AI TV CEO GDP EV EVs PM AM "
    "A.M. P.M. X Earth Moon Sun"
)
EVENT_HEADS = _words(
    "war cup games olympics prize day act treaty agreement accord summit conference festival awards "
    "championship election elections protocol plan programme program initiative doctrine declaration "
    "convention week telescope satellite spacecraft mission"
)

# Reporting verbs: the verb that tells who said a quote.
SPEECH_VERBS = _words(
    "said says say saying told tells telling added adds adding stressed stresses noted notes argued argues "
    "claimed claims stated states warned warns explained explains insisted insists wrote writes posted posts "
    "tweeted announced announces declared declares asked asks replied replies responded responds continued "
    "emphasized emphasised emphasizes emphasises suggested suggests acknowledged acknowledges "
    "admitted admits "
    "confirmed confirms recalled recalls urged urges predicted predicts remarked commented observed "
    "maintained maintains countered conceded cautioned vowed promised complained estimated reported reports "
    "revealed reveals indicated indicates assured assures agreed agrees disclosed alleged alleges "
    "called calls described describes shouted yelled whispered joked laughed concluded concludes "
    "affirmed reiterated reiterates underlined underlines pointed wondered exclaimed tweets contended "
    "contends objected protested noting arguing claiming stating warning explaining insisting "
    "writing announcing declaring stressing emphasising emphasizing"
)
# Reporting verbs that take a reported clause ("said that ...", "warned that ...").
CLAUSE_VERBS = _words(
    "said says saying told tells added adds adding stressed stresses noted notes noting argued "
    "argues arguing "
    "claimed claims claiming stated states stating warned warns warning explained explains insisted insists "
    "insisting wrote writes posted announced announces declared declares replied responded emphasized "
    "emphasised emphasizes emphasises suggested suggests acknowledged acknowledges admitted admits confirmed "
    "confirms recalled urged urges predicted predicts maintained maintains countered conceded cautioned "
    "vowed promised complained estimated reported reports revealed reveals indicated indicates assured "
    "assures agreed agrees disclosed alleged alleges concluded concludes reiterated reiterates believes "
    "asked asks contended contends"
)
# Reporting verbs that are followed by their clause with no "that" ("said the talks had failed"); the others
# take a noun too ("stated its conditions") and report speech only with "that".
BARE_CLAUSE_VERBS = _words(
    "said says say saying added adds adding insisted insists argued argues claimed claims believes stressed "
    "stresses noted notes wrote writes predicted predicts suggested suggests admitted admits acknowledged "
    "conceded replied responded explained explains"
)
# Verbs that need an object before the reported clause ("told reporters that", "urged governments to").
OBJECT_VERBS = _words("told tells assured assures urged urges asked asks informed reminded warned")
# Quote verbs that mean naming, not saying, unless a quotation follows ("called the strike 'unnecessary'").
QUOTE_ONLY_VERBS = _words("called calls described describes shouted yelled whispered joked laughed exclaimed")

AUXILIARIES = _words(
    "has have had will would could can may might must should shall also later then again once earlier "
    "previously recently has since still already quickly simply just however further repeatedly publicly "
    "privately reportedly allegedly separately tuesday's"
)
NEGATIONS = _words("not n't never no neither nor")
PREPOSITIONS = _words(
    "in of at from for with near by on to into onto about over under between among across against during "
    "after before since through toward towards inside outside within without via per than like as"
)
PRONOUNS_PERSON = _words("he she")
PRONOUNS_ORG = _words("it")
DETERMINERS = _words("the a an his her its their our this that these those")

STOPWORDS = frozenset(STOP_WORDS)
