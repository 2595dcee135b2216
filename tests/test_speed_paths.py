"""The fast paths of matching give the same answers as the plain ones they replace."""

from __future__ import annotations

import numpy as np
import pytest

from factbench.matching import blocking


def _corpus(n: int, seed: int = 3, dup: int = 0) -> list[str]:
    """Short texts over a small vocabulary (many near-duplicates), plus ``dup`` copies of one text."""
    rng = np.random.default_rng(seed)
    words = [f"w{k}" for k in range(300)] + ["the", "of", "and"]
    p = 1.0 / np.arange(1, len(words) + 1)
    p /= p.sum()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(3, 12)), p=p)) for _ in range(n)]
    texts += ["the same boilerplate sentence again"] * dup
    texts += ["", "x\x01y z"]  # an empty text; a text holding the marker character
    return texts


def _full_product(texts, *, floor=0.15, cap=200, max_df=0.02):
    """The earlier blocking: sklearn's TF-IDF, each row against all columns, its top ``cap`` kept."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sparse_dot_topn import sp_matmul_topn

    n = len(texts)
    x = TfidfVectorizer(analyzer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True,
                        dtype=np.float32).fit_transform(texts).tocsr()
    cap_df = int(max(100, min(1000, max_df * n)))
    if n > cap_df:
        frequent = np.bincount(x.indices, minlength=x.shape[1]) > cap_df
        x.data[frequent[x.indices]] = 0
        x.eliminate_zeros()
    c = sp_matmul_topn(x, x.T, top_n=cap, threshold=floor).tocoo()
    i, j = np.minimum(c.row, c.col).astype(np.int64), np.maximum(c.row, c.col).astype(np.int64)
    key = blocking.unique_keys(i[i != j] * n + j[i != j])
    return key // n, key % n


@pytest.mark.parametrize("marker,part", [(False, 100_000), (True, 100_000), (False, 250)])
def test_tfidf_equals_sklearn(marker, part):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = _corpus(3000)
    texts = texts if marker else texts[:-1]  # with a text holding the marker, text by text; else one split
    want = TfidfVectorizer(analyzer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True,
                           dtype=np.float32).fit_transform(texts).tocsr()
    got = blocking.tfidf(texts, part=part)  # part=250: words counted in parts, one vocabulary
    assert got.shape == want.shape and got.dtype == want.dtype
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)  # the same float32 values, bit for bit
    assert blocking.tfidf(["", " "]) is None


@pytest.mark.parametrize("cap,dup,chunk", [(200, 0, 20000), (200, 0, 97), (12, 40, 97), (5, 0, 64)])
def test_upper_triangle_gives_the_full_products_pairs(cap, dup, chunk):
    texts = _corpus(1500, dup=dup)
    want_i, want_j = _full_product(texts, cap=cap)
    got_i, got_j = blocking.candidate_pairs(texts, cap=cap, chunk=chunk)
    assert len(want_i) > 1000  # the corpus has many candidate pairs, so the comparison means something
    assert set(zip(got_i.tolist(), got_j.tolist())) == set(zip(want_i.tolist(), want_j.tolist()))
    assert np.all(got_i < got_j)
