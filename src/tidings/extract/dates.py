"""Publication times in page text: relative ("15 hours ago", "vor 3 Stunden") resolved against the fetch
time, and absolute ("1 July 2025, 21:00 GMT", "2025-07-01T21:00Z") parsed with dateutil."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil import parser as dateutil_parser

_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
    "mo": 2592000,
    "mos": 2592000,
    "month": 2592000,
    "months": 2592000,
    "y": 31536000,
    "yr": 31536000,
    "yrs": 31536000,
    "year": 31536000,
    "years": 31536000,
    # French, German, Spanish, Italian, Portuguese, Dutch
    "seconde": 1,
    "secondes": 1,
    "sekunde": 1,
    "sekunden": 1,
    "segundo": 1,
    "segundos": 1,
    "secondo": 1,
    "secondi": 1,
    "heure": 3600,
    "heures": 3600,
    "stunde": 3600,
    "stunden": 3600,
    "hora": 3600,
    "horas": 3600,
    "ora": 3600,
    "ore": 3600,
    "uur": 3600,
    "jour": 86400,
    "jours": 86400,
    "tag": 86400,
    "tagen": 86400,
    "día": 86400,
    "días": 86400,
    "dia": 86400,
    "dias": 86400,
    "giorno": 86400,
    "giorni": 86400,
    "dag": 86400,
    "dagen": 86400,
    "minuut": 60,
    "minuten": 60,
    "minuto": 60,
    "minutos": 60,
    "minuti": 60,
    "semaine": 604800,
    "semaines": 604800,
    "woche": 604800,
    "wochen": 604800,
    "semana": 604800,
    "semanas": 604800,
    "settimana": 604800,
    "settimane": 604800,
    "weken": 604800,
}
_COUNT_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "un": 1,
    "une": 1,
    "ein": 1,
    "einer": 1,
    "einem": 1,
    "uno": 1,
    "una": 1,
    "um": 1,
    "uma": 1,
    "een": 1,
}
_UNITS = "|".join(sorted(map(re.escape, _UNIT_SECONDS), key=len, reverse=True))
_COUNT = r"(?P<n>(?<!\d)\d{1,4}|\b(?:an?|one|une?|ein(?:er|em)?|un[oa]?|uma?|een)\b)"
# "15 hours ago", "15h ago", "time2 hours ago" (digits may be glued to a preceding word)
_AGO = re.compile(rf"{_COUNT}\s*(?P<unit>{_UNITS})\.?\s+(?:ago|geleden|fa)\b", re.I)
# "il y a 3 heures", "vor 3 Stunden", "hace 3 horas", "há 3 horas"
_AGO_PREFIX = re.compile(rf"\b(?:il y a|vor|hace|há)\s+{_COUNT}\s*(?P<unit>{_UNITS})\b", re.I)
_NOW = re.compile(r"\b(?:just now|moments? ago|à l'instant|gerade eben|ahora mismo)\b", re.I)
_DAY_WORD = re.compile(
    r"\b(?P<day>yesterday|today|hier|aujourd'hui|gestern|heute|ayer|hoy|ieri|oggi|ontem|hoje|gisteren|vandaag)\b"
    r"(?:[\s,]+(?:at|à|um|a las|alle|às|om)?\s*(?P<hh>\d{1,2})[:h.](?P<mm>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?)?",
    re.I,
)
_YESTERDAY = {"yesterday", "hier", "gestern", "ayer", "ieri", "ontem", "gisteren"}
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CLOCK = (
    r"(?:[\s,]+(?:at\s+)?\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:GMT|UTC|[A-Z]{2,4}T)?(?:\s*[+-]\d{1,2}(?::?\d{2})?)?)?)?"
)
_ABSOLUTE = re.compile(
    "|".join(
        (
            r"\b\d{4}-\d{2}-\d{2}(?:[T\s]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s*,?\s+\d{{4}}{_CLOCK}",
            rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s+\d{{4}}{_CLOCK}",
            rf"\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}{_CLOCK}",
        )
    ),
    re.I,
)


@dataclass(frozen=True, slots=True)
class TimeMatch:
    when: datetime
    start: int
    end: int
    relative: bool


def find_time(text: str, fetched_at: datetime) -> TimeMatch | None:
    """The first publication time stated in `text`, resolved against `fetched_at` (timezone-aware)."""
    for pattern in (_AGO, _AGO_PREFIX):
        match = pattern.search(text)
        if match:
            raw = match.group("n").lower()
            count = int(raw) if raw.isdigit() else _COUNT_WORDS.get(raw, 1)
            seconds = _UNIT_SECONDS[match.group("unit").lower()]
            return TimeMatch(
                fetched_at - timedelta(seconds=count * seconds), match.start(), match.end(), True
            )
    match = _NOW.search(text)
    if match:
        return TimeMatch(fetched_at, match.start(), match.end(), True)
    match = _DAY_WORD.search(text)
    if match and (match.group("hh") or _only_labels(text[: match.start()])):
        day = fetched_at.date() - timedelta(days=1 if match.group("day").lower() in _YESTERDAY else 0)
        if match.group("hh"):
            hour = int(match.group("hh")) % 24
            ampm = (match.group("ampm") or "").lower().replace(".", "")
            hour = hour % 12 + 12 if ampm == "pm" else (hour % 12 if ampm == "am" else hour)
            clock = time(hour, int(match.group("mm")) % 60)
        else:
            clock = time(0, 0)
        when = datetime.combine(day, clock, tzinfo=fetched_at.tzinfo)
        return TimeMatch(when, match.start(), match.end(), True)
    return find_absolute_time(text, fetched_at)


_LABELS = re.compile(r"^(?:[\W_]|updated|posted|published|on|le|am|el|il|em|op)*$", re.I)


def _only_labels(prefix: str) -> bool:
    """'Today' after a name is part of the name (USA Today), not a date."""
    return bool(_LABELS.match(prefix.strip()))


def find_absolute_time(text: str, fetched_at: datetime) -> TimeMatch | None:
    for match in _ABSOLUTE.finditer(text):
        parsed = parse_date(match.group(), fetched_at)
        if parsed is not None:
            return TimeMatch(parsed, match.start(), match.end(), False)
    return None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?=$|[T\s_-])")


def parse_date(raw: str, fetched_at: datetime | None = None) -> datetime | None:
    """A date string in any common form; naive times take the fetch time's zone (else UTC)."""
    text = raw.strip().replace(" at ", " ")[:100]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        iso_day = _ISO_DAY.match(text)
        if iso_day:  # an ISO date with a time we cannot read ("2022-05-04-0305:49:00-10800"): the day
            try:
                parsed = datetime.fromisoformat(iso_day.group())
            except ValueError:
                return None
            return parsed.replace(tzinfo=UTC) if 1990 <= parsed.year <= 2100 else None
        day_first = bool(re.match(r"\d{1,2}[./-]\d{1,2}[./-]\d{4}", text))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # unknown zone names: the time is still right to the day
                parsed = dateutil_parser.parse(text, dayfirst=day_first, fuzzy=False)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.tzinfo is None:
        tz = fetched_at.tzinfo if fetched_at is not None and fetched_at.tzinfo is not None else None
        parsed = parsed.replace(tzinfo=tz or UTC)
    if not 1990 <= parsed.year <= 2100:
        return None
    return parsed


