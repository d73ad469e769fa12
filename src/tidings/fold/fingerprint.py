"""Fingerprints: word hashes, word shingles, and a content-defined sample of shingles as index keys.

A batch of texts is done a few hundred at a time, in three compiled passes (numba) over their UTF-8 joined
in one buffer: a screen for the texts that may need NFKC (only those go to `unicodedata`), the folding
of typographic marks on the bytes, and one pass text by text that cuts the words, hashes each from its
length and first 24 bytes, shingles them and samples the keys. The fingerprints are views of that
pass's arrays; no Python loop runs per word, and in Python per text only the encoding and the making of
the fingerprint. The hot loops avoid branches on bytes and signed indices (whose wraparound checks turn
vectorised loads into gathers).

- word hashes (32 bits) are what the store keeps of a copy, to verify matches later. Bit 0 marks a *key
  word* (starting with a digit, or with a capital inside a sentence: figures and names, where templated
  articles differ), bit 1 the last word of a sentence or paragraph; the other 30 bits hash the word,
  ASCII case folded;
- shingles (64 bits) hash `k` consecutive words, order-sensitive;
- keys index the text: in its opening (the first `WINNOWED` shingles, which every copy has, excerpts
  included) the smallest shingle of every window of `WINDOW` (winnowing), after it the shingles whose
  hash is 0 modulo `anchor_rate`. Both choices depend only on the shingles themselves, so an excerpt's
  keys are (up to its cut) a subset of its article's: truncated copies find their article and are then
  verified by containment, which MinHash/Jaccard banding would miss.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

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


# The compiled fold of `_MARKS` on UTF-8: a mark's bytes but its last (one byte, or two: they cannot be
# mistaken for each other) pick a row of _MARK_ROW, its last byte the cell, which holds 1 + the mark's
# number; its replacement is _PLAIN[_PLAIN_AT[number] : _PLAIN_AT[number + 1]], never longer than it.
_PAD = 32  # zero bytes after a batch's texts: a word's lanes read whole 8-byte lanes from its start


def _mark_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    prefixes: list[int] = []
    rows: list[np.ndarray] = []
    plain = bytearray()
    plain_at = [0]
    for number, (mark, replacement) in enumerate(_MARKS):
        code, ascii_ = mark.encode("utf-8"), replacement.encode("ascii")
        if not 2 <= len(code) <= 3 or len(ascii_) > len(code):
            raise ValueError(f"mark {mark!r}: its replacement must be ASCII no longer than it")
        prefix = int.from_bytes(code[:-1], "big")
        if prefix not in prefixes:
            prefixes.append(prefix)
            rows.append(np.zeros(256, dtype=np.int64))
        rows[prefixes.index(prefix)][code[-1]] = number + 1
        plain += ascii_
        plain_at.append(len(plain))
    return (
        np.array(prefixes, dtype=np.int64),
        np.stack(rows),
        np.frombuffer(bytes(plain) or b"\0", dtype=np.uint8).copy(),
        np.array(plain_at, dtype=np.int64),
    )


_MARK_PREFIX, _MARK_ROW, _PLAIN, _PLAIN_AT = _mark_tables()
_LANE_MASK = np.array([(1 << (8 * b)) - 1 for b in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_CASE_BITS = np.uint64(0x2020202020202020)
_WORD_U8, _KEY_U8, _DIGIT_U8 = (t.astype(np.uint8) for t in (_WORD_BYTE, _KEY_BYTE, _DIGIT_BYTE))
_BREAK_U8 = np.zeros(256, dtype=np.uint8)  # a line break ends a sentence
_BREAK_U8[ord("\n")] = 1
_PUNCT_U8 = (_STOP_BYTE & ~(_BREAK_U8 == 1)).astype(np.uint8)  # . ! ? end one unless a word byte follows


@njit(cache=True, nogil=True)
def _lane(buf: np.ndarray, at: int) -> np.uint64:
    """buf[at:at + 8] read as a little-endian 64-bit integer."""
    p = np.uint64(at)  # unsigned: no wraparound checks, the reads fold into one load
    value = np.uint64(0)
    for b in range(8):
        value |= np.uint64(buf[p + np.uint64(b)]) << np.uint64(8 * b)
    return value


# Code points a text may hold and come out of NFKC and the folding of `_MARKS` as it would without NFKC,
# whatever their neighbours, so that a text of these alone needs no NFKC check
# (`unicodedata.is_normalized` costs more than the rest of a fingerprint). Firstly ASCII, and in these
# blocks (Latin, Greek, Cyrillic, punctuation, currency, symbols, CJK punctuation and kana) the code
# points that are their own NFKC and not combining marks: none of these blocks holds the second
# character of a canonical composition (a test checks it against every decomposition), so each is
# NFKC_QC=Yes with combining class 0, and a text of them passes NFKC's quick check. Secondly the marks
# whose NFKC is made of such code points and folds as the mark does ("…" is "..." either way, a
# no-break space " "): a text of both kinds is unchanged by NFKC but for those marks (nothing in it
# reorders or composes), which the folding replaces anyway. Any other character sends its text to
# `unicodedata` as before.
_SAFE_BLOCKS = ((0x0080, 0x024F), (0x0370, 0x052F), (0x2000, 0x2BFF), (0x3000, 0x30FF))


def _safe_table() -> np.ndarray:
    table = np.zeros(0x10000, dtype=np.uint8)
    table[:0x80] = 1
    for low, high in _SAFE_BLOCKS:
        for point in range(low, high + 1):
            char = chr(point)
            if not unicodedata.combining(char) and unicodedata.is_normalized("NFKC", char):
                table[point] = 1
    folds = dict(_MARKS)
    for mark, plain in _MARKS:
        nfkc = unicodedata.normalize("NFKC", mark)
        if (
            nfkc != mark
            and all(ord(c) < 0x10000 and table[ord(c)] for c in nfkc)
            and "".join(folds.get(c, c) for c in nfkc) == plain
        ):
            table[ord(mark)] = 1
    return table


_SAFE = _safe_table()
_HIGH_BITS = np.uint64(0x8080808080808080)


def _joined(encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """The texts' bytes joined by line breaks (a read-only view, not a copy), and their lengths."""
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    return np.frombuffer(b"\n".join(encoded), dtype=np.uint8), lengths


