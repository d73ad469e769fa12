"""The DOM extractor: the article's text blocks from a parsed page, in document order, without chrome.

One walk over the page (iterative, so depth costs no recursion) records every block of text with the
element that holds it, the share of it that is link text, and what the class/id/role of the elements
around it say (chrome such as share bars, comments and related lists, or content such as an article
body). The article is then the element whose text is most article-like: the most paragraph text, least
link text and chrome. Its blocks are read in order, dropping the chrome inside it; short furniture at its
edges ("Share this", "Posted in News") is trimmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from tidings.extract.dates import find_written_date
from tidings.text import collapse_ws

_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
        "map",
        "audio",
        "video",
        "select",
        "button",
        "input",
        "textarea",
        "head",
        "math",
        "title",
        "meta",
        "link",
        "dialog",
        "option",
        "rt",  # ruby annotations: the reading of the characters before, not text of its own
        "rp",
    ]
)
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "nav",
        "aside",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "address",
        "details",
        "summary",
        "center",
        "hr",
        "caption",
        "legend",
        "menu",
        "body",
    ]
)
_UNREAD = frozenset(["nav", "aside", "footer"])
_ARTICLE_INSIDE = "article, h1, main, [itemprop=articleBody]"
_INLINE_READ = frozenset(["a", "span"])
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_KINDS = {tag: tag for tag in [*_HEADINGS, "li", "dt"]}
_CONTEXT = {
    "blockquote": "quote",
    "pre": "pre",
    "figure": "caption",
    "figcaption": "caption",
    "caption": "caption",
}
_CHROME_TAGS = frozenset(["nav", "aside", "footer", "form", "menu"])
# Words in class/id/role that mark page furniture, matched inside the lowercased attribute text. Strong
# ones are dropped wherever they are (unless they hold most of the page's text); weak ones (words that page
# builders also use for content wrappers) only where their text does not read as prose.
_CHROME_HINT = re.compile(
    r"comment(?!ary)|share|sharing|social|related|newsletter|cookie|consent|breadcrumb|subscri|advert|sponsor|"
    r"popup|modal|disqus|signup|sign-up|pagination|pager|author-?bio|author-?box|"
    r"about-?the-?author|skip-?link|tag-?cloud|taglist|post-?tags|entry-?tags|screen-?reader|sr-only|"
    r"visually-?hidden|shariff|addthis|sociable|outbrain|taboola|read-?more|readmore|more-?stories|"
    r"more-?articles|next-?post|prev-?post|post-?nav|nav-?links|jp-relatedposts|yarpp"
)
# "ad" and "ads" as words of their own, but not a modifier saying a section carries ads ("has-ads").
# Chrome that is never the article, however much text it holds.
_NEVER_ARTICLE_HINT = re.compile(r"cookie|consent|gdpr|newsletter|signup|sign-up")
_CHROME_TOKEN = re.compile(r"(?:^|[^a-z0-9])(?<!has-)(?<!with-)(?<!no-)(?:ad|ads|tags)(?:$|[^a-z0-9])")
_CAPTION_HINT = re.compile(r"caption|credit")
_WEAK_HINT = re.compile(
    r"sidebar|widget|menu|navbar|navigation|footer|header|masthead|banner|meta|byline|dateline|print|"
    r"rating|most-?read|most-?popular|trending|recommend|promo|hidden|copyright|disclaimer|toolbar|"
    r"(?:^|[^a-z0-9])(?:nav|search|logo|icons?)(?:$|[^a-z0-9])"
)
_CONTENT_HINT = re.compile(
    r"article|content|entry|post|story|body|text|main|blog|prose|richtext|rich-text|single|hentry"
)
_POST_WRAPPER = re.compile(r"(?:^|\s)(?:hentry|type-post|status-publish|post-\d+)(?:$|\s)")
_TAXONOMY = re.compile(r"(?:^|\s)(?!comment)[a-z0-9_]+-[^\s]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")

# Soft hyphens and zero-width characters: invisible on the page, and they break every text comparison.
_INVISIBLE = str.maketrans(dict.fromkeys([0xAD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]))
_INVISIBLE_CHARS = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_BREAK = "\u2028"  # a <br> in the text being gathered: source newlines are only white space

CHROME, CONTENT, ARTICLE, WEAK, CAPTION, NEVER_ARTICLE = 1, 2, 4, 8, 16, 32


@dataclass(slots=True)
class Block:
    """A run of text inside one block element."""

    text: str
    kind: str  # "p", "h1".."h6", "li", "quote", "pre", "caption", "cell", "dt"
    owner: int  # index of the innermost block element holding it
    links: int  # characters of it inside links


@dataclass(slots=True)
class Element:
    tag: str
    parent: int
    flags: int
    first_block: int
    hint: str = ""  # class, id, role and itemprop, lower-cased
    end_block: int = 0
    end_element: int = 0
    good: float = 0.0
    bad: float = 0.0
    chars: int = 0  # all text under the element
    links: int = 0  # all link text under it


@dataclass(slots=True)
class Page:
    """What the walk found: every block and every block element, both in document order."""

    blocks: list[Block] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)


CACHE_SIZE = 50_000  # entries in each cache of element flags
_hint_cache: dict[str, int] = {}


def _hint_flags(hint: str) -> int:
    flags = _hint_cache.get(hint)
    if flags is None:
        flags = 0
        if _POST_WRAPPER.search(hint):
            # A blog post's own wrapper: its classes list the post's categories and tags, whatever they are.
            hint = _TAXONOMY.sub(" ", hint)
            flags |= CONTENT | ARTICLE
        if _CHROME_HINT.search(hint) or _CHROME_TOKEN.search(hint):
            flags |= CHROME
            if _NEVER_ARTICLE_HINT.search(hint):
                flags |= NEVER_ARTICLE
        elif _CAPTION_HINT.search(hint):
            flags |= CAPTION
        elif _WEAK_HINT.search(hint):
            flags |= WEAK
        if _CONTENT_HINT.search(hint):
            flags |= CONTENT
        if len(_hint_cache) >= CACHE_SIZE:
            _hint_cache.clear()  # start again rather than stop caching: a page repeats its own classes
        _hint_cache[hint] = flags
    return flags


_TAG_FLAGS = {
    **dict.fromkeys(_CHROME_TAGS, CHROME),
    "figcaption": CAPTION,
    "caption": CAPTION,
    "article": ARTICLE,
    "main": ARTICLE,
}
_element_cache: dict[tuple[str, str | None, str | None, str | None, str | None], tuple[int, str]] = {}


def _element_info(tag: str, attrs: dict[str, str | None]) -> tuple[int, str]:
    """(flags, hint) of a block element from its tag and class, id, role and itemprop (cached: pages and
    sites repeat them)."""
    key = (tag, attrs.get("class"), attrs.get("id"), attrs.get("role"), attrs.get("itemprop"))
    info = _element_cache.get(key)
    if info is None:
        hint = " ".join(v for v in key[1:] if v).lower()
        info = (_element_flags(tag, hint), hint)
        if len(_element_cache) >= CACHE_SIZE:
            _element_cache.clear()
        _element_cache[key] = info
    return info


def _element_flags(tag: str, hint: str) -> int:
    flags = CHROME if tag in _CHROME_TAGS else CAPTION if tag in ("figcaption", "caption") else 0
    if tag == "article" or tag == "main":
        flags |= ARTICLE
    if hint:
        flags |= _hint_flags(hint)
        if "articlebody" in hint or hint == "main":
            flags |= ARTICLE
    return flags


def _hidden(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style.lower()))


def walk(root: LexborNode, max_nodes: int = 250_000) -> Page:
    """Blocks and block elements under `root`, in one iterative pass of at most `max_nodes` nodes."""
    page = Page()
    blocks, elements = page.blocks, page.elements
    elements.append(Element(root.tag or "body", -1, 0, 0))
    buffer: list[str] = []
    link_chars = 0
    owner = 0
    in_link = 0
    # How many open elements of each kind that colours the text inside it (blockquote, pre, figure).
    inside = {"quote": 0, "pre": 0, "caption": 0}

    def flush() -> None:
        nonlocal link_chars
        if buffer:
            raw = "".join(buffer)
            buffer.clear()
            if _BREAK in raw:
                text = "\n".join(line for line in (collapse_ws(part) for part in raw.split(_BREAK)) if line)
            else:
                text = collapse_ws(raw)
            if _INVISIBLE_CHARS.search(text):
                text = (
                    collapse_ws(text.translate(_INVISIBLE))
                    if _BREAK not in raw
                    else text.translate(_INVISIBLE)
                )
            if text:
                tag = elements[owner].tag
                if inside["quote"]:
                    kind = "quote"
                elif inside["pre"]:
                    kind = "pre"
                elif tag in ("td", "th"):
                    kind = "cell"
                elif inside["caption"]:
                    kind = "caption"
                else:
                    kind = _KINDS.get(tag, "p")
                blocks.append(Block(text, kind, owner, min(link_chars, len(text))))
        link_chars = 0

    # Each stack entry: (node, what to undo when leaving it) — 0 nothing, 1 a block, 2 a link.
    stack: list[tuple[LexborNode, int, int]] = []
    node = root.child
    budget = max_nodes
    while budget > 0:
        budget -= 1
        if node is None:
            if not stack:
                break
            node, action, saved_owner = stack.pop()
            if action == 1:
                if buffer:
                    flush()
                else:
                    link_chars = 0
                element = elements[owner]
                element.end_block = len(blocks)
                element.end_element = len(elements)
                context = _CONTEXT.get(element.tag)
                if context:
                    inside[context] -= 1
                owner = saved_owner
            elif action == 2:
                in_link -= 1
            node = node.next
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text and (buffer or not text.isspace()):  # white space before any text says nothing
                buffer.append(text)
                if in_link:
                    link_chars += len(text.strip())
            node = node.next
            continue
        if tag is None or tag[0] == "-" or tag in _SKIP:
            node = node.next
            continue
        if tag == "br":
            buffer.append(_BREAK)
            node = node.next
            continue
        block = tag in _BLOCKS
        # Inline markup other than spans and links has nothing to say about chrome: its attributes are
        # not read (the walk's costliest step per node).
        attrs = node.attributes if block or tag in _INLINE_READ else None
        if attrs and ("hidden" in attrs or ("style" in attrs and _hidden(attrs))):
            node = node.next
            continue
        child = node.child
        if block:
            if buffer:
                flush()
            else:
                link_chars = 0
            flags, hint = _element_info(tag, attrs) if attrs else (_TAG_FLAGS.get(tag, 0), "")
            elements.append(Element(tag, owner, flags, len(blocks), hint))
            if tag in _UNREAD and child is not None and not node.css_first(_ARTICLE_INSIDE):
                # Navigation, asides and footers (with no article inside) are read for their size only:
                # their text is not the article's, and they hold a good share of a page's nodes.
                unread = len(node.text(deep=True, separator=" ")) // 2
                elements[-1].chars = elements[-1].links = unread
                elements[-1].bad = float(unread)
                child = None
            if child is None:
                elements[-1].end_block = len(blocks)
                elements[-1].end_element = len(elements)
                node = node.next
                continue
            context = _CONTEXT.get(tag)
            if context:
                inside[context] += 1
            stack.append((node, 1, owner))
            owner = len(elements) - 1
        elif tag == "a":
            if child is None:
                node = node.next
                continue
            in_link += 1
            stack.append((node, 2, owner))
        elif child is None:
            node = node.next
            continue
        else:
            stack.append((node, 0, owner))
        node = child
    flush()
    # Close whatever the node budget left open.
    while stack:
        _, action, saved_owner = stack.pop()
        if action == 1:
            elements[owner].end_block = len(blocks)
            elements[owner].end_element = len(elements)
            owner = saved_owner
    root_element = elements[0]
    root_element.end_block, root_element.end_element = len(blocks), len(elements)
    return page


# --- choosing the article ----------------------------------------------------------------------------------

LINK_DENSE = 0.5  # a block with more of its text in links than this is navigation, not prose
ANCHOR = 2.0  # bonus for an element that starts at the headline
ANCHOR_WINDOW = 10  # blocks after the headline that count as its start
ANCHOR_BEFORE = 15  # ... and before it (a wrapper of the whole page does not start at the headline)
LEAD_WINDOW = 12  # blocks between a headline and the article body that may hold its lead
SHORT = 25  # characters: a block shorter than this is furniture unless the article holds it
SHORT_WEIGHT = 0.5  # a short block counts for this much of its length
PROTECT = 0.5  # a flagged element holding more than this share of the page's prose is not chrome
PROTECT_MIN_CHARS = 200  # ... and at least this much of it
MARK = 1.1  # bonus for an element marked as the article (<article>, class "content", …)
DENSITY_POWER = 1.0  # how much an element's share of prose weighs against its amount of prose


def score(page: Page) -> None:
    """Each element's good (paragraph text outside links) and bad (link text, chrome) characters."""
    elements = page.elements
    _flag_comment_thread(page)
    _flag_teasers(page)
    for block in page.blocks:
        element = elements[block.owner]
        size = len(block.text)
        element.chars += size
        element.links += block.links
        if block.links * 2 > size:
            element.bad += size
        elif size < SHORT and block.kind[0] != "h":
            element.good += size * SHORT_WEIGHT
        else:
            element.good += size - block.links
            element.bad += block.links
    raw = [e.good for e in elements]
    for i in range(len(elements) - 1, 0, -1):
        raw[elements[i].parent] += raw[i]
    total = raw[0] or 1.0
    for i in range(len(elements) - 1, 0, -1):
        element = elements[i]
        parent = elements[element.parent]
        parent.chars += element.chars
        parent.links += element.links
        if (
            element.flags & CHROME
            and raw[i] > total * PROTECT
            and raw[i] >= PROTECT_MIN_CHARS
            and not element.flags & NEVER_ARTICLE
        ):
            # Never drop the element holding most of the page's text (its wrapper may be named for the
            # share buttons beside it), unless it is named for what is never an article (a cookie notice
            # or a sign-up box longer than a short article).
            element.flags &= ~CHROME
        if element.flags & CHROME:
            parent.bad += element.good + element.bad
        elif element.flags & CAPTION:
            continue  # neither for nor against: captions are text, but rarely the article's
        else:
            parent.good += element.good
            parent.bad += element.bad


