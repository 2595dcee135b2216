"""The Dask engine for matching: the per-claim and per-pair work partitioned over a Dask cluster.

``fb.match(corpus, engine=client)`` with a :class:`dask.distributed.Client` (or a scheduler address)
gives the local engine's pairs and scores; so does ``fb.match(claims, against=reference, engine=client)``.
What runs where:

- **on the workers, in partitions of claims:** the semantic tier's encoding (sentences and their clauses,
  :func:`factbench.matching.semantic.embed`; each worker process loads the encoder once and keeps it),
  or the lexical tier's text normalisation;
- **on the workers, in blocks of rows:** candidate generation (:mod:`factbench.matching.partitions`).
  The shared matrix (the TF-IDF rows, or the embeddings and, beyond ``EXACT_MAX`` claims, their faiss
  index) is sent to every worker once; each task finds the neighbours of a block of rows against it
  and returns its pairs as sorted keys ``i * n + j``, which are joined here keeping each pair once;
- **on the workers, in blocks of candidate pairs:** scoring (the calibrated semantic score, or the
  lexical scorer with its fact anchors). Each block carries only the embeddings and texts of the
  claims it names.
- **here:** O(N) arrays only (ids, texts, normalised texts or embeddings, the TF-IDF matrix, the
  candidate keys: a bounded number per claim), never anything of size N×N.

Every claim is encoded on its own (one text per ONNX run), a row's neighbours depend only on that row
and the shared matrix, and every pair is scored on its own, so the partitioning changes nothing: the
results equal a local run's (tested). The tier is chosen from the whole corpus here (transformer up to
2,000 claims, static model up to 50,000, lexical beyond), as locally. A worker whose encoder file
differs from this machine's is refused.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..claims.distributed import dask_client, run_bounded, worker_threads
from ..ingest.text import normalise
from . import partitions, semantic
from .blocking import blocking_matrix

#: claims per encoding or normalising task: a task's overhead (milliseconds) is small next to encoding
#: 2,000 sentences with their clauses (seconds with the transformer)
CLAIMS_PER_TASK = 2000
#: candidate pairs per scoring task
PAIRS_PER_TASK = 50_000
#: rows per candidate-generation task: TF-IDF blocking (the local loop's chunk), embedding search
TFIDF_ROWS_PER_TASK = 20_000
SEARCH_ROWS_PER_TASK = 4 * partitions.SEARCH_CHUNK


def pack(items) -> np.ndarray:
    """``items`` as a 1-d object array: Dask looks inside a list argument item by item for futures (a
    second per 100,000 texts), but passes an array as it is.

    >>> pack(["a", ("b", 1)]).shape
    (2,)
    """
    out = np.empty(len(items), dtype=object)
    out[:] = list(items) if not isinstance(items, np.ndarray) else items
    return out


def spans(n: int, size: int, min_parts: int = 1) -> list[tuple[int, int]]:
    """Consecutive ``[start, stop)`` ranges covering ``range(n)``, at most ``size`` long, and at least
    ``min_parts`` of them when ``n`` allows.

    >>> spans(5, 2)
    [(0, 2), (2, 4), (4, 5)]
    >>> spans(4, 100, min_parts=2)
    [(0, 2), (2, 4)]
    """
    if n <= 0:
        return []
    size = max(1, min(size, -(-n // max(1, min_parts))))
    return [(s, min(n, s + size)) for s in range(0, n, size)]


@lru_cache(maxsize=4)
def model_digest(model: str) -> str:
    """A short SHA-256 of an encoder's weights file (what must agree between this machine and a worker)."""
    from ..ingest.encoder import _folder

    folder = _folder(model)
    h = hashlib.sha256()
    for name in ("model.onnx", "embeddings.npy"):
        f = folder / name
        if f.is_file():
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()[:16]


def embed_partition(texts: Sequence[str], model: str) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
    """On a worker: the encoder's digest, and the sentence embeddings, clause embeddings and clause
    offsets of one partition (:func:`factbench.matching.semantic.embed`)."""
    e = semantic.embed(list(texts), model=model, progress=False)
    return model_digest(model), e.vecs, e.clause_vecs, e.start


def score_partition(vecs, clause_vecs, start, model: str, texts: list[str], i, j, threshold: float,
                    other: tuple | None = None) -> np.ndarray:
    """On a worker: the calibrated semantic score of pairs (i, j), indexes into this block's rows (``other``:
    the embeddings and texts of the reference rows j, when matching against earlier fact-checks)."""
    e = semantic.Embedded(vecs, clause_vecs, start, model)
    texts = list(texts)
    if other is None:
        return semantic.pair_scores(e, e, i, j, texts, texts, threshold=threshold)
    ovecs, oclause_vecs, ostart, otexts = other
    otexts = list(otexts)
    return semantic.pair_scores(e, semantic.Embedded(ovecs, oclause_vecs, ostart, model), i, j, texts, otexts,
                                threshold=threshold)


