"""Blocking: which claim pairs are worth scoring at all, without an N×N matrix.

TF-IDF over the normalised words (words in more than ~1,000 claims pruned after normalising), a
chunked, multi-threaded sparse cosine product (sparse_dot_topn) over the upper triangle only (each
pair computed once), and every neighbour above a similarity floor kept (a fixed top-k would starve
dense neighbourhoods; a generous cap only guards memory).

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
    neighbours per row: a pair is kept when it is among the ``cap`` most similar of either of its rows.
    The product runs in sparse_dot_topn's threads (default: all cores)."""
    threads = threads or os.cpu_count() or 1
    n = len(texts)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    x = blocking_matrix(texts, max_df=max_df)
    if x is None:  # no vocabulary (all texts empty)
        return np.empty(0, np.int64), np.empty(0, np.int64)
    from tqdm.auto import tqdm

    key = _upper_pairs(x, floor=floor, cap=cap, chunk=chunk, threads=threads,
                       bar=tqdm(total=n, desc="blocking", unit="claim", disable=not progress or n <= chunk))
    if not len(key):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return across(key // n, key % n, groups=groups, articles=articles)


def across(r: np.ndarray, c: np.ndarray, *, groups=None, articles=None) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (i < j) of rows ``r`` and ``c`` (either order) that join two different rows, not inside one
    of ``groups`` nor one of ``articles``.

    >>> i, j = across(np.array([3, 0, 2, 0]), np.array([0, 0, 3, 1]), articles=np.array(["a", "a", "b", "b"]))
    >>> list(zip(i.tolist(), j.tolist()))
    [(0, 3)]
    """
    i, j = np.minimum(r, c), np.maximum(r, c)  # a pair may come from either of its rows
    keep = i != j
    if articles is not None:
        keep &= articles[i] != articles[j]
    if groups is not None:
        keep &= groups[i] != groups[j]
    return i[keep], j[keep]


def blocking_matrix(texts: list[str], *, max_df: float = 0.02):
    """The matrix the blocking multiplies: :func:`tfidf` of ``texts`` with the words in more than
    ``max(100, min(1000, max_df * n))`` texts dropped after normalising (``None`` without vocabulary).
    Dropping them after the normalisation keeps each pair's partial cosine at most its true cosine, so
    one shared rare word does not make two long sentences look alike; the cap keeps the product near
    linear in n."""
    x = tfidf(texts)
    n = len(texts)
    cap_df = int(max(100, min(1000, max_df * n)))
    if x is not None and n > cap_df:  # drop the frequent words in place (no copy of the matrix)
        frequent = np.bincount(x.indices, minlength=x.shape[1]) > cap_df
        x.data[frequent[x.indices]] = 0
        x.eliminate_zeros()
    return x


def tfidf(texts: list[str], *, part: int = 100_000):
    """The L2-normalised, sublinear TF-IDF matrix (CSR, float32) of texts split at whitespace: exactly
    what ``sklearn``'s ``TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)``
    gives (the same columns, in the same order, the same float32 values), with the words counted by
    pandas' hash table instead of a Python loop per text (about half the CPU time; a test checks the
    two are equal). ``None`` when no text has a word. Words are counted ``part`` texts at a time.

    >>> tfidf(["a b a", "b c"]).toarray().astype(float).round(2).tolist()
    [[0.92, 0.39, 0.0], [0.0, 0.58, 0.81]]
    """
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    n = len(texts)
    vocab: dict[str, int] = {}  # word -> id in order of first appearance (as sklearn numbers them)
    rows, cols, counts = [], [], []
    for s in range(0, n, part):  # in parts: only one part's words are held at a time
        words, doc = _words(texts[s:s + part])
        if not len(words):
            continue
        codes, uniq = pd.factorize(words)  # ids in order of first appearance within the part
        ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in uniq), dtype=np.int64, count=len(uniq))
        v = np.int64(len(vocab))
        key = np.sort(doc * v + ids[codes])  # (text, word) in sklearn's order
        at = np.nonzero(np.r_[True, key[1:] != key[:-1]])[0]
        counts.append(np.diff(np.r_[at, len(key)]).astype(np.float32))
        key = key[at]
        rows.append((key // v + s).astype(np.int64))
        cols.append((key % v).astype(np.int32))
    if not vocab:
        return None
    v = len(vocab)
    row, col, counts = np.concatenate(rows), np.concatenate(cols), np.concatenate(counts)
    del rows, cols
    # columns in alphabetical order, as sklearn sorts its vocabulary (each text's entries keep their
    # first-appearance order, as in sklearn)
    names = np.empty(v, dtype=object)
    names[:] = list(vocab)
    rank = np.empty(v, dtype=np.int32)
    rank[np.argsort(names, kind="stable")] = np.arange(v, dtype=np.int32)
    indptr = np.zeros(n + 1, dtype=np.int32 if len(row) < 2**31 else np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    del row
    counts_x = sp.csr_matrix((counts, rank[col], indptr), shape=(n, v))
    return TfidfTransformer(sublinear_tf=True).fit(counts_x).transform(counts_x, copy=False).tocsr()


def _words(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(every whitespace-separated word of ``texts`` as an object array, the index of its text)."""
    joined = " \x01 ".join(texts)  # one split for all texts; "\x01" marks where a text ends
    if joined.count("\x01") == len(texts) - 1:
        words = np.array(joined.split(), dtype=object)
        mark = words == "\x01"
        doc = np.cumsum(mark)[~mark]
        return words[~mark], doc
    parts = [t.split() for t in texts]  # a text holds "\x01" itself: split text by text
    lens = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    words = np.empty(int(lens.sum()), dtype=object)
    words[:] = [w for p in parts for w in p]
    return words, np.repeat(np.arange(len(texts)), lens)