# What each reader comment carries, whatever the markup: a link to answer it or report it.
_REPLY = re.compile(
    r"^\W*(?:reply|replies|antworten|beantworten|melden|report|répondre|signaler|responder|rispondi|"
    r"odpowiedz|reageren|svara|vastaa|odpovědět|permalink|zitieren|quote)\W*$",
    re.I,
)
MIN_COMMENTS = 3


def _flag_comment_thread(page: Page) -> None:
    """Reader comments, found by their reply links rather than their class names: the innermost element
    holding most of the page's "Reply" links is the thread, and chrome."""
    elements = page.elements
    replies = [0] * len(elements)
    for block in page.blocks:
        if len(block.text) <= 30 and _REPLY.match(block.text):
            replies[block.owner] += 1
    for i in range(len(elements) - 1, 0, -1):
        replies[elements[i].parent] += replies[i]
    if replies[0] < MIN_COMMENTS:
        return
    thread = max(i for i, count in enumerate(replies) if count * 5 >= replies[0] * 4)
    if thread > 0:
        elements[thread].flags |= CHROME


MIN_TEASERS = 3  # like siblings, each a linked title over a few lines: a grid of teasers
MAX_TEASER_CHARS = 600
_DIGITS = re.compile(r"\d+")


def _flag_teasers(page: Page) -> None:
    """Teasers for other articles, found by their make rather than their class names: three or more like
    siblings (same tag and class) that each open with a linked title and hold a few lines at most."""
    elements, blocks = page.elements, page.blocks
    groups: dict[tuple[int, str, str], list[int]] = {}
    for i, element in enumerate(elements):
        if i and element.end_block - element.first_block >= 2 and _is_teaser(element, blocks):
            hint = _DIGITS.sub("", element.hint) if element.hint else ""  # "views-row-2" is like "…-1"
            groups.setdefault((element.parent, element.tag, hint), []).append(i)
    for teasers in groups.values():
        if len(teasers) >= MIN_TEASERS:
            for i in teasers:
                elements[i].flags |= CHROME


