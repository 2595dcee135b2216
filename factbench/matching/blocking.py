"""Blocking: which claim pairs are worth scoring at all, without an N×N matrix.

TF-IDF over the normalised words (words in more than ~1,000 claims pruned after normalising), a
chunked, multi-threaded sparse cosine product (sparse_dot_topn), and every neighbour above a
similarity floor kept (a fixed top-k would starve dense neighbourhoods; a generous cap only guards
memory).

>>> i, j = candidate_pairs(["russia ukraine swap 84 prisoners", "ukraine russia swap 84 prisoners", "oil prices rose"])
>>> list(zip(i.tolist(), j.tolist()))
[(0, 1)]
"""

from __future__ import annotations

import os

import numpy as np


def candidate_pairs(texts: list[str], *, groups: np.ndarray | None = None, articles: np.ndarray | None = None,
                    floor: float = 0.15, cap: int = 200, chunk: int = 20000, max_df: float = 0.02,
                    progress: bool = False, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate index pairs (i < j) whose TF-IDF cosine is at least ``floor``.

    ``groups`` (e.g. outlets): pairs inside one group are dropped; ``articles``: pairs inside one
    article are always dropped. Memory is bounded by ``chunk`` rows at a time and ``cap``
    neighbours per row. The product runs in sparse_dot_topn's threads (default: all cores)."""
    threads = threads or os.cpu_count() or 1
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # TF-IDF over the whole vocabulary, L2-normalised; then the words in more than
    # max(100, min(1000, max_df * n)) claims are dropped from the product. Dropping them after the
    # normalisation keeps each pair's partial cosine at most its true cosine, so one shared rare word
    # does not make two long sentences look alike; the cap keeps the product near linear in n.
    # the tokens are the runs of non-space characters: str.split gives exactly what the regex [^\s]+ did
    # (Python's \s is str.isspace) without sklearn's per-document regex and n-gram layers
    vec = TfidfVectorizer(analyzer=str.split, token_pattern=None, lowercase=False, sublinear_tf=True,
                          dtype=np.float32, min_df=1)
    try:
        x = vec.fit_transform(texts).tocsr()
    except ValueError:  # no vocabulary left (all texts empty)
        return np.empty(0, np.int64), np.empty(0, np.int64)
    del vec
    cap_df = int(max(100, min(1000, max_df * n)))
    if n > cap_df:  # drop the frequent words in place (no copy of the matrix)
        frequent = np.bincount(x.indices, minlength=x.shape[1]) > cap_df
        x.data[frequent[x.indices]] = 0
        x.eliminate_zeros()
    xt = x.T  # a CSC view of x, no copy
    left, right = [], []
    from sparse_dot_topn import sp_matmul_topn
    from tqdm.auto import tqdm

    for start in tqdm(range(0, n, chunk), desc="blocking", unit="chunk", disable=not progress or n <= chunk):
        # every neighbour above the floor, at most `cap` per row (a memory guard far above real cluster
        # sizes); multi-threaded C++, never a dense matrix
        block = sp_matmul_topn(x[start:start + chunk], xt, top_n=cap, threshold=floor, n_threads=threads).tocoo()
        r = block.row.astype(np.int64) + start
        c = block.col.astype(np.int64)
        i, j = np.minimum(r, c), np.maximum(r, c)  # a pair may come from either of its rows
        keep = i != j
        if articles is not None:
            keep &= articles[i] != articles[j]
        if groups is not None:
            keep &= groups[i] != groups[j]
        left.append(i[keep])
        right.append(j[keep])
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key = unique_keys(np.concatenate(left) * np.int64(n) + np.concatenate(right))
    return key // n, key % n


def unique_keys(key: np.ndarray) -> np.ndarray:
    """The distinct values of an int64 array, sorted: each pair once as one key i*n+j. A plain sort and
    a mask take 0.16 s for 5.7M keys where np.unique(axis=1) on the pair arrays takes 6-9 s and
    np.unique on the keys (numpy 2.4) 7 s.

    >>> unique_keys(np.array([5, 3, 5, 1])).tolist()
    [1, 3, 5]
    """
    s = np.sort(key)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s


