"""What a single line of page text looks like: prose, a headline, a time/byline, a teaser, chrome.

These are the features the line-based extractor decides on; no rule names a site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tidings.extract.dates import TimeMatch, find_time
from tidings.text import collapse_ws, normalise

BULLETS = "•·▪►▶‣◦*-–—|>»"
_TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$|[\"”’»]$")
_SENTENCE_START = re.compile(r"^[\"'“‘«(\[]?[A-Z0-9\u00C0-\u024F\u0400-\u04FF]")
# Calls to action and furniture that no article paragraph consists of. Matched against short lines.
_CHROME_WORDS = re.compile(
    r"\b(?:share|tweet|whatsapp|facebook|linkedin|pinterest|telegram|e-?mail this|print|subscribe|"
    r"newsletter|sign ?up|sign in|log ?in|register|cookies?|privacy|terms of (?:use|service)|"
    r"all rights reserved|copyright|download|app ?store|google play|play ?store|install|"
    r"advertisement|sponsored|promoted|comments?|reply|replies|trending|most (?:read|popular|viewed)|"
    r"you may (?:also )?like|recommended|related(?: articles| stories| posts)?|more (?:from|stories|news)|"
    r"follow us|skip to|menu|home|search|back to top|logo|background|features?|loading|"
    r"click here|tap here|get started|learn more|see more|show more|view all|continue reading|"
    r"read (?:more|also|next|full)|also read|see also|watch|listen)\b",
    re.I,
)
# Inline teasers: a cue, then another article's headline, spliced into the body. Strong cues stand
# alone ("Read more One step forward…"); weak ones are ordinary words unless a separator or capitals follow.
TEASER_CUE = re.compile(
    r"(?:(?:read (?:more|also|next)|also read|see also|more on this|don'?t miss)\s*[:\-–—|»>]*"
    r"|(?:related|recommended|watch|listen|more)\s*[:|»>]+"
    r"|(?-i:RELATED|RECOMMENDED|WATCH|MORE|LISTEN)\b\s*[:\-–—|»>]*)\s*",
    re.I,
)
_POINTER = re.compile(
    r"^(?:continue reading|read (?:the )?(?:full|whole|rest of the) (?:article|story)|read more at|"
    r"full (?:story|article) at|originally published|this article (?:was )?(?:first |originally )?"
    r"(?:appeared|published))",
    re.I,
)
_SOURCE = re.compile(
    r"^(?:source|sources|via|credit|originally published (?:by|in|at|on)|first published (?:by|in|on)|"
    r"this article (?:was )?(?:first |originally )?(?:appeared|published) (?:in|on|at|by)|"
    r"(?:continue|read (?:the )?(?:full|whole|rest of the) (?:article|story)) (?:reading )?(?:at|on))"
    r"\s*[:\-–—]?\s*(?P<name>.+?)\s*\.?$",
    re.I,
)
_AUTHOR = re.compile(r"^(?:by|written by|words by|reporting by|von|par|por|di|door)\s+(?P<name>.+)$", re.I)
_SEPARATORS = re.compile(r"\s*(?:\||•|·|—|–|/|,|;|\s-\s)\s*")
_ORG_WORDS = re.compile(
    r"\b(?:today|times|news|post|daily|wire|herald|ledger|journal|tribune|agency|press|gazette|"
    r"observer|guardian|telegraph|chronicle|review|report|media|network|radio|tv|television|"
    r"broadcasting|service|magazine|weekly|online|standard|mail|express|independent|star|sun|"
    r"courier|bulletin|dispatch|monitor|inquirer|globe|mirror|record|reuters|associated|afp|ap|"
    r"bbc|cnn|rt|tass|xinhua)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Line:
    index: int
    text: str
    norm: str
    words: int

    @property
    def is_sentence(self) -> bool:
        """Ends like a sentence: the mark of a body paragraph (or a one-line dek that ends in a stop)."""
        return bool(_TERMINAL.search(self.text))

    @property
    def is_prose(self) -> bool:
        """A line that reads as article text: several words ending like a sentence."""
        return self.words >= 8 and self.is_sentence and bool(_SENTENCE_START.match(self.text))


def split_lines(text: str) -> list[Line]:
    """Non-blank lines, white space collapsed; a hard-wrapped paragraph (a long line that stops mid-sentence,
    continued by a line starting in lower case) is joined back into one line."""
    out: list[Line] = []
    blank = True
    for raw in text.splitlines():
        clean = collapse_ws(raw)
        if not clean:
            blank = True
            continue
        if out and not blank and _continues(out[-1].text, clean):
            clean = f"{out.pop().text} {clean}"
        out.append(Line(len(out), clean, normalise(clean), len(clean.split())))
        blank = False
    return out


def _continues(previous: str, line: str) -> bool:
    return len(previous.split()) >= 6 and line[:1].islower() and not _TERMINAL.search(previous)


def strip_bullets(text: str) -> str:
    return text.strip(BULLETS + " \t")


def looks_like_chrome(line: Line, site: str | None) -> bool:
    """Short furniture, or any line that names the aggregator itself."""
    if site and len(site) >= 3 and re.search(rf"(?<!\w){re.escape(normalise(site))}(?!\w)", line.norm):
        return True
    if (line.text.endswith(":") and line.words <= 8) or _LABEL_LIST.match(line.text):
        return True
    if _BREADCRUMB.match(line.text) and all(len(part.split()) <= 4 for part in _CRUMB.split(line.text)):
        return True
    if line.words <= 12 and _CHROME_WORDS.search(line.text):
        return True
    letters = [c for c in line.text if c.isalpha()]
    if line.words <= 6 and letters and all(c.isupper() for c in letters) and not line.is_sentence:
        return True
    return line.words <= 2 and not line.is_sentence and line.text[:1].islower()


_INTERRUPTION = re.compile(
    r"^(?:advertisement|advertising|ad|sponsored(?: content)?|promoted|story continues (?:below|after)|"
    r"(?:article|story) continues below(?: advertisement)?|scroll (?:down )?to continue(?: reading)?|"
    r"continue reading below|anzeige|publicité|publicidad|pubblicità)\W*$",
    re.I,
)
# "News › World › Europe", "Home » Sport": a trail of short section names, wherever the site name is.
_CRUMB = re.compile(r"\s*[›»>]\s*")
_BREADCRUMB = re.compile(r"^[^›»>.!?]{1,40}(?:\s*[›»>]\s*[^›»>.!?]{1,40}){1,5}$")
_LABEL_LIST = re.compile(r"^[^\W\d_]+(?: [^\W\d_]+)?\s*:\s*[^,.!?]{1,40}(?:,\s*[^,.!?]{1,40}){1,}$")


def is_interruption(line: Line) -> bool:
    """An ad slot inside an article: the body goes on after it."""
    return bool(_INTERRUPTION.match(line.text))


def is_teaser(line: Line) -> bool:
    """A whole line pointing to another article: 'ALSO READ: …', 'Read more: …'."""
    return bool(TEASER_CUE.match(strip_bullets(line.text))) and line.words <= 30


def is_pointer(line: Line) -> bool:
    """'Continue reading at …': the copy stops here and the rest is elsewhere."""
    return bool(_POINTER.match(strip_bullets(line.text)))


def source_name(line: Line) -> str | None:
    match = _SOURCE.match(strip_bullets(line.text))
    if not match or line.words > 12:
        return None
    name = match.group("name").strip(" .:")
    return name if 0 < len(name.split()) <= 6 else None


@dataclass(frozen=True, slots=True)
class Byline:
    when: TimeMatch | None
    publisher: str | None
    author: str | None


def parse_byline(line: Line, fetched_at: datetime, max_rest_words: int = 8) -> Byline | None:
    """A line that is a time and/or a byline ("By Anna Keller | The Ledger | 3 hrs ago",
    "The Ledger15 hours ago"); None when the line is something else."""
    text = strip_bullets(line.text)
    when = find_time(text, fetched_at)
    rest = text if when is None else f"{text[: when.start]} | {text[when.end :]}"
    parts = [p.strip(BULLETS + " .:") for p in _SEPARATORS.split(rest)]
    parts = [p for p in parts if p and not _is_label(p)]
    if sum(len(p.split()) for p in parts) > max_rest_words:
        return None
    author = publisher = None
    for part in parts:
        author_match = _AUTHOR.match(part)
        if author_match:
            author = author or author_match.group("name").strip()
        elif _is_name(part):
            publisher = publisher or part
    if when is None and author is None:
        return None
    return Byline(when, publisher, author)


_LABEL = re.compile(
    r"^(?:updated|posted|published|last updated|modified|date|time|clock|calendar|icon|on|at|"
    r"le|am|el|il|em|op|mis à jour|publié|aktualisiert|veröffentlicht|actualizado|publicado)$",
    re.I,
)


def _is_label(part: str) -> bool:
    return bool(_LABEL.match(part)) or part.isdigit()


def _is_name(part: str) -> bool:
    """A publisher or person: a few words, starting with a capital (alt texts such as 'time' are not)."""
    words = part.split()
    return 1 <= len(words) <= 6 and part[:1].isupper() and not part.endswith((".", "?", "!"))


def is_org_name(name: str) -> bool:
    return bool(_ORG_WORDS.search(name))