def _is_teaser(element: Element, blocks: list[Block]) -> bool:
    first = blocks[element.first_block]
    if first.links * 2 <= len(first.text) or first.text.count(" ") < 2 or element.tag in _HEADINGS:
        return False  # (a linked name opening a forum post is not an article's title)
    size = 0
    for block in blocks[element.first_block : element.end_block]:
        size += len(block.text)
        if size > MAX_TEASER_CHARS:
            return False
    return True


def choose(page: Page, headline: int | None = None) -> int:
    """The element whose text is most article-like: the most paragraph text at the highest share of the
    element's text, favoured when marked as an article and when it starts at the headline."""
    best, best_score = 0, float("-inf")
    elements = page.elements
    in_chrome = [False] * len(elements)
    for i, element in enumerate(elements):
        if i and (element.flags & CHROME or in_chrome[element.parent]):
            in_chrome[i] = True
            continue
        total = element.good + element.bad
        value = element.good * (element.good / total) ** DENSITY_POWER if total else 0.0
        if element.flags & (ARTICLE | CONTENT):
            value *= MARK
        if (
            headline is not None
            and headline - ANCHOR_BEFORE <= element.first_block <= headline + ANCHOR_WINDOW
            and element.end_block > headline + 1
        ):
            value *= ANCHOR
        if value > best_score:
            best, best_score = i, value
    return best