def tfidf_task(shared, start: int, stop: int, floor: float) -> np.ndarray:
    """On a worker: the TF-IDF blocking of rows ``start:stop`` (:func:`~factbench.matching.partitions.tfidf_block`)."""
    x, groups, articles = shared
    return partitions.tfidf_block(x, start, stop, floor=floor, groups=groups, articles=articles)


def search_task(shared, start: int, stop: int, floor: float, k: int, threads: dict) -> np.ndarray:
    """On a worker: the embedding neighbours of rows ``start:stop`` (:func:`~factbench.matching.partitions.neighbour_block`)."""
    base, query, index, groups, articles = shared
    return partitions.neighbour_block(base, start, stop, floor=floor, k=k, groups=groups, articles=articles,
                                      query=query, index=index, threads=threads)


def _release(client, shared) -> None:
    shared.release()
    try:
        client.run(partitions.release)
    except Exception:  # a worker gone meanwhile holds nothing any more
        pass


def tfidf_candidates_distributed(client, norm: list[str], *, groups, articles, floor: float,
                                 progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`factbench.matching.blocking.candidate_pairs` of normalised texts, its products on the workers
    in blocks of rows (the TF-IDF matrix is made here and sent to each worker once)."""
    n = len(norm)
    x = blocking_matrix(list(norm)) if n >= 2 else None
    if x is None:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    shared = client.scatter([(x, groups, articles)], broadcast=True, hash=False)[0]
    try:
        blocks = partitions.row_blocks(n, TFIDF_ROWS_PER_TASK, parts=worker_threads(client))
        keys = _run(client, tfidf_task, blocks, lambda b: (shared, b[0], b[1], floor), name="block",
                    sizes=[b - a for a, b in blocks], desc="blocking", unit="claim", progress=progress)
    finally:
        _release(client, shared)
    return partitions.merge_keys(keys, n)


def neighbours_distributed(client, vecs: np.ndarray, *, floor: float, k: int = semantic.NEIGHBOURS, groups=None,
                           articles=None, query: np.ndarray | None = None,
                           progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """:func:`factbench.matching.semantic.neighbour_pairs` with its searches on the workers in blocks of
    rows (the embeddings, and beyond ``EXACT_MAX`` rows their faiss index made here, sent to each worker once)."""
    q = vecs if query is None else query
    n, m = len(q), len(vecs)
    if n == 0 or m == 0 or (query is None and n < 2):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    index = partitions.serialized_ivf_index(vecs) if m > semantic.EXACT_MAX else None
    shared = client.scatter([(vecs, query, index, groups, articles)], broadcast=True, hash=False)[0]
    try:
        blocks = partitions.row_blocks(n, SEARCH_ROWS_PER_TASK, parts=worker_threads(client),
                                       align=partitions.SEARCH_CHUNK)
        threads = partitions.thread_counts()  # the workers multiply with this machine's BLAS threads
        keys = _run(client, search_task, blocks, lambda b: (shared, b[0], b[1], floor, k, threads), name="search",
                    sizes=[b - a for a, b in blocks], desc="neighbours", unit="claim", progress=progress)
    finally:
        _release(client, shared)
    return partitions.merge_keys(keys, m)


def normalise_partition(texts: Sequence[str], stop_words: bool) -> list[str]:
    """On a worker: the lexical tier's normalised texts of one partition."""
    return pack([normalise(t, stop_words=stop_words) for t in texts])


def verify_partition(texts: list[str], norm: list[str], i, j, scorer, threshold: float, anchor_threshold):
    """On a worker: the lexical tier's scoring and fact anchors of pairs (i, j), indexes into this block's rows."""
    from .match import verify_pairs

    return verify_pairs(pd.DataFrame({"text": list(texts)}), list(norm), i, j, scorer=scorer, threshold=threshold,
                   anchor_threshold=anchor_threshold)


def _run(client, fn: Callable, jobs: list, build: Callable, *, name: str, sizes: list[int], desc: str,
         unit: str, progress: bool) -> list:
    """``fn(*build(job))`` for every job on the cluster, a few per worker thread in flight, results in
    job order."""
    results: list = [None] * len(jobs)
    for n, result in run_bounded(client, fn, jobs, build, name=name, sizes=sizes, desc=desc, unit=unit,
                                 progress=progress):
        results[n] = result
    return results


def embed_distributed(client, texts: list[str], model: str, *, progress: bool = False) -> semantic.Embedded:
    """:func:`factbench.matching.semantic.embed` of ``texts`` with ``model``, encoded on the workers."""
    if not texts:
        return semantic.embed([], model=model, progress=False)
    parts = spans(len(texts), CLAIMS_PER_TASK, min_parts=worker_threads(client))
    packed = pack(texts)
    res = _run(client, embed_partition, parts, lambda p: (packed[p[0]:p[1]], model), name="embed",
               sizes=[b - a for a, b in parts], desc="encoding", unit="claim", progress=progress)
    mine = model_digest(model)
    for digest, *_ in res:
        if digest != mine:
            raise RuntimeError(f"a Dask worker's encoder {model!r} differs from this machine's (weights {digest} "
                               f"vs {mine}): results would differ from a local run; install the same factbench "
                               "on every worker")
    vecs = np.concatenate([r[1] for r in res])
    clause_vecs = np.concatenate([r[2] for r in res])
    offsets = np.cumsum([0] + [int(r[3][-1]) for r in res])
    start = np.concatenate([r[3][:-1] + off for r, off in zip(res, offsets)] + [offsets[-1:]]).astype(np.int64)
    return semantic.Embedded(vecs, clause_vecs, start, model)


def _block_rows(i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The claims a block of pairs names (sorted) and the pairs as indexes into them."""
    rows = np.unique(np.concatenate([i, j]))
    return rows, np.searchsorted(rows, i), np.searchsorted(rows, j)


def _rows_of(e: semantic.Embedded, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sentence embeddings, clause embeddings and clause offsets of ``rows`` of ``e``."""
    cnt = e.start[rows + 1] - e.start[rows]
    start = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
    clause_rows = np.repeat(e.start[rows], cnt) + (np.arange(int(start[-1])) - np.repeat(start[:-1], cnt))
    return e.vecs[rows], e.clause_vecs[clause_rows], start


def _semantic_block(e: semantic.Embedded, texts: np.ndarray, i, j, threshold: float) -> tuple:
    rows, li, lj = _block_rows(i, j)
    return (*_rows_of(e, rows), e.model, texts[rows], li, lj, threshold)


def _against_block(a: semantic.Embedded, b: semantic.Embedded, texts: np.ndarray, ref_texts: np.ndarray, i, j,
                   threshold) -> tuple:
    ra, li = np.unique(i, return_inverse=True)
    rb, lj = np.unique(j, return_inverse=True)
    other = pack([*_rows_of(b, rb), ref_texts[rb]])  # an array: Dask does not walk into it
    return (*_rows_of(a, ra), a.model, texts[ra], li, lj, threshold, other)


def _score_semantic(client, block, n_pairs: int, threads: int, progress: bool) -> np.ndarray:
    blocks = spans(n_pairs, PAIRS_PER_TASK, min_parts=threads)
    res = _run(client, score_partition, blocks, lambda b: block(b[0], b[1]), name="score",
               sizes=[b - a for a, b in blocks], desc="scoring", unit="pair", progress=progress)
    return np.concatenate(res) if res else np.empty(0)


def against_distributed(client, claims, reference, *, top: int = 3, threshold: float | None = None,
                        text_column: str | None = None, model: str | None = None, floor: float | None = None,
                        progress: bool = True, rerank: bool = True) -> pd.DataFrame:
    """:func:`factbench.matching.match.match_against` on a Dask cluster: encoding, neighbour search and
    scoring on the workers (the pair scorer reranks the candidates here); the same rows as the local engine."""
    from . import match as m

    ids, texts, ref_ids, ref_texts = m.against_inputs(claims, reference, text_column)
    if not texts or not ref_texts:  # nothing to send: the local engine's empty table
        return m.match_against(claims, reference, top=top, threshold=threshold, text_column=text_column,
                               model=model, floor=floor, progress=False, rerank=rerank)
    threshold = semantic.THRESHOLD if threshold is None else threshold
    name = semantic.model_for(max(len(texts), len(ref_texts)), model)
    a = embed_distributed(client, texts, name, progress=progress)
    b = embed_distributed(client, ref_texts, name, progress=progress)
    i, j = neighbours_distributed(client, b.vecs, query=a.vecs, k=max(top * 4, m.AGAINST_NEIGHBOURS),
                                  floor=(m.AGAINST_FLOOR if floor is None else floor), progress=progress)
    packed, ref_packed = pack(texts), pack(ref_texts)
    bar = m.against_bar(threshold, rerank)
    s = _score_semantic(client, lambda p, q: _against_block(a, b, packed, ref_packed, i[p:q], j[p:q], bar),
                        len(i), worker_threads(client), progress)
    return m.against_table(ids, ref_ids, texts, ref_texts, i, j, s, threshold=threshold, top=top, model=name,
                           rerank=rerank, progress=progress)


def match_distributed(engine, corpus, *, method: str = "semantic", threshold: float | None = None, against=None,
                      top: int = 3, text_column: str | None = None, model: str | None = None,
                      cross_outlet: bool = True, within_days: int | None = None, scorer="token_sort_ratio",
                      stop_words: bool = False, floor: float | None = None, anchor_threshold: float | None = 50.0,
                      progress: bool = True, rerank: bool = True) -> pd.DataFrame:
    """:func:`factbench.match` on a Dask cluster (see the module's docstring); same arguments and results."""
    from . import match as m

    if against is None and method not in ("semantic", "lexical"):
        raise ValueError(f"method must be 'semantic' or 'lexical', not {method!r}")
    client, own = dask_client(engine)
    try:
        if against is not None:
            return against_distributed(client, corpus, against, top=top, threshold=threshold,
                                       text_column=text_column, model=model, floor=floor, progress=progress,
                                       rerank=rerank)
        claims = m.claims_table(corpus)
        n = len(claims)
        if method == "semantic" and model is None and n > m.SEMANTIC_MAX:
            method = "lexical"
        texts = claims["text"].astype(str).tolist() if method == "semantic" else claims["text"].tolist()
        art_code = pd.factorize(claims["article_id"].astype(str))[0]
        groups = pd.factorize(claims["outlet"].astype(str))[0] if cross_outlet else None
        threads = worker_threads(client)
        if method == "semantic":
            threshold = semantic.THRESHOLD if threshold is None else threshold
            e = embed_distributed(client, texts, semantic.model_for(n, model), progress=progress)
            floor = semantic.FLOORS.get(e.model, semantic.FLOOR) if floor is None else floor
            i, j = neighbours_distributed(client, e.vecs, floor=floor, groups=groups, articles=art_code,
                                          progress=progress)
            if within_days is not None:
                i, j = m.keep_within_days(claims, i, j, within_days)
            packed = pack(texts)
            s = _score_semantic(client, lambda p, q: _semantic_block(e, packed, i[p:q], j[p:q], threshold), len(i),
                                threads, progress)
            keep = s >= threshold
            i, j, s = i[keep], j[keep], s[keep]
            return m.pairs_table(claims, i, j, s, np.full(len(i), f"semantic:{e.model}", dtype=object))
        threshold = m.DEFAULT_THRESHOLD if threshold is None else threshold
        floor = 0.15 if floor is None else floor
        parts = spans(n, CLAIMS_PER_TASK * 10, min_parts=threads)
        raw = pack(texts)
        res = _run(client, normalise_partition, parts, lambda p: (raw[p[0]:p[1]], stop_words), name="normalise",
                   sizes=[b - a for a, b in parts], desc="normalising", unit="claim", progress=progress)
        norm = np.concatenate(res) if res else pack([])
        i, j = tfidf_candidates_distributed(client, norm, groups=groups, articles=art_code, floor=floor,
                                            progress=progress)
        if within_days is not None:
            i, j = m.keep_within_days(claims, i, j, within_days)
        def block(b):
            rows, li, lj = _block_rows(i[b[0]:b[1]], j[b[0]:b[1]])
            return (raw[rows], norm[rows], li, lj, scorer, threshold, anchor_threshold)

        blocks = spans(len(i), PAIRS_PER_TASK, min_parts=threads)
        res = _run(client, verify_partition, blocks, block, name="verify", sizes=[b - a for a, b in blocks],
                   desc="scoring", unit="pair", progress=progress)
        ii, jj, ss, hh = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0)], [np.empty(0, object)]
        for (a, b), (bi, bj, bs, bh) in zip(blocks, res):
            rows = np.unique(np.concatenate([i[a:b], j[a:b]]))  # the block's rows, as sent
            ii.append(rows[bi])
            jj.append(rows[bj])
            ss.append(bs)
            hh.append(bh)
        return m.pairs_table(claims, np.concatenate(ii), np.concatenate(jj), np.concatenate(ss), np.concatenate(hh))
    finally:
        if own:
            client.close()