@njit(cache=True, nogil=True)
def _fold_marks(
    data: np.ndarray, lengths: np.ndarray, safe: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The texts in data (valid UTF-8 of the given lengths, joined by line breaks) with typography
    folded, one after another in a new buffer padded with `_PAD` zero bytes: (that buffer, where each
    text starts and ends in it, which texts hold a character that `safe` (a table of the BMP) does not
    vouch for: those alone may not be in NFKC). Each mark of `_MARKS` becomes its plain replacement:
    the same bytes as `_plain_text` for a text in NFKC (whose replacements run after NFKC, as these
    do)."""
    buf = np.empty(len(data) + _PAD, np.uint8)
    starts = np.empty(len(lengths), np.int64)
    ends = np.empty(len(lengths), np.int64)
    unsafe = np.zeros(len(lengths), np.bool_)
    r = 0
    w = 0
    for t in range(len(lengths)):
        starts[t] = w
        e = r + lengths[t]
        while r < e:
            run = r  # ASCII, copied as a run
            while r + 8 <= e and not _lane(data, r) & _HIGH_BITS:
                r += 8
            while r < e and data[r] < 0x80:
                r += 1
            for q in range(r - run):
                buf[np.uint64(w + q)] = data[np.uint64(run + q)]
            w += r - run
            if r == e:
                break
            lead = np.int64(data[r])
            if lead >= 0xF0:
                size, prefix = 4, np.int64(-1)
                unsafe[t] = True
            elif lead >= 0xE0:
                size, prefix = 3, (lead << 8) | np.int64(data[r + 1])
                point = (
                    ((lead & 0x0F) << 12)
                    | ((np.int64(data[r + 1]) & 0x3F) << 6)
                    | (np.int64(data[r + 2]) & 0x3F)
                )
                unsafe[t] |= not safe[point]
            else:
                size, prefix = 2, lead
                unsafe[t] |= not safe[((lead & 0x1F) << 6) | (np.int64(data[r + 1]) & 0x3F)]
            mark = 0
            for row in range(len(_MARK_PREFIX)):
                if _MARK_PREFIX[row] == prefix:
                    mark = _MARK_ROW[row, data[r + size - 1]]
            if mark:
                for q in range(_PLAIN_AT[mark - 1], _PLAIN_AT[mark]):
                    buf[w] = _PLAIN[q]
                    w += 1
            else:
                for q in range(size):
                    buf[w + q] = data[r + q]
                w += size
            r += size
        ends[t] = w
        r = e + 1  # the line break between two texts
    buf[w:] = 0
    return buf, starts, ends, unsafe


def _prepared(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The texts as the compiled pass reads them: UTF-8 (NFKC first where they are not in it; lone
    surrogates as "?") with typography folded, one after another in a buffer, and where each starts and
    ends in it. The same bytes as `_plain_text`, whose NFKC check (`unicodedata`) only the texts
    `_fold_marks` picks need."""
    encoded = [text.encode("utf-8", "replace") for text in texts]
    buf, starts, ends, unsafe = _fold_marks(*_joined(encoded), _SAFE)
    if unsafe.any():
        changed = False
        for i in np.flatnonzero(unsafe).tolist():
            if not unicodedata.is_normalized("NFKC", texts[i]):
                encoded[i] = unicodedata.normalize("NFKC", texts[i]).encode("utf-8", "replace")
                changed = True
        if changed:
            buf, starts, ends, _ = _fold_marks(*_joined(encoded), _SAFE)
    return buf, starts, ends


def _folded(texts: Sequence[str]) -> list[bytes]:
    """Each text's bytes as the compiled passes see them: the compiled counterpart of `_plain_text`
    (for tests)."""
    buf, starts, ends = _prepared(texts)
    return [buf[s:e].tobytes() for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(every text's word hashes one after another, where each text's words start: len(texts) + 1)."""
    buf, starts, ends = _prepared(texts)
    words, bounds, *_ = _fingerprint_batch(buf, starts, ends, 1, 64)
    return words, bounds


@njit(cache=True, nogil=True)
def _cut_words(buf: np.ndarray, start: int, end: int, edges: np.ndarray) -> int:
    """The words of buf[start:end]: word q is buf[edges[2q]:edges[2q + 1]]; returns how many. Without a
    branch per byte (a word's edges are where a byte's class changes): word boundaries come every few
    bytes, too often to predict. edges: end - start + 2 long at least."""
    m = 0
    previous = np.uint8(0)
    text = buf[start:end]
    for i in range(len(text)):
        current = _WORD_U8[text[i]]
        edges[np.uint64(m)] = start + i  # unsigned: no wraparound to check
        m += current ^ previous
        previous = current
    edges[m] = end  # a word at the very end ends there
    return (m + 1) // 2


@njit(cache=True, nogil=True)
def _hash_words(buf: np.ndarray, edges: np.ndarray, m: int, out: np.ndarray, at: int) -> None:
    """The hashes of one text's m words (see `_cut_words`) into out[at:at + m]. A word's hash mixes its
    length and its first 24 bytes read as three little-endian 64-bit lanes, each byte with bit 5 set
    (ASCII case folded). Flags: bit 1 a sentence ends at the word (at . ! ? not followed by a word byte
    ("4.6" goes on), or a line break, within the three bytes after it and before the next word; and at
    the text's last word), bit 0 a key word (starting with a digit, or with a capital that does not
    open a sentence). Branches only where they are predictable (buf is padded: reads past a word are
    masked)."""
    opens = np.uint8(1)
    one = np.uint8(1)
    hashes = out[at : at + m]
    for q in range(m):
        start, end = edges[2 * q], edges[2 * q + 1]
        last = one if q == m - 1 else np.uint8(0)
        following = edges[2 * q + 2] if q + 1 < m else end
        # the bytes between two words are not word bytes: a stop is followed by one unless it is the
        # last before the next word
        if following == end + 1:  # most words: one byte to the next
            last |= _BREAK_U8[buf[np.uint64(end)]]
        else:
            for after in range(end, end + 3):
                byte = buf[np.uint64(after)]  # unsigned: no wraparound to check
                last |= _BREAK_U8[byte] & np.uint8(after < following)
                last |= _PUNCT_U8[byte] & np.uint8(after + 1 < following)
        length = end - start
        h = np.uint64(length) * _LEN_MUL
        h += ((_lane(buf, start) | _CASE_BITS) & _LANE_MASK[min(length, 8)]) * _LANE_MULS[0]
        if length > 8:
            for lane in range(1, _LANES):
                rest = min(max(length - 8 * lane, 0), 8)
                h += ((_lane(buf, start + 8 * lane) | _CASE_BITS) & _LANE_MASK[rest]) * _LANE_MULS[lane]
        h = _mix_one(h) >> np.uint64(32)
        first = buf[np.uint64(start)]
        key = _KEY_U8[first] & ((opens ^ one) | _DIGIT_U8[first])
        hashes[q] = np.uint32((h & np.uint64(0xFFFFFFFC)) | np.uint64(key | (last << one)))
        opens = last


@njit(cache=True, nogil=True)
def _sample(h: np.ndarray, anchor_rate: int, chosen: np.ndarray, out: np.ndarray, at: int) -> int:
    """`index_keys` of shingles h written to out[at:]; returns how many. chosen: scratch, len(h) at
    least."""
    n = len(h)
    rate = max(1, anchor_rate)
    if rate & (rate - 1) == 0:  # a power of two: a mask, not a division
        mask = np.uint64(rate - 1)
        for i in range(n):
            chosen[i] = h[i] & mask == 0
    else:
        divisor = np.uint64(rate)
        for i in range(n):
            chosen[i] = h[i] % divisor == 0
    best = -1
    for p in range(min(WINNOWED - WINDOW, n - WINDOW) + 1):
        # the leftmost smallest of h[p:p + WINDOW]: the last window's, unless it has left the window
        if best >= p:
            if h[p + WINDOW - 1] < h[best]:
                best = p + WINDOW - 1
        else:
            best = p
            for q in range(p + 1, p + WINDOW):
                if h[q] < h[best]:
                    best = q
        chosen[best] = True
    shift = np.uint64(64 - KEY_BITS)
    keys = out[at : at + n]
    c = 0
    for i in range(n):  # without a branch: written always, kept if chosen
        keys[np.uint64(c)] = np.int64(h[i] >> shift)
        c += chosen[i]
    if c < MIN_KEYS and n <= SHORT:
        for i in range(n):
            keys[i] = np.int64(h[i] >> shift)
        c = n
    keys = keys[:c]
    if c > 48:
        keys.sort()
    else:
        for i in range(1, c):
            v = keys[i]
            j = i - 1
            while j >= 0 and keys[j] > v:
                keys[j + 1] = keys[j]
                j -= 1
            keys[j + 1] = v
    u = 0
    for i in range(c):
        if i == 0 or keys[i] != keys[u - 1]:
            keys[u] = keys[i]
            u += 1
    return u


@njit(cache=True, nogil=True)
def index_keys(h: np.ndarray, anchor_rate: int) -> np.ndarray:
    """The index keys of one text from its shingles (sorted, unique): a content-defined sample, dense
    in the lead and sparse after it. The smallest hash of every window of `WINDOW` shingles in the first
    `WINNOWED` (winnowing: any dozen words a short excerpt shares with the start of its article make a
    key both have), after that the shingles whose hash is 0 modulo `anchor_rate`; a text too short to
    sample is indexed whole."""
    out = np.empty(len(h), np.int64)
    return out[: _sample(h, anchor_rate, np.zeros(len(h), np.bool_), out, 0)].copy()


@njit(cache=True, nogil=True)
def _fingerprint_batch(
    buf: np.ndarray, starts: np.ndarray, ends: np.ndarray, k: int, anchor_rate: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Words, shingles and keys of the folded texts buf[starts[i]:ends[i]], text by text: (word hashes,
    where each text's start (len + 1), shingles at their first word's place, where each text's stop,
    index keys, where each text's start (len + 1))."""
    texts = len(starts)
    longest = 0
    total = 0
    for t in range(texts):
        longest = max(longest, ends[t] - starts[t])
        total += ends[t] - starts[t]
    edges = np.empty(longest + 2, np.int64)  # one text's words (see `_cut_words`)
    chosen = np.empty(longest // 2 + 1, np.bool_)
    plain = np.empty(longest // 2 + 1, np.uint64)
    cap = total // 5 + 64
    words = np.empty(cap, np.uint32)
    shingles = np.empty(cap, np.uint64)
    keys = np.empty(cap // 8 + 64, np.int64)
    bounds = np.zeros(texts + 1, np.int64)
    stops = np.empty(texts, np.int64)
    key_bounds = np.zeros(texts + 1, np.int64)
    n = 0
    nk = 0
    for t in range(texts):
        m = _cut_words(buf, starts[t], ends[t], edges)
        if n + m > len(words):
            grown = max(2 * len(words), n + m)
            more_words = np.empty(grown, np.uint32)
            more_words[:n] = words[:n]
            words = more_words
            more_shingles = np.empty(grown, np.uint64)
            more_shingles[:n] = shingles[:n]
            shingles = more_shingles
        _hash_words(buf, edges, m, words, n)
        runs = _shingle_text(words[n : n + m], k, plain, shingles[n : n + m])
        if nk + runs > len(keys):
            more_keys = np.empty(max(2 * len(keys), nk + runs), np.int64)
            more_keys[:nk] = keys[:nk]
            keys = more_keys
        nk += _sample(shingles[n : n + runs], anchor_rate, chosen, keys, nk)
        stops[t] = n + runs
        n += m
        bounds[t + 1] = n
        key_bounds[t + 1] = nk
    # the fingerprints view these arrays and keep them alive: not much more of them than they use
    words, shingles = (
        (words[:n], shingles[:n]) if 4 * n >= 3 * len(words) else (words[:n].copy(), shingles[:n].copy())
    )
    keys = keys[:nk] if 4 * nk >= 3 * len(keys) else keys[:nk].copy()
    return words, bounds, shingles, stops, keys, key_bounds


def fingerprint_texts(
    texts: Sequence[str], shingle_words: int = 5, anchor_rate: int = 64
) -> list[Fingerprint]:
    """Fingerprints of a batch of texts (see `fingerprint_batch`)."""
    return list(fingerprint_batch(texts, shingle_words, anchor_rate))


def fingerprint_batch(texts: Sequence[str], shingle_words: int = 5, anchor_rate: int = 64) -> Fingerprints:
    """Fingerprints of a batch of texts: one compiled call a few hundred texts at a time (arrays that
    stay in cache) cuts, hashes and shingles the words and samples the keys; the batch keeps its arrays
    and makes a text's `Fingerprint` (views of them) only when one is asked for."""
    k = max(1, min(shingle_words, MAX_SHINGLE_WORDS))
    parts = []
    for first in range(0, len(texts), SUB_BATCH):
        buf, starts, ends = _prepared(texts[first : first + SUB_BATCH])
        parts.append(_fingerprint_batch(buf, starts, ends, k, anchor_rate))
    return Fingerprints(parts, anchor_rate)


_NEW = object.__new__
_SLOTS = tuple(
    getattr(Fingerprint, name).__set__
    for name in ("words", "shingles", "anchor_rate", "stored_keys", "_keys")
)

Part = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class Fingerprints(Sequence[Fingerprint]):
    """A batch's fingerprints in the arrays they were made in, part by part (as `_fingerprint_batch`
    gives them: words, where each text's start, shingles at their first word's place, where each text's
    stop, keys, where each text's start). `fold.place` reads the arrays whole; a `Fingerprint` (views of
    them) is made only for who asks for one."""

    def __init__(self, parts: list[Part], anchor_rate: int, stored_keys: np.ndarray | None = None) -> None:
        self.parts = parts
        self.anchor_rate = anchor_rate
        self.firsts = [0]
        for part in parts:
            self.firsts.append(self.firsts[-1] + len(part[3]))
        n = self.firsts[-1]
        self.stored_keys = np.full(n, -1, dtype=np.int64) if stored_keys is None else stored_keys

    @classmethod
    def of(cls, fps: Sequence[Fingerprint]) -> Fingerprints:
        """The batch of these fingerprints (they all have the anchor rate of the first)."""
        if isinstance(fps, Fingerprints):
            return fps
        words = [fp.words for fp in fps]
        bounds = np.zeros(len(fps) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, words), dtype=np.int64, count=len(fps)), out=bounds[1:])
        shingles = np.zeros(int(bounds[-1]), dtype=np.uint64)
        stops = bounds[:-1].copy()
        for i, fp in enumerate(fps):
            shingles[bounds[i] : bounds[i] + len(fp.shingles)] = fp.shingles
            stops[i] += len(fp.shingles)
        keys = [fp.keys for fp in fps]
        key_bounds = np.zeros(len(fps) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, keys), dtype=np.int64, count=len(fps)), out=key_bounds[1:])
        part = (
            np.concatenate(words).astype(np.uint32) if fps else np.zeros(0, dtype=np.uint32),
            bounds,
            shingles,
            stops,
            np.concatenate(keys).astype(np.int64) if fps else np.zeros(0, dtype=np.int64),
            key_bounds,
        )
        rate = fps[0].anchor_rate if fps else 64
        stored = np.fromiter((fp.stored_keys for fp in fps), dtype=np.int64, count=len(fps))
        return cls([part], rate, stored)

    def __len__(self) -> int:
        return self.firsts[-1]

    @overload
    def __getitem__(self, index: int) -> Fingerprint: ...

    @overload
    def __getitem__(self, index: slice) -> list[Fingerprint]: ...

    def __getitem__(self, index: int | slice) -> Fingerprint | list[Fingerprint]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("fingerprint index out of range")
        at = bisect.bisect_right(self.firsts, index) - 1
        words, bounds, shingles, stops, keys, key_bounds = self.parts[at]
        i = index - self.firsts[at]
        set_words, set_shingles, set_rate, set_stored, set_keys = _SLOTS
        fp = _NEW(Fingerprint)  # slot by slot: a frozen dataclass's __init__ costs as much again
        set_words(fp, words[bounds[i] : bounds[i + 1]])
        set_shingles(fp, shingles[bounds[i] : stops[i]])
        set_rate(fp, self.anchor_rate)
        set_stored(fp, int(self.stored_keys[index]))
        set_keys(fp, [keys[key_bounds[i] : key_bounds[i + 1]]])
        return fp

    def word_starts(self) -> np.ndarray:
        """Where each text's words start, the texts' words one after another (len + 1)."""
        out = np.zeros(len(self) + 1, dtype=np.int64)
        used = 0
        for (words, bounds, *_), first, last in self._places():
            out[first + 1 : last + 1] = bounds[1:] + used
            used += len(words)
        return out

    def shingle_stops(self) -> np.ndarray:
        """Where each text's shingles stop, the texts' words (and shingles at their places) one after
        another."""
        out = np.empty(len(self), dtype=np.int64)
        used = 0
        for (words, _, _, stops, *_), first, last in self._places():
            out[first:last] = stops + used
            used += len(words)
        return out

    def fill(self, words_out: np.ndarray, shingles_out: np.ndarray) -> int:
        """Copy the texts' words and shingles (at their words' places) one after another; how many."""
        used = 0
        for words, _, shingles, *_ in self.parts:
            words_out[used : used + len(words)] = words
            shingles_out[used : used + len(words)] = shingles[: len(words)]
            used += len(words)
        return used

    def all_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Every text's keys one after another, and where each text's start (len + 1)."""
        starts = np.zeros(len(self) + 1, dtype=np.int64)
        used = 0
        for part, first, last in self._places():
            key_bounds = part[5]
            starts[first + 1 : last + 1] = key_bounds[1:] + used
            used += int(key_bounds[-1])
        flat = [part[4][: part[5][-1]] for part in self.parts]
        return (np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)), starts

    def _places(self) -> Iterator[tuple[Part, int, int]]:
        """Each part, and its first and last texts (last excluded) in the batch."""
        return zip(self.parts, self.firsts, self.firsts[1:], strict=False)


@njit(cache=True, nogil=True)
def _shingle_text(words: np.ndarray, k: int, plain: np.ndarray, out: np.ndarray) -> int:
    """The shingles of one text's words into out[:runs]; returns runs. plain: scratch, len(words) at
    least. A text shorter than `k` words is one shingle of all of them. Indices count from 0 in views
    (no wraparound to check): loops the compiler vectorises without gathers."""
    m = len(words)
    width = min(k, m)
    runs = m - width + 1 if m else 0
    for p in range(m):
        plain[p] = np.uint64(words[p] >> 2) + np.uint64(1)  # a word's hash without its flags, never 0
    for p in range(runs):
        out[p] = 0
    for j in range(width):  # word by word across the text
        weight = _SHINGLE_MULS[j]
        for p in range(runs):
            out[p] += plain[p + j] * weight
    for p in range(runs):
        out[p] = _mix_one(out[p])
    return runs


@njit(cache=True, nogil=True)
def shingles_in_place(words: np.ndarray, starts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingles of texts whose word hashes lie one after another (text i: starts[i] to
    starts[i + 1]), each text's at the positions of its words: (shingles, where each text's stop).
    A text shorter than `k` words is one shingle of all of them."""
    out = np.zeros(len(words), np.uint64)
    return out, shingles_into(words, starts, k, out)


@njit(cache=True, nogil=True)
def shingles_into(words: np.ndarray, starts: np.ndarray, k: int, out: np.ndarray) -> np.ndarray:
    """`shingles_in_place` written into `out` (as long as `words` at least; what lies past a text's
    stop is left as it was): where each text's stop."""
    stops = np.empty(len(starts) - 1, np.int64)
    longest = 0
    for i in range(len(starts) - 1):
        longest = max(longest, starts[i + 1] - starts[i])
    plain = np.empty(longest, np.uint64)
    for i in range(len(starts) - 1):
        start, end = starts[i], starts[i + 1]
        stops[i] = start + _shingle_text(words[start:end], k, plain, out[start:end])
    return stops


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