def select(page: Page, title: str | None = None, strict: bool = True) -> list[Block]:
    """The article's blocks: the chosen container's, without the chrome inside it, anchored on the
    headline: what stands above the headline is not the article, and a lead paragraph between the
    headline and the container is."""
    headline = _headline_block(page, title)
    container = choose(page, headline)
    top = page.elements[container]
    dropped = _dropped(page, container, strict)
    blocks = page.blocks
    kept = [i for i in range(top.first_block, top.end_block) if _keeps(blocks[i], dropped, strict)]
    if headline is not None and headline < top.end_block:
        if headline < top.first_block:
            if top.first_block - headline <= LEAD_WINDOW:
                lead = [
                    i
                    for i in range(headline + 1, top.first_block)
                    if _keeps(blocks[i], dropped, strict) and _is_lead(blocks[i])
                ]
                kept = lead + kept
        else:
            above = sum(len(blocks[i].text) for i in kept if i < headline)
            if above * 4 < sum(len(blocks[i].text) for i in kept):
                kept = [i for i in kept if i > headline]
    kept = _without_trailing_sections(page, container, kept)
    return _trim_head(_trim_calls(_trim_tail(_without_orphan_headings([blocks[i] for i in kept]))))


BODY_SHARE = 0.7  # the article's body holds at least this share of its kept text
BLOCK_LINKS = 6  # tenths: a block with more of its text in links than this is dropped