def _upper_pairs(x, *, floor: float, cap: int, chunk: int, threads: int, bar) -> np.ndarray:
    """The pairs (as keys i*n+j, i < j, sorted) whose cosine in ``x`` is at least ``floor`` and that are
    among the ``cap`` most similar of row i or of row j: the same pairs as one row-by-row product of x
    with its transpose kept to each row's top ``cap``, in half the work.

    Row chunks are multiplied only by the columns from their own block on (the upper triangle, each
    pair once), against blocks of x's transpose converted to CSR once (sparse_dot_topn would convert a
    CSC transpose again for every chunk). The triangle finds every pair above the floor while no row
    has more than ``cap`` such neighbours; rows that do (or whose list in a block was cut at ``cap``)
    are recomputed against all columns exactly as the full product would, and their pairs decided by
    the top-``cap`` rule."""
    from sparse_dot_topn import sp_matmul_topn

    n = x.shape[0]
    block = max(chunk, 5 * chunk)  # column blocks: few enough calls, little wasted work on the diagonal
    starts = list(range(0, n, block))
    bt = {b: x[b:b + block].T.tocsr() for b in starts}  # each block's transpose, once
    keys, cut = [], np.zeros(n, dtype=bool)
    for s in range(0, n, chunk):
        a = x[s:s + chunk]
        b0 = (s // block) * block
        for b in [b for b in bt if b < b0]:
            del bt[b]  # no later chunk reaches back to it
        for b in starts:
            if b < b0:
                continue
            res = sp_matmul_topn(a, bt[b], top_n=cap, threshold=floor, n_threads=threads)
            counts = np.diff(res.indptr)
            cut[s + np.nonzero(counts >= cap)[0]] = True  # maybe cut: decided below
            r = np.repeat(np.arange(s, s + a.shape[0], dtype=np.int64), counts)
            c = res.indices.astype(np.int64) + b
            up = c > r
            keys.append(r[up] * n + c[up])
        bar.update(a.shape[0])
    bar.close()
    key = unique_keys(np.concatenate(keys)) if keys else np.empty(0, np.int64)
    return _with_capped_rows(x, key, cut, floor=floor, cap=cap, threads=threads)


def _with_capped_rows(x, key: np.ndarray, hot: np.ndarray, *, floor: float, cap: int, threads: int) -> np.ndarray:
    """The triangle's pairs ``key``, corrected for the rows where the cap decides (``hot``: lists cut at
    ``cap``, and every row with about ``cap`` neighbours or more). Such rows are recomputed against all
    columns: a pair of two of them is kept only if one has the other among its top ``cap`` (the rule of
    the full product, with the same call), a pair of one of them and an ordinary row whenever it is
    above the floor (the ordinary row's list would hold it). Ordinary rows whose neighbours, counted
    with the recomputed lists, reach the cap become hot too, until none does."""
    from sparse_dot_topn import sp_matmul, sp_matmul_topn

    n = x.shape[0]
    hot = hot.copy()
    done = np.zeros(n, dtype=bool)
    xt = None
    top_keys, above = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    while True:
        deg = np.bincount(key // n, minlength=n) + np.bincount(key % n, minlength=n)
        extra = np.concatenate(above)
        deg += np.bincount(extra // n, minlength=n) + np.bincount(extra % n, minlength=n)
        hot |= deg >= cap - 1  # a row's list holds itself and cap - 1 others
        todo = np.nonzero(hot & ~done)[0]
        if not len(todo):
            break
        xt = x.T.tocsr() if xt is None else xt
        for s in range(0, len(todo), 2000):
            rs = todo[s:s + 2000]
            a = x[rs]
            top = sp_matmul_topn(a, xt, top_n=cap, threshold=floor, n_threads=threads).tocoo()
            r, c = rs[top.row].astype(np.int64), top.col.astype(np.int64)
            top_keys.append(np.minimum(r, c) * n + np.maximum(r, c))
            every = sp_matmul(a, xt, n_threads=threads).tocoo()
            ok = every.data > floor  # (sparse_dot_topn keeps values above its threshold)
            r, c = rs[every.row[ok]].astype(np.int64), every.col[ok].astype(np.int64)
            above.append(np.minimum(r, c) * n + np.maximum(r, c))
        done[todo] = True
    if not done.any():
        return key
    i, j = key // n, key % n
    ordinary = key[~(hot[i] | hot[j])]
    extra = np.concatenate(above)
    mixed = extra[hot[extra // n] != hot[extra % n]]  # one hot row, one ordinary: above the floor is enough
    out = unique_keys(np.concatenate([ordinary, mixed] + top_keys))
    return out[out // n != out % n]


def unique_keys(key: np.ndarray) -> np.ndarray:
    """The distinct values of an int64 array, sorted: each pair once as one key i*n+j. A plain sort and
    a mask take 0.16 s for 5.7M keys where np.unique(axis=1) on the pair arrays takes 6-9 s and
    np.unique on the keys (numpy 2.4) 7 s.

    >>> unique_keys(np.array([5, 3, 5, 1])).tolist()
    [1, 3, 5]
    """
    s = np.sort(key)
    return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s
