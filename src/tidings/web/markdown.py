"""Markdown-lite for comments: emphasis, code, links, lists, quotes and paragraphs, nothing more.

markdown-it renders with raw HTML switched off; nh3 then keeps only an allowlist of tags and attributes,
only http(s) and mailto links, and gives every link rel="nofollow noopener noreferrer ugc". The sanitiser
runs on the rendered HTML, so a bug in the renderer still cannot put a script on a page.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_RULES = ["emphasis", "strikethrough", "backticks", "link", "autolink", "newline", "escape", "entity"]
_BLOCK_RULES = ["list", "blockquote", "fence", "code"]

_TAGS = {"p", "br", "em", "strong", "s", "code", "pre", "a", "ul", "ol", "li", "blockquote"}
_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}


def _renderer() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
        _RULES + _BLOCK_RULES
    )


_LINK_REL = "nofollow noopener noreferrer ugc"


def _only_listed(element: str, attribute: str, value: str) -> str | None:
    # nh3 also keeps a few attributes on every tag (title, lang): only the listed ones stay, and the
    # rel it sets on links.
    if attribute in _ATTRIBUTES.get(element, ()) or (element, attribute, value) == ("a", "rel", _LINK_REL):
        return value
    return None


_MARKDOWN = _renderer()
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    attribute_filter=_only_listed,
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",  # "jav%09ascript:" and friends would be relative links: none at all
    link_rel=_LINK_REL,
    strip_comments=True,
)


def render(text: str) -> Markup:
    return Markup(_CLEANER.clean(_MARKDOWN.render(text)))  # sanitised by nh3 on this line