def _without_trailing_sections(page: Page, container: int, kept: list[int]) -> list[int]:
    """What follows the article's body inside its container (an author's box, a call to subscribe, a
    disclaimer, more stories) is not the article: the body is the innermost element holding most of the
    kept text (with its like siblings, for a text split in several), and what comes after it goes."""
    elements, blocks = page.elements, page.blocks
    if not kept:
        return kept
    prose = [0] * len(elements)
    for i in kept:
        prose[blocks[i].owner] += len(blocks[i].text)
    top = elements[container]
    for i in range(top.end_element - 1, container, -1):
        prose[elements[i].parent] += prose[i]
    total = prose[container]
    body = max(
        (i for i in range(container, top.end_element) if prose[i] >= total * BODY_SHARE), default=container
    )
    main = elements[body]
    end = main.end_block
    # More of the body after it: siblings of the same make (a text split into several like elements).
    for i in range(main.end_element, top.end_element):
        element = elements[i]
        if element.parent == main.parent and element.tag == main.tag and element.hint == main.hint:
            end = max(end, element.end_block)
    return [i for i in kept if i < end]


def article_blocks(page: Page, container: int, strict: bool = True) -> list[Block]:
    """The container's blocks in order, without those under chrome elements inside it (and, when
    `strict`, without captions)."""
    top = page.elements[container]
    dropped = _dropped(page, container, strict)
    out = [b for b in page.blocks[top.first_block : top.end_block] if _keeps(b, dropped, strict)]
    return _without_orphan_headings(out)


