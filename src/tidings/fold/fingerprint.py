"""Fingerprints: word hashes, word shingles, and a content-defined sample of shingles as index keys.

A batch of texts is done at once: typography is folded, the texts are joined into one byte buffer, and
one compiled pass (numba) cuts the words and hashes each from its length and first 24 bytes; shingles
and keys are compiled too (shingles in one pass over the batch, keys one call per text). No Python loop
runs per word.

- word hashes (32 bits) are what the store keeps of a copy, to verify matches later. Bit 0 marks a *key
  word* (starting with a digit, or with a capital inside a sentence: figures and names, where templated
  articles differ), bit 1
  the last word of a sentence or paragraph; the other 30 bits hash the word, ASCII case folded;
- shingles (64 bits) hash `k` consecutive words, order-sensitive;
- keys index the text: in its opening (the first `WINNOWED` shingles, which every copy has, excerpts
  included) the smallest shingle of every window of `WINDOW` (winnowing), after it the shingles whose
  hash is 0 modulo `anchor_rate`. Both choices depend only on the shingles themselves, so an excerpt's
  keys are (up to its cut) a subset of its article's: truncated copies find their article and are then
  verified by containment, which MinHash/Jaccard banding would miss.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numba import njit

WINNOWED, WINDOW = 100, 12  # the opening shingles winnowed: a key in every window of twelve
MIN_KEYS = 4  # a text with fewer sampled keys than this, and at most SHORT shingles, indexes them all
SHORT = 32
KEY_BITS = 48  # index keys: the top 48 bits of a shingle hash (a 6-byte SQL integer)
MAX_SHINGLE_WORDS = 8
SUB_BATCH = 256  # texts hashed at a time (their buffers stay in cache)
KEY, END = np.uint32(1), np.uint32(2)  # word flags: a name or figure; the last word of a sentence

_U64 = np.uint64
_LANES = 3  # a word's first 24 bytes and its length make its hash
_LANE_MUL = tuple(_U64(c) for c in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))
_LEN_MUL = _U64(0x27D4EB2F165667C5)
_SHINGLE_MUL = tuple(
    _U64(c)
    for c in (
        0x9FB21C651E98DF25,
        0xD6E8FEB86659FD93,
        0xA0761D6478BD642F,
        0xE7037ED1A0B428DB,
        0x8EBC6AF09C88C6E3,
        0x589965CC75374CC3,
        0x1D8E4E27C47D124F,
        0xB492B66FBE98F273,
    )
)
_WORD_BYTE = np.zeros(256, dtype=bool)  # [0-9A-Za-z_] and every byte of a non-ASCII character
_WORD_BYTE[[*range(48, 58), *range(65, 91), *range(97, 123), 95, *range(128, 256)]] = True
_KEY_BYTE = np.zeros(256, dtype=bool)
_KEY_BYTE[[*range(48, 58), *range(65, 91)]] = True
_DIGIT_BYTE = np.zeros(256, dtype=bool)
_DIGIT_BYTE[48:58] = True
_STOP_BYTE = np.zeros(256, dtype=bool)
_STOP_BYTE[[ord("."), ord("!"), ord("?"), ord("\n")]] = True
# Typographic marks folded to plain ones before words are cut (str.replace: a translate table with
# multi-character targets takes Python's slow path).
_MARKS = tuple(
    (mark, plain)
    for plain, marks in (
        ("'", "\u2018\u2019\u201a\u201b\u2032\u00b4"),
        ('"', "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"),
        ("-", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
        ("...", "\u2026"),
        (" ", "\u00a0"),
        ("", "\u200b\u200c\u200d\ufeff"),
    )
    for mark in marks
)


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """What fold needs to find and verify a copy's article."""

    words: np.ndarray  # uint32 per word, text order (see the module docstring for the flag bits)
    shingles: np.ndarray  # uint64 per k-word window, text order
    anchor_rate: int = 64
    stored_keys: int = -1  # for a copy read back from the store: how many index keys it has there
    _keys: list[np.ndarray] = field(default_factory=list, repr=False)  # computed when first asked for

    def compact(self) -> Fingerprint:
        """The same fingerprint holding arrays of its own: a batch's fingerprints are views of the
        batch's arrays, and one kept for later would keep the whole batch's arrays alive."""
        if self.words.base is None and self.shingles.base is None:
            return self
        return Fingerprint(
            self.words.copy(),
            self.shingles.copy(),
            self.anchor_rate,
            self.stored_keys,
            [k.copy() for k in self._keys],
        )

    @property
    def keys(self) -> np.ndarray:
        """The index keys (int64, sorted, unique)."""
        if not self._keys:
            self._keys.append(index_keys(self.shingles, self.anchor_rate))
        return self._keys[0]

    @property
    def key_count(self) -> int:
        return self.stored_keys if self.stored_keys >= 0 else len(self.keys)


