"""Fingerprints made by the compiled path are the ones a plain reference makes: typography folded on
UTF-8 bytes as `_plain_text` folds it (NFKC, then the marks), word hashes, shingles and index keys as
the first implementation defined them (stored copies keep word hashes and the index keeps keys, so any
change in them would break folding against what is stored)."""

from __future__ import annotations

import random
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from tests.numba_support import run_bounds_checked
from tidings.fold import fingerprint as fp
from tidings.fold.fingerprint import (
    _MARKS,
    _SAFE,
    KEY_BITS,
    MIN_KEYS,
    SHORT,
    WINDOW,
    WINNOWED,
    _folded,
    _plain_text,
    fingerprint_texts,
    index_keys,
    shingles_in_place,
    word_hashes,
)

M64 = (1 << 64) - 1
ZERO_WIDTH = "\u200b\u200c\u200d\ufeff"


def _mix(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & M64
    return h ^ (h >> 33)


def _reference_words(data: bytes) -> list[int]:
    """One text's word hashes from its folded bytes, as the first implementation made them."""
    spans = [m.span() for m in re.finditer(rb"[0-9A-Za-z_\x80-\xff]+", data)]
    padded = data + bytes(4)

    def word_byte(b: int) -> bool:
        return bool(re.fullmatch(rb"[0-9A-Za-z_\x80-\xff]", bytes([b])))

    out: list[int] = []
    last_before = True
    for w, (start, end) in enumerate(spans):
        following = spans[w + 1][0] if w + 1 < len(spans) else len(data) + 1
        last = w == len(spans) - 1 or any(
            at < following and padded[at] in b".!?\n" and (padded[at] == 10 or not word_byte(padded[at + 1]))
            for at in range(end, end + 3)
        )
        length = end - start
        h = (length * 0x27D4EB2F165667C5) & M64
        for lane, mul in enumerate((0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)):
            chunk = data[start + 8 * lane : min(end, start + 8 * lane + 8)]
            value = int.from_bytes(bytes(b | 0x20 for b in chunk), "little")
            h = (h + value * mul) & M64
        h = _mix(h) >> 32
        first = data[start]
        is_key = (48 <= first <= 57) or (65 <= first <= 90 and not last_before)
        out.append((h & 0xFFFFFFFC) | (1 if is_key else 0) | (2 if last else 0))
        last_before = last
    return out


_SHINGLE_MUL = (
    0x9FB21C651E98DF25,
    0xD6E8FEB86659FD93,
    0xA0761D6478BD642F,
    0xE7037ED1A0B428DB,
    0x8EBC6AF09C88C6E3,
    0x589965CC75374CC3,
    0x1D8E4E27C47D124F,
    0xB492B66FBE98F273,
)


def _reference_shingles(words: list[int], k: int) -> list[int]:
    width = min(k, len(words))
    runs = len(words) - width + 1 if words else 0
    return [
        _mix(sum(((words[p + j] >> 2) + 1) * _SHINGLE_MUL[j] for j in range(width)) & M64)
        for p in range(runs)
    ]


def _reference_keys(h: list[int], anchor_rate: int) -> list[int]:
    n = len(h)
    chosen = [x % max(1, anchor_rate) == 0 for x in h]
    for p in range(min(WINNOWED - WINDOW, n - WINDOW) + 1):
        window = h[p : p + WINDOW]
        chosen[p + window.index(min(window))] = True  # the leftmost smallest
    picked = [x for x, c in zip(h, chosen, strict=True) if c]
    if len(picked) < MIN_KEYS and n <= SHORT:
        picked = h
    return sorted({x >> (64 - KEY_BITS) for x in picked})


def _reference_fold(text: str) -> bytes:
    """`_plain_text` spelled out once more: NFKC where the text is not in it, then every mark."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for mark, plain in _MARKS:
            text = text.replace(mark, plain)
    return text.encode("utf-8", "replace")


def _hostile_texts() -> list[str]:
    marks = "".join(mark for mark, _ in _MARKS)
    texts = [
        "",
        " ",
        "\n",
        "\0",
        "a\0b \0 c",
        ZERO_WIDTH,
        ZERO_WIDTH * 50,
        marks,
        marks[::-1] + " end",
        "\u201cQuoted\u201d \u2014 it\u2019s \u2026 fine\u00a0here. \u00abNon\u00bb \u2212 4\u20136",
        "\u2026start and end\u2026",
        "\u2018\u2019\u201c\u201d",
        "ﬁne ﬂow １２３ Ｆｕｌｌ ㎏ ½ ²",
        "\ud800 lone \udfff surrogates \udbff\udc00",
        "日本語のテキスト。中文，한국어 텍스트",
        "emoji 😀 test 🎉. flags 🇫🇷 zwj 👩\u200d💻",
        "e\u0301 cafe\u0301 A\u030a \u1100\u1161\u11a8 \u304b\u3099",
        "x\u2026\u0301 \u00a0\u0301 \u2011\u0338 \u2033\u00b4",
        "\u2026\u00a0\u2011 ok",
        "Sentence one. Sentence two! Three? 4.6 million\nNew line. U.S. A. B.",
        "word" * 10 + " " + "ß" * 20 + " " + "x" * 25 + " short",
        "£100 © 2024 \u00e9t\u00e9 na\u00efve",
        "\u0394\u03b5\u03bb\u03c4\u03af\u03bf \u041f\u0440\u0438\u0432\u0435\u0442",
    ]
    texts += [mark for mark, _ in _MARKS]
    texts += [f"{mark}word{mark} and{mark}{mark}more {mark}" for mark, _ in _MARKS]
    rng = random.Random(4)
    alphabet = list("aZ9_ .!?\n,-'\"") + [m for m, _ in _MARKS] + list("é£©ßΩЖ中\u0301\u0338😀\ud800ﬁ１")
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))) for _ in range(400)]
    return texts


def test_every_mark_folds_to_its_plain_replacement() -> None:
    """Hand-written bytes, not the module's own tables: a wrong replacement fails here."""
    text = "\u201ca\u201d \u2018b\u2019 \u2013 \u2014 \u2212 \u2026 x\u00a0y z\u200bw"
    text += " \ufeff\u00abq\u00bb \u2032 \u2011"
    assert _folded([text]) == [b'"a" \'b\' - - - ... x y zw "q" \' -']
    # NFKC first: ″ is ′′, ´ a space and an accent
    assert _folded(["\u2033 \u00b4"]) == ["''  \u0301".encode()]
    assert _folded([ZERO_WIDTH, "", "\u2026"]) == [b"", b"", b"..."]


def test_compiled_folding_is_the_python_reference() -> None:
    texts = _hostile_texts()
    got = _folded(texts)
    assert got == [_plain_text(t) for t in texts]
    assert got == [_reference_fold(t) for t in texts]


def test_compiled_folding_of_a_huge_text() -> None:
    text = ("Le \u201cport\u201d \u2014 d\u2019\u00e9t\u00e9\u2026 \u200b" * 50000)[:1_000_000]
    assert len(text) == 1_000_000
    assert _folded([text, "", text[::-1]]) == [_plain_text(text), b"", _plain_text(text[::-1])]


def test_texts_skipping_the_nfkc_check_are_unchanged_by_it() -> None:
    """A text made only of code points the safe table vouches for comes out of NFKC and the folding as
    it does out of the folding alone; and no safe code point is the second of a canonical composition
    (which NFKC's quick check would have to look at twice)."""
    safe = [chr(p) for p in np.flatnonzero(_SAFE).tolist()]
    assert len(safe) > 3000
    folds = dict(_MARKS)
    for char in safe:
        for text in (char, f"a{char}b", f"{char}{char}", f"\u00e9{char}"):
            assert _plain_text(text) == "".join(folds.get(c, c) for c in text).encode(), hex(ord(char))
    rng = random.Random(5)
    for _ in range(2000):
        text = "".join(rng.choice(safe) for _ in range(rng.randint(1, 30)))
        assert _plain_text(text) == "".join(folds.get(c, c) for c in text).encode()
    seconds = {*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)}  # Hangul jamo compose by rule, not by table
    for point in range(0x110000):
        parts = unicodedata.decomposition(chr(point)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    assert not [hex(p) for p in seconds if p < 0x10000 and _SAFE[p]]
    assert {0x0301, 0x0338, 0x3099, 0x0B3E, 0x0CD5} <= seconds  # the enumeration finds them


def test_the_nfkc_check_runs_where_it_must() -> None:
    """Texts with a code point outside the safe table go through `unicodedata` (and come out in NFKC)."""
    texts = ["plain", "caf\u00e9", "e\u0301", "ﬁ", "😀", "\u2033", "\u1100\u1161", "\u2026\u00a0"]
    flagged = fp._fold_marks(*fp._joined([t.encode("utf-8", "replace") for t in texts]), _SAFE)[3].tolist()
    assert flagged == [False, False, True, True, True, True, True, False]
    assert _folded(texts) == [b"plain", "caf\u00e9".encode(), "\u00e9".encode(), b"fi", "😀".encode(), b"''",
                              "\uac00".encode(), b"... "]  # fmt: skip


@pytest.mark.parametrize(("k", "rate"), [(5, 64), (1, 1), (3, 7), (8, 2), (12, 100)])
def test_fingerprints_are_the_reference_ones(k: int, rate: int) -> None:
    rng = random.Random(k * 1000 + rate)
    words = ["the", "The", "Port", "4.6", "9", "a", "ÉTÉ", "x" * 9, "y" * 17, "Z" * 30, "d\u2019\u00e9t"]
    seps = [" ", " ", ". ", "! ", "? ", "\n", ", ", " \u2014 ", "...", ".\n", " \u201c", "\u201d. "]
    texts = _hostile_texts()[:60] + [
        "".join(rng.choice(words) + rng.choice(seps) for _ in range(rng.randint(0, 300))) for _ in range(300)
    ]
    texts.append("The harbour " * 3000)  # one long text among short ones: scratch grows
    got = fingerprint_texts(texts, k, rate)  # more than one sub-batch
    assert len(got) == len(texts)
    for text, f in zip(texts, got, strict=True):
        words_ = _reference_words(_reference_fold(text))
        shingles = _reference_shingles(words_, max(1, min(k, 8)))
        assert f.words.tolist() == words_, text[:80]
        assert f.shingles.tolist() == shingles, text[:80]
        assert f.keys.tolist() == _reference_keys(shingles, rate), text[:80]
        assert (f.words.dtype, f.shingles.dtype, f.keys.dtype) == (np.uint32, np.uint64, np.int64)
        assert index_keys(f.shingles, rate).tolist() == f.keys.tolist()
        assert f.anchor_rate == rate


def test_word_hashes_and_shingles_in_place_agree_with_fingerprints() -> None:
    texts = [t for t in _hostile_texts() if t][:200]
    fps = fingerprint_texts(texts)
    words, bounds = word_hashes(texts)
    assert words.tolist() == [w for f in fps for w in f.words.tolist()]
    assert np.diff(bounds).tolist() == [len(f.words) for f in fps]
    shingled, stops = shingles_in_place(words, bounds, 5)
    for i, f in enumerate(fps):
        assert shingled[bounds[i] : stops[i]].tolist() == f.shingles.tolist()


def test_empty_batches_and_odd_texts() -> None:
    assert fingerprint_texts([]) == []
    words, bounds = word_hashes([])
    assert (len(words), bounds.tolist()) == (0, [0])
    empty, marks_only, nul = fingerprint_texts(["", ZERO_WIDTH + "\u2014\u2026", "\0\0"])
    assert len(empty.words) == len(empty.shingles) == len(empty.keys) == 0
    assert len(marks_only.words) == len(nul.words) == 0


def test_the_compiled_passes_stay_inside_their_arrays(tmp_path: Path) -> None:
    """Compiled code does not check its indices: here the passes run with numba's bounds checks (and a
    cache of their own) over the hostile texts, a 1 MB one among them; an index out of range is an
    IndexError and the process fails."""
    script = (
        "from tests.test_fold_fingerprint import _hostile_texts\n"
        "from tidings.fold.fingerprint import _folded, fingerprint_texts, index_keys, word_hashes\n"
        "texts = _hostile_texts() + ['Le \\u201cport\\u201d \\u2014 d\\u2019\\u00e9t\\u2026 ' * 50000]\n"
        "fps = fingerprint_texts(texts) + fingerprint_texts(texts[::-1], 3, 7)\n"
        "word_hashes(texts)\n"
        "_folded(texts)\n"
        "print('fingerprinted', len(fps), sum(len(index_keys(f.shingles, 64)) for f in fps))\n"
    )
    assert run_bounds_checked(script, tmp_path).startswith("fingerprinted")


def test_a_batch_reads_as_its_fingerprints_and_as_flat_arrays() -> None:
    """`fingerprint_batch` keeps its sub-batches' arrays: each fingerprint it hands out, and the flat
    arrays `fold.place` reads, are the ones `fingerprint_texts` gives text by text; `Fingerprints.of` a
    list of fingerprints (some read back from the store) reads the same."""
    rng = random.Random(11)
    texts = _hostile_texts() + [
        " ".join(
            rng.choice(["port", "dredging", "4.6", "\u2014", "x" * 12]) for _ in range(rng.randint(0, 80))
        )
        for _ in range(2 * fp.SUB_BATCH + 17)
    ]
    batch = fp.fingerprint_batch(texts, 3, 7)
    listed = fingerprint_texts(texts, 3, 7)
    assert len(batch) == len(listed) == len(texts)
    assert len(batch.parts) == -(-len(texts) // fp.SUB_BATCH) > 1
    for i in (0, len(texts) - 1, fp.SUB_BATCH - 1, fp.SUB_BATCH, -1, -len(texts)):
        assert batch[i].words.tolist() == listed[i].words.tolist()
        assert batch[i].shingles.tolist() == listed[i].shingles.tolist()
        assert batch[i].keys.tolist() == listed[i].keys.tolist()
        assert batch[i].anchor_rate == 7
    assert [f.key_count for f in batch[5:40:3]] == [f.key_count for f in listed[5:40:3]]
    for outside in (len(texts), -len(texts) - 1):
        with pytest.raises(IndexError):
            batch[outside]
    stored = [*listed[:3], fp.Fingerprint(listed[3].words, listed[3].shingles, 7, stored_keys=9), *listed[4:]]
    for whole in (batch, fp.Fingerprints.of(stored)):
        starts = whole.word_starts()
        assert starts.tolist() == np.cumsum([0, *(len(f.words) for f in listed)]).tolist()
        words = np.empty(int(starts[-1]), dtype=np.uint32)
        shingles = np.empty(int(starts[-1]), dtype=np.uint64)
        assert whole.fill(words, shingles) == len(words)
        stops = whole.shingle_stops()
        keys, key_starts = whole.all_keys()
        for i, f in enumerate(listed):
            assert words[starts[i] : starts[i + 1]].tolist() == f.words.tolist()
            assert shingles[starts[i] : stops[i]].tolist() == f.shingles.tolist()
            assert keys[key_starts[i] : key_starts[i + 1]].tolist() == f.keys.tolist()
    assert fp.Fingerprints.of(stored).stored_keys.tolist() == [-1, -1, -1, 9] + [-1] * (len(texts) - 4)
    assert fp.Fingerprints.of(batch) is batch
    empty = fp.fingerprint_batch([])
    assert len(empty) == 0
    assert empty.word_starts().tolist() == [0]
    assert empty.all_keys()[0].shape == (0,)
    assert len(fp.Fingerprints.of([])) == 0