def _dropped(page: Page, container: int, strict: bool) -> list[bool]:
    """Which elements are chrome: flagged themselves or inside a flagged one. The container and its
    ancestors are exempt, having been chosen as the article."""
    elements = page.elements
    exempt = set()
    i = container
    while i >= 0:
        exempt.add(i)
        i = elements[i].parent
    dropped = [False] * len(elements)
    article_good = elements[container].good
    for i, element in enumerate(elements):
        if i in exempt:
            continue
        dropped[i] = (
            dropped[element.parent]
            or bool(element.flags & CHROME)
            or (strict and bool(element.flags & CAPTION))
            # weak hints are words page builders also give content: not the wrapper of most of the article
            or (
                bool(element.flags & WEAK)
                and not _reads_as_prose(element)
                and element.good * 2 < article_good
            )
            # a list of links, with whatever labels it has (not a wrapper around most of the article)
            or (element.links * 2 > element.chars and element.good * 2 < article_good)
        )
    return dropped


def _keeps(block: Block, dropped: list[bool], strict: bool) -> bool:
    return not (
        dropped[block.owner]
        or block.links * 10 > len(block.text) * BLOCK_LINKS
        or (strict and block.kind == "caption")
    )


def _is_lead(block: Block) -> bool:
    """Prose between a headline and the article body: a standfirst, an intro."""
    return len(block.text) >= 60 and block.links * 4 < len(block.text) and block.kind != "caption"


def _headline_block(page: Page, title: str | None) -> int | None:
    """The heading block that shows the page's headline (the first, if it is shown more than once)."""
    if not title:
        return None
    key = collapse_ws(title).casefold()
    for i, block in enumerate(page.blocks):
        if block.kind in ("h1", "h2") and collapse_ws(block.text).casefold() == key:
            return i
    return None


def _without_orphan_headings(blocks: list[Block]) -> list[Block]:
    """A heading with nothing under it before the next heading of its rank (or the end) introduced
    something that was dropped ("Related articles", "More on this")."""
    keep = [True] * len(blocks)
    for i, block in enumerate(blocks):
        if block.kind[0] != "h" or block.kind == "h1":
            continue
        rank = block.kind
        following = next((b for b in blocks[i + 1 :] if not (b.kind[0] == "h" and b.kind > rank)), None)
        if following is None or (following.kind[0] == "h" and following.kind <= rank):
            keep[i] = False
    return [b for b, k in zip(blocks, keep, strict=True) if k]


# Short lines that open what follows an article: related links, more from the site, sharing, comments,
# newsletters, tags, the author's box. In the languages of the pages we read most.
_SECTION_END = re.compile(
    r"^\W*(?:"
    r"related|read (?:more|also|next)|more (?:on|from|about|stories|news|articles)|you (?:may|might) also|"
    r"recommended|also (?:read|on)|see also|further reading|popular|most (?:read|popular|viewed)|trending|"
    r"share (?:this|on|via)|sharing is|comments?|leave a (?:reply|comment)|reply|subscribe|sign up|"
    r"newsletter|tags?|topics?|filed under|categories|about the author|the author|"
    r"mehr (?:zum thema|zu|aus|von|themen|artikel|news|nachrichten|lesen)|auch interessant|"
    r"(?:das )?könnte (?:sie|dich) auch interessieren|lesen sie (?:auch|mehr)|weitere (?:artikel|beiträge|"
    r"themen|informationen|nachrichten|news|infos|links)|zum weiterlesen|verwandte|"
    r"ähnliche (?:artikel|beiträge)|"
    r"schlagw(?:ö|oe)rter|themen|kommentare?|teilen|diesen (?:artikel|beitrag) teilen|über (?:den|die) autor|"
    r"quellen|newsletter|artículos relacionados|temas relacionados|contenido relacionado|"
    r"noticias relacionadas|"
    r"también te puede interesar|te puede interesar|más (?:sobre|noticias)|lee también|comentarios|"
    r"à lire aussi|lire aussi|sur le même sujet|articles? (?:similaires|liés)|commentaires|partager|"
    r"leggi anche|potrebbe interessarti|articoli correlati|zobacz (?:też|także)|czytaj (?:też|także)|"
    r"polecamy|komentarze|lees ook|gerelateerde|meer (?:over|nieuws)"
    r")\b",
    re.I,
)
MAX_SECTION_END_WORDS = 8


