"""URL normalisation: one spelling per resource, so an entry keeps its identity when a feed adds tracking
parameters, changes the case of the host or spells out the default port.

`clean_url` gives the URL Tidings stores and fetches (tracking parameters and the fragment dropped, the rest
kept in order); `url_key` gives the identity of the resource (also scheme-, `www.`- and order-blind).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from tidings.fetch.guard import RefusedError, canonical_host

_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "_hs", "oly_")
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "vero_id",
        "vero_conv",
        "_ga",
        "_gl",
        "ncid",
        "ocid",
        "cmpid",
        "s_kwcid",
        "wt.mc_id",
        "at_medium",
        "at_campaign",
        "ref_src",
        "ref_url",
        "__twitter_impression",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING or lowered.startswith(_TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """Scheme and host lower-cased, default port and fragment dropped, tracking parameters removed, percent
    escapes upper-cased, an empty path made "/". Raises `RefusedError` for a URL without a usable host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise RefusedError(f"invalid URL {url!r}") from exc
    scheme = parts.scheme.lower()
    if not parts.hostname:
        raise RefusedError(f"no host in URL {url!r}")
    host = canonical_host(parts.hostname)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    path = _PERCENT.sub(lambda m: m.group(0).upper(), parts.path) or "/"
    query = _clean_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _clean_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    if len(kept) == len(pairs):
        return query  # untouched: keep the publisher's own spelling
    return urlencode(kept, quote_via=quote)


def url_key(url: str) -> str:
    """The identity of what `url` names: `clean_url` without scheme, `www.` or credentials, with the query
    sorted and a trailing slash dropped. Two spellings of one article give one key."""
    cleaned = urlsplit(clean_url(url))
    host = cleaned.netloc.rsplit("@", 1)[-1]
    host = host.removeprefix("www.")
    path = unquote(cleaned.path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(sorted(parse_qsl(cleaned.query, keep_blank_values=True)), quote_via=quote)
    return f"{host}{quote(path, safe='/:@!$&()*+,;=~-._')}" + (f"?{query}" if query else "")


def site_of(url: str | None) -> str | None:
    """The site a URL belongs to, as documents name it: the host without `www.`."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