_SHINGLE_MULS = np.array(_SHINGLE_MUL, dtype=np.uint64)
_LANE_MULS = np.array(_LANE_MUL, dtype=np.uint64)


@njit(cache=True, nogil=True)
def _mix_one(h: np.uint64) -> np.uint64:
    """MurmurHash3's 64-bit finaliser: every input bit reaches every output bit."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def _plain_text(text: str) -> bytes:
    """UTF-8 with typography folded (other non-ASCII bytes are word bytes)."""
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        for mark, plain in _MARKS:
            if mark in text:
                text = text.replace(mark, plain)
    return text.encode("utf-8", "replace")


_WORDS = re.compile(rb"[0-9A-Za-z_\x80-\xff]+")


def plain_words(text: str) -> list[bytes]:
    """The words fingerprints are made of, as bytes (ASCII lower-cased), for peers and tests."""
    return _WORDS.findall(_plain_text(text).lower())


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(every text's word hashes one after another, where each text's words start: len(texts) + 1)."""
    encoded = [_plain_text(t) for t in texts]
    data = b"\n".join(encoded)
    raw = np.frombuffer(data + bytes(8 * _LANES), dtype=np.uint8)  # padded: lanes read past the end
    text_starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) + 1 for e in encoded], out=text_starts[1:])
    return _word_hashes(raw, len(data), text_starts)


