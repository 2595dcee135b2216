"""Candidate generation cut into row blocks: each block an independent task, the same pairs as in one piece.

The local blocking (:func:`factbench.matching.blocking.candidate_pairs`, TF-IDF) and neighbour search
(:func:`factbench.matching.semantic.neighbour_pairs`, embeddings) each look, row by row, for a claim's
neighbours among all claims, then keep every pair once. Here the rows are cut into blocks: a block's
task needs the shared matrix (TF-IDF rows or embeddings, O(N), sent to a worker once) and returns the
pairs its rows found as sorted keys ``i * n + j``; :func:`merge_keys` joins the blocks' keys and keeps
each pair once. A row's neighbours depend only on that row and the shared matrix, never on the other rows
of its block, so the pairs equal the local ones (tested on the sample and on generated corpora).

>>> texts = ["russia ukraine swap 84 prisoners", "ukraine russia swap 84 prisoners", "oil prices rose",
...          "oil prices rose again"]
>>> x = blocking_matrix(texts)
>>> keys = [tfidf_block(x, a, b, floor=0.15) for a, b in [(0, 2), (2, 4)]]
>>> [(int(i), int(j)) for i, j in zip(*merge_keys(keys, len(texts)))]
[(0, 1), (2, 3)]
"""

from __future__ import annotations

import threading

import numpy as np

from .blocking import across, blocking_matrix, unique_keys  # noqa: F401 (blocking_matrix: the module doctest)
from .semantic import block_neighbours, ivf_index

#: neighbours kept per row by the TF-IDF blocking (a memory guard; see blocking.candidate_pairs)
TFIDF_CAP = 200
#: rows per product in the embedding search; blocks start at multiples of it, as the local loop's do
SEARCH_CHUNK = 2048


_lock = threading.Lock()
_held: dict[str, tuple] = {}  # in a worker process: what one match's blocks share, made once


def _once(name: str, source, make):
    """``make(source)``, made once per process for the object ``source`` (a worker's blocks share it)."""
    with _lock:
        held = _held.get(name)
        if held is None or held[0] is not source:
            held = _held[name] = (source, make(source))
        return held[1]


def release() -> None:
    """Forget what :func:`tfidf_block` and :func:`neighbour_block` keep (run on each worker after a match)."""
    with _lock:
        _held.clear()


def _xt(x):
    """``x.T`` as CSR (what sparse_dot_topn converts it to on every call), made once per matrix."""
    return _once("xt", x, lambda v: v.T.tocsr(False))


def tfidf_block(x, start: int, stop: int, *, floor: float, cap: int = TFIDF_CAP, groups=None, articles=None,
                threads: int = 1) -> np.ndarray:
    """Sorted keys ``i * n + j`` (i < j) of the pairs rows ``start:stop`` of ``x`` find: every neighbour
    with TF-IDF cosine at least ``floor``, at most ``cap`` per row, pairs inside one of ``groups`` or one
    of ``articles`` dropped."""
    from sparse_dot_topn import sp_matmul_topn

    n = x.shape[0]
    if stop <= start:
        return np.empty(0, np.int64)
    block = sp_matmul_topn(x[start:stop], _xt(x), top_n=cap, threshold=floor, n_threads=threads).tocoo()
    i, j = across(block.row.astype(np.int64) + start, block.col.astype(np.int64), groups=groups, articles=articles)
    return unique_keys(i * np.int64(n) + j)


def serialized_ivf_index(base: np.ndarray) -> np.ndarray:
    """:func:`~factbench.matching.semantic.ivf_index` as bytes (a uint8 array) to send to workers."""
    import faiss

    return faiss.serialize_index(ivf_index(base))


def _index(blob: np.ndarray):
    import faiss

    def load(b):
        index = faiss.deserialize_index(b)
        faiss.extract_index_ivf(index).nprobe = 12
        return index

    return _once("index", blob, load)


def thread_counts() -> dict[str, int]:
    """This process's BLAS and OpenMP thread counts (``{"blas": n, "openmp": m}``). A BLAS product's last
    bits depend on its thread count (OpenBLAS splits the work differently), and so does which of two
    equally close neighbours a search keeps: a worker searches with the client's counts."""
    from threadpoolctl import threadpool_info

    out: dict[str, int] = {}
    for lib in threadpool_info():
        out[lib["user_api"]] = max(out.get(lib["user_api"], 1), int(lib["num_threads"]))
    return out


def neighbour_block(base: np.ndarray, start: int, stop: int, *, floor: float, k: int, groups=None, articles=None,
                    query: np.ndarray | None = None, index: np.ndarray | None = None,
                    chunk: int = SEARCH_CHUNK, threads: dict[str, int] | None = None) -> np.ndarray:
    """Sorted keys ``i * m + j`` of the pairs whose cosine is at least ``floor`` among each row's ``k``
    nearest neighbours, for rows ``start:stop`` (of ``base`` itself, i < j, pairs inside one of ``groups``
    or ``articles`` dropped; or of ``query``: pairs (query row, base row)). ``index``: a
    :func:`serialized_ivf_index` of ``base`` to search instead of exact products. ``start`` must be a
    multiple of ``chunk``: the products are the local loop's, block for block. ``threads``: the BLAS and
    OpenMP thread counts to search with (:func:`thread_counts` of the process whose results to equal)."""
    if threads:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=threads):
            return neighbour_block(base, start, stop, floor=floor, k=k, groups=groups, articles=articles,
                                   query=query, index=index, chunk=chunk)
    if start % chunk:
        raise ValueError(f"a block must start at a multiple of {chunk}, not {start}")
    # an array received from another process may sit at an address that is not a multiple of 4, where
    # OpenBLAS takes another path and rounds differently: such an array is copied (once) to a fresh one
    base = _once("base", base, _aligned)
    q = base if query is None else _once("query", query, _aligned)
    m = len(base)
    kk = min(k + 1, m)
    search = _index(index).search if index is not None else None
    keys = []
    for s in range(start, stop, chunk):
        r, c = block_neighbours(q[s:min(s + chunk, stop)], s, base, kk, floor=floor, search=search,
                                within=query is None, groups=groups, articles=articles)
        keys.append(r * np.int64(m) + c)
    return unique_keys(np.concatenate(keys)) if keys else np.empty(0, np.int64)


def _aligned(a: np.ndarray) -> np.ndarray:
    return np.require(a, requirements=["C", "A"])


def merge_keys(keys: list[np.ndarray], m: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``(i, j)`` of the blocks' keys ``i * m + j``, each once, sorted."""
    if not keys:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key = unique_keys(np.concatenate(keys))
    return key // m, key % m


def row_blocks(n: int, size: int, *, parts: int = 1, align: int = 1) -> list[tuple[int, int]]:
    """``[start, stop)`` row ranges covering ``range(n)``: at most ``size`` rows (rounded up to a multiple
    of ``align``, as are the starts), and at least ``parts`` of them when ``n`` allows.

    >>> row_blocks(10, 4)
    [(0, 4), (4, 8), (8, 10)]
    >>> row_blocks(5000, 10**6, parts=2, align=2048)
    [(0, 4096), (4096, 5000)]
    """
    if n <= 0:
        return []
    size = max(1, min(size, -(-n // max(1, parts))))
    size = -(-size // align) * align
    return [(a, min(n, a + size)) for a in range(0, n, size)]