def _trim_tail(blocks: list[Block]) -> list[Block]:
    """Cut the article where, in its last third, a short line opens the page's furniture."""
    total = sum(len(b.text) for b in blocks)
    seen = 0
    for i, block in enumerate(blocks):
        seen += len(block.text)
        if (
            seen > total * 0.6
            and block.text.count(" ") < MAX_SECTION_END_WORDS
            and _SECTION_END.match(block.text)
        ):
            return blocks[:i]
    return blocks


# What a site says to its readers at the end of an article: subscribe, follow, download, donate, comment,
# rate, share; and the credits, licences and citations that close it.
_CALL = re.compile(
    r"subscri|abonnier|newsletter|\bfollow (?:us|the\b)|folge uns|folgen sie uns|download (?:the|our)|"
    r"app ?store|google play|donate|spenden|unterstütze|\bsupport (?:us|our)|help us|sign up|eingeloggt|"
    r"letter to the editor|leserbrief|bewertung|rating|copyright|©|lizenz|licen[cs]e|titelbild|"
    r"beitragsbild|\bbild:|\bfoto:|\bphoto:|crédits? photo|suggested citation|zitiervorschlag|"
    r"^\W*(?:werbung|anzeige)\b|advertis|sponsored|affiliate|we want to hear|was denkst du|"
    r"síguenos|siguenos|únete|suscríbete",
    re.I,
)
MAX_CALL_CHARS = 200
MAX_CALLS = 3


def _trim_calls(blocks: list[Block]) -> list[Block]:
    """Drop the site's calls to its readers (subscribe, follow, donate, credits) from the article's end."""
    end = len(blocks)
    while end > 1 and len(blocks) - end < MAX_CALLS:
        text = blocks[end - 1].text
        if len(text) >= MAX_CALL_CHARS or not _CALL.search(text):
            break
        end -= 1
    return blocks[:end]


# The furniture above an article's first paragraph: credits, datelines, reading times, ad disclosures.
_HEAD_FURNITURE = re.compile(
    r"©|\((?:foto|photo|bild|image|credit)|\b(?:foto|photo|photograph|bild|image|credits?|quelle|source)\s*:|"
    r"\b(?:getty|istock|shutterstock|dpa|reuters|afp|imago|picture[ -]alliance)\b|"
    r"\b\d+\s*min(?:ute)?s? read\b|"
    r"^(?:anzeige|werbung|advertisement|sponsored|publicidad|publicité)\b|^(?:by|von|par|por)\s+\S+",
    re.I,
)
MAX_HEAD_FURNITURE = 120  # characters


def _trim_head(blocks: list[Block]) -> list[Block]:
    """Drop the credits, datelines and disclosures that stand above the article's first paragraph."""
    start = 0
    for block in blocks[:4]:
        text = block.text
        if len(text) >= MAX_HEAD_FURNITURE or block.kind[0] == "h":
            break
        label = len(text) <= 20 and len(text.split()) <= 2
        if not (label or _HEAD_FURNITURE.search(text) or find_written_date(text)):
            break
        start += 1
    return blocks[start:] if start < len(blocks) else blocks


def _reads_as_prose(element: Element) -> bool:
    return element.good >= 80 and element.good >= 2 * element.bad


MIN_PART_CHARS = 400  # an article of a page of several has at least this much text


def split_articles(page: Page, blocks: list[Block]) -> list[list[Block]]:
    """A page of several full articles (a blog's front page, a live page of posts): the selected blocks
    cut at each outermost <article> element that starts with a heading and holds enough text. One part
    when the page is one article."""
    elements = page.elements
    if sum(1 for e in elements if e.tag == "article") < 2:
        return [blocks]
    groups: dict[int, list[Block]] = {}
    loose = 0
    for block in blocks:
        outer, i = -1, block.owner
        while i > 0:
            if elements[i].tag == "article":
                outer = i
            i = elements[i].parent
        if outer < 0:
            loose += len(block.text)
        else:
            groups.setdefault(outer, []).append(block)
    parts = [g for g in groups.values() if g[0].kind in ("h1", "h2", "h3")]
    total = sum(len(b.text) for b in blocks)
    if len(parts) < 2 or loose > total * 0.2:
        return [blocks]
    if any(sum(len(b.text) for b in part) < MIN_PART_CHARS for part in parts):
        return [blocks]
    return parts