# --- dates written out on a page, in the languages we read most -------------------------------------------

_MONTH_NAMES = {
    1: "january jan januar jänner janvier enero gennaio janeiro januari styczeń stycznia sty",
    2: "february feb februar février fevrier febrero febbraio fevereiro februari luty lutego lut",
    3: "march mar märz maerz mars marzo março maart marzec marca",
    4: "april apr avril abril aprile kwiecień kwietnia kwi",
    5: "may mai mayo maggio maio mei maj maja",
    6: "june jun juni juin junio giugno junho czerwiec czerwca cze",
    7: "july jul juli juillet julio luglio julho lipiec lipca lip",
    8: "august aug août aout agosto augustus sierpień sierpnia sie",
    9: "september sep sept septembre septiembre settembre setembro wrzesień września wrz",
    10: "october oct oktober octobre octubre ottobre outubro okt październik października paź",
    11: "november nov novembre noviembre novembro listopad listopada lis",
    12: "december dec dezember décembre decembre diciembre dicembre dezembro grudzień grudnia gru",
}
_MONTH_OF = {name: month for month, names in _MONTH_NAMES.items() for name in names.split()}
_MONTH_WORD = "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True))
_WRITTEN_DATE = re.compile(
    r"(?<![\d.])(?:"
    + "|".join(
        (
            r"(?P<iy>(?:19|20)\d\d)-(?P<im>[01]\d)-(?P<id>[0-3]\d)",
            rf"(?P<d1>[0-3]?\d)(?:\.|st|nd|rd|th|er|º)?\s*(?:de\s+)?(?P<m1>{_MONTH_WORD})\.?,?\s*(?:de\s+)?"
            r"(?P<y1>(?:19|20)\d\d)",
            rf"(?P<m2>{_MONTH_WORD})\.?\s+(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d\d)",
            r"(?P<d3>[0-3]?\d)\.\s?(?P<m3>[01]?\d)\.\s?(?P<y3>(?:19|20)\d\d)",
            r"(?P<d4>[0-3]?\d)/(?P<m4>[01]?\d)/(?P<y4>(?:19|20)\d\d)",
            r"(?P<m5>[01]?\d)/(?P<d5>[0-3]?\d)/(?P<y5>(?:19|20)\d\d)",
        )
    )
    + ")",
    re.I,
)


def find_written_date(text: str) -> date | None:
    """The first calendar date written in `text` ("6. Mai 2014", "12 de marzo de 2020", "Jan 5, 2019",
    "05.06.2019", "2019-06-05"); numbers with slashes are read day first, as most of the world writes
    them, and month first only when that alone makes a date ("3/25/2020")."""
    for match in _WRITTEN_DATE.finditer(text[:2000]):
        groups = match.groupdict()
        for n in ("i", "1", "2", "3", "4", "5"):
            key = "iy" if n == "i" else f"y{n}"
            if groups.get(key) is None:
                continue
            raw_month = groups["im" if n == "i" else f"m{n}"]
            month = int(raw_month) if raw_month.isdigit() else _MONTH_OF.get(raw_month.lower(), 0)
            day = int(groups["id" if n == "i" else f"d{n}"])
            try:
                return date(int(groups[key]), month, day)
            except ValueError:
                break
    return None