@njit(cache=True, nogil=True)
def _word_hashes(raw: np.ndarray, size: int, text_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Word hashes of the texts in raw[:size] (joined by line breaks, padded with zero bytes), and where
    each text's words start. A word's hash mixes its length and its first 24 bytes read as three
    little-endian 64-bit lanes, each byte with bit 5 set (ASCII case folded)."""
    starts = np.empty(size // 2 + 1, np.int64)
    ends = np.empty(size // 2 + 1, np.int64)
    n = 0
    i = 0
    while i < size:
        if _WORD_BYTE[raw[i]]:
            j = i + 1
            while j < size and _WORD_BYTE[raw[j]]:
                j += 1
            starts[n], ends[n] = i, j
            n += 1
            i = j
        else:
            i += 1
    bounds = np.searchsorted(starts[:n], text_starts)
    bounds[-1] = n
    out = np.empty(n, np.uint32)
    last = np.zeros(n, np.bool_)
    for w in range(n):
        start, end = starts[w], ends[w]
        following = starts[w + 1] if w + 1 < n else size + 1
        # a sentence ends at . ! ? not followed by a word byte ("4.6" goes on), or at a line break,
        # within the three bytes after the word
        for step in range(3):
            at = end + step
            byte = raw[at]
            if _STOP_BYTE[byte] and at < following and (byte == 10 or not _WORD_BYTE[raw[at + 1]]):
                last[w] = True
    for t in range(len(bounds) - 1):
        if bounds[t + 1] > bounds[t]:
            last[bounds[t + 1] - 1] = True  # a text's last word ends its last sentence
    for w in range(n):
        start, end = starts[w], ends[w]
        length = end - start
        h = np.uint64(length) * _LEN_MUL
        for lane in range(_LANES):
            value = np.uint64(0)
            for b in range(min(8, max(0, length - 8 * lane))):
                value |= np.uint64(raw[start + 8 * lane + b] | 0x20) << np.uint64(8 * b)
            h += value * _LANE_MULS[lane]
        h = _mix_one(h) >> np.uint64(32)
        first = raw[start]
        # a capital that opens a sentence says nothing; one inside a sentence marks a name
        opens = w == 0 or last[w - 1]
        key = _KEY_BYTE[first] and (not opens or _DIGIT_BYTE[first])
        flags = (1 if key else 0) | (2 if last[w] else 0)
        out[w] = np.uint32((h & np.uint64(0xFFFFFFFC)) | np.uint64(flags))
    return out, bounds


@njit(cache=True, nogil=True)
def index_keys(h: np.ndarray, anchor_rate: int) -> np.ndarray:
    """The index keys of one text from its shingles (sorted, unique): a content-defined sample, dense
    in the lead and sparse after it. The smallest hash of every window of `WINDOW` shingles in the first
    `WINNOWED` (winnowing: any dozen words a short excerpt shares with the start of its article make a
    key both have), after that the shingles whose hash is 0 modulo `anchor_rate`; a text too short to
    sample is indexed whole."""
    n = len(h)
    chosen = np.zeros(n, np.bool_)
    rate = np.uint64(max(1, anchor_rate))
    for i in range(n):
        chosen[i] = h[i] % rate == 0
    for p in range(min(WINNOWED - WINDOW, n - WINDOW) + 1):
        best = p
        for q in range(p + 1, p + WINDOW):
            if h[q] < h[best]:
                best = q
        chosen[best] = True
    picked = h[chosen]
    if len(picked) < MIN_KEYS and n <= SHORT:
        picked = h
    return np.unique((picked >> np.uint64(64 - KEY_BITS)).astype(np.int64))


def fingerprint_texts(
    texts: Sequence[str], shingle_words: int = 5, anchor_rate: int = 64
) -> list[Fingerprint]:
    """Fingerprints of a batch of texts (compiled passes over all their words, a few hundred texts at a
    time: arrays that stay in cache)."""
    if len(texts) > SUB_BATCH:
        return [
            fp
            for start in range(0, len(texts), SUB_BATCH)
            for fp in fingerprint_texts(texts[start : start + SUB_BATCH], shingle_words, anchor_rate)
        ]
    words, bounds = word_hashes(texts)
    return _fingerprints(words, bounds, shingle_words, anchor_rate)


@njit(cache=True, nogil=True)
def shingles_in_place(words: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingles of texts whose word hashes lie one after another (text i: starts[i] to
    starts[i + 1]), each text's at the positions of its words: (shingles, where each text's stop).
    A text shorter than `k` words is one shingle of all of them."""
    plain = np.empty(len(words), np.uint64)  # a word's hash without its flags, never zero
    for p in range(len(words)):
        plain[p] = np.uint64(words[p] >> 2) + np.uint64(1)
    out = np.zeros(len(words), np.uint64)
    stops = np.empty(len(starts) - 1, np.int64)
    for i in range(len(starts) - 1):
        start, n = starts[i], starts[i + 1] - starts[i]
        width = min(k, n)
        runs = n - width + 1 if n else 0
        for j in range(width):  # word by word across the text: loops the compiler vectorises
            weight = _SHINGLE_MULS[j]
            for p in range(start, start + runs):
                out[p] += plain[p + j] * weight
        for p in range(start, start + runs):
            out[p] = _mix_one(out[p])
        stops[i] = start + runs
    return out, stops


def _fingerprints(
    words: np.ndarray, bounds: np.ndarray, shingle_words: int, anchor_rate: int
) -> list[Fingerprint]:
    """Shingles and keys of texts whose word hashes lie one after another (text i: bounds[i] to
    bounds[i + 1])."""
    k = max(1, min(shingle_words, MAX_SHINGLE_WORDS))
    every, stops = shingles_in_place(words, bounds, k)  # text i's at its words' places, to stops[i]
    out: list[Fingerprint] = []
    for i in range(len(bounds) - 1):
        shingled = every[bounds[i] : stops[i]]
        keys = index_keys(shingled, anchor_rate)
        out.append(Fingerprint(words[bounds[i] : bounds[i + 1]], shingled, anchor_rate, _keys=[keys]))
    return out


def pack(words: np.ndarray) -> bytes:
    return np.asarray(words, dtype="<u4").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    if len(blob) % 4:
        raise ValueError("not a packed fingerprint")
    return np.frombuffer(blob, dtype="<u4")


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of the smaller set's distinct shingles found in the other: 1.0 when one contains the other."""
    ua, ub = np.unique(a), np.unique(b)
    if len(ua) == 0 or len(ub) == 0:
        return 0.0
    return len(np.intersect1d(ua, ub, assume_unique=True)) / min(len(ua), len(ub))
