"""The sort-based set operations fold and the store use in place of numpy's hashing ones."""

from __future__ import annotations

import numpy as np
import pytest

from tidings.arrays import unique, unique_inverse, within


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1000])
def test_unique_is_numpys(size: int) -> None:
    rng = np.random.default_rng(size)
    values = rng.integers(-(2**62), 2**62, size)
    values = np.concatenate([values, values[: size // 2], -values[: size // 3]])
    assert np.array_equal(unique(values), np.unique(values))
    small = rng.integers(0, 5, size).astype(np.int32)
    out = unique(small)
    assert out.dtype == np.int32
    assert np.array_equal(out, np.unique(small))
    ascending = np.unique(values)  # already distinct and in order: the same values back
    assert np.array_equal(unique(ascending), ascending)
    if size >= 2:  # in order but with a value twice: sorted and made distinct all the same
        assert np.array_equal(unique(np.sort(np.concatenate([ascending, ascending[:1]]))), ascending)


def test_unique_keeps_the_input() -> None:
    values = np.array([3, 1, 3, 2], dtype=np.int64)
    assert unique(values).tolist() == [1, 2, 3]
    assert values.tolist() == [3, 1, 3, 2]


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1000])
def test_unique_inverse_is_numpys(size: int) -> None:
    rng = np.random.default_rng(size + 7)
    values = rng.integers(-(2**40), 2**40, size)
    values = np.concatenate([values, values[: size // 2], values[: size // 5]])
    rng.shuffle(values)
    distinct, inverse = unique_inverse(values)
    expected, expected_inverse = np.unique(values, return_inverse=True)
    assert np.array_equal(distinct, expected)
    assert inverse.dtype == np.int64
    assert np.array_equal(inverse, expected_inverse)
    assert np.array_equal(distinct[inverse], values)


@pytest.mark.parametrize("size", [0, 1, 50, 1000])
def test_within_is_isin(size: int) -> None:
    rng = np.random.default_rng(size + 1)
    ascending = np.unique(rng.integers(0, 3 * size + 1, size))
    values = rng.integers(-1, 3 * size + 3, 2 * size + 3)  # below, inside and past the ends
    assert np.array_equal(within(values, ascending), np.isin(values, ascending))
    assert within(values[:0], ascending).shape == (0,)
