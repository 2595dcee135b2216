"""The Dask engine for matching: the per-claim and per-pair work partitioned over a Dask cluster.

``fb.match(corpus, engine=client)`` with a :class:`dask.distributed.Client` (or a scheduler address)
gives the local engine's pairs and scores. What runs where:

- **on the workers, in partitions of claims:** the semantic tier's encoding (sentences and their clauses,
  :func:`factbench.matching.semantic.embed`; each worker process loads the encoder once and keeps it),
  or the lexical tier's text normalisation;
- **here:** the O(N) arrays (embeddings, normalised texts, ids) and candidate generation (nearest
  neighbours by embedding, or TF-IDF blocking), which yields O(N) candidate pairs, never N×N;
- **on the workers, in blocks of candidate pairs:** scoring (the calibrated semantic score, or the
  lexical scorer with its fact anchors). Each block carries only the embeddings and texts of the
  claims it names.

Every claim is encoded on its own (one text per ONNX run) and every pair is scored on its own, so the
partitioning changes nothing: the results equal a local run's (tested). The tier is chosen from the
whole corpus here (transformer up to 2,000 claims, static model up to 50,000, lexical beyond), as
locally. A worker whose encoder file differs from this machine's is refused. ``against=`` (matching
against earlier fact-checks) runs locally only.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..claims.distributed import _client, _threads, run_bounded
from ..ingest.text import normalise
from . import semantic
from .blocking import candidate_pairs

#: claims per encoding or normalising task: a task's overhead (milliseconds) is small next to encoding
#: 2,000 sentences with their clauses (seconds with the transformer)
CLAIMS_PER_TASK = 2000
#: candidate pairs per scoring task
PAIRS_PER_TASK = 50_000


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


def score_partition(vecs, clause_vecs, start, model: str, texts: list[str], i, j, threshold: float) -> np.ndarray:
    """On a worker: the calibrated semantic score of pairs (i, j), indexes into this block's rows."""
    e = semantic.Embedded(vecs, clause_vecs, start, model)
    return semantic.pair_scores(e, e, i, j, texts, texts, threshold=threshold)


def normalise_partition(texts: Sequence[str], stop_words: bool) -> list[str]:
    """On a worker: the lexical tier's normalised texts of one partition."""
    return [normalise(t, stop_words=stop_words) for t in texts]


def verify_partition(texts: list[str], norm: list[str], i, j, scorer, threshold: float, anchor_threshold):
    """On a worker: the lexical tier's scoring and fact anchors of pairs (i, j), indexes into this block's rows."""
    from .match import _verify

    return _verify(pd.DataFrame({"text": texts}), norm, i, j, scorer=scorer, threshold=threshold,
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
    parts = spans(len(texts), CLAIMS_PER_TASK, min_parts=_threads(client))
    res = _run(client, embed_partition, parts, lambda p: (texts[p[0]:p[1]], model), name="embed",
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


def _semantic_block(e: semantic.Embedded, texts: list[str], i, j, threshold: float) -> tuple:
    rows, li, lj = _block_rows(i, j)
    cnt = e.start[rows + 1] - e.start[rows]
    start = np.concatenate([[0], np.cumsum(cnt)]).astype(np.int64)
    clause_rows = np.repeat(e.start[rows], cnt) + (np.arange(int(start[-1])) - np.repeat(start[:-1], cnt))
    return (e.vecs[rows], e.clause_vecs[clause_rows], start, e.model, [texts[r] for r in rows], li, lj, threshold)


def match_distributed(engine, corpus, *, method: str = "semantic", threshold: float | None = None, against=None,
                      model: str | None = None, cross_outlet: bool = True, within_days: int | None = None,
                      scorer="token_sort_ratio", stop_words: bool = False, floor: float | None = None,
                      anchor_threshold: float | None = 50.0, progress: bool = True) -> pd.DataFrame:
    """:func:`factbench.match` on a Dask cluster (see the module's docstring); same arguments and results."""
    from . import match as m

    if against is not None:
        raise NotImplementedError("match(..., against=, engine=) is not supported: matching against earlier "
                                  "fact-checks runs locally (drop engine=)")
    if method not in ("semantic", "lexical"):
        raise ValueError(f"method must be 'semantic' or 'lexical', not {method!r}")
    client, own = _client(engine)
    try:
        claims = m._claims_frame(corpus)
        n = len(claims)
        if method == "semantic" and model is None and n > m.SEMANTIC_MAX:
            method = "lexical"
        texts = claims["text"].astype(str).tolist() if method == "semantic" else claims["text"].tolist()
        outlet_code, outlet_names = pd.factorize(claims["outlet"].astype(str))
        art_code, art_names = pd.factorize(claims["article_id"].astype(str))
        groups = outlet_code if cross_outlet else None
        threads = _threads(client)
        if method == "semantic":
            threshold = semantic.THRESHOLD if threshold is None else threshold
            e = embed_distributed(client, texts, semantic.model_for(n, model), progress=progress)
            floor = semantic.FLOORS.get(e.model, semantic.FLOOR) if floor is None else floor
            i, j = semantic.neighbour_pairs(e.vecs, floor=floor, groups=groups, articles=art_code, progress=progress)
            if within_days is not None:
                i, j = m._within_days(claims, i, j, within_days)
            blocks = spans(len(i), PAIRS_PER_TASK, min_parts=threads)
            res = _run(client, score_partition, blocks,
                       lambda b: _semantic_block(e, texts, i[b[0]:b[1]], j[b[0]:b[1]], threshold),
                       name="score", sizes=[b - a for a, b in blocks], desc="scoring", unit="pair",
                       progress=progress)
            s = np.concatenate(res) if res else np.empty(0)
            keep = s >= threshold
            i, j, s = i[keep], j[keep], s[keep]
            how = np.full(len(i), f"semantic:{e.model}", dtype=object)
            return m._pairs_frame(claims, i, j, s, how, art_code, art_names, outlet_code, outlet_names)
        threshold = m.DEFAULT_THRESHOLD if threshold is None else threshold
        floor = 0.15 if floor is None else floor
        parts = spans(n, CLAIMS_PER_TASK * 10, min_parts=threads)
        res = _run(client, normalise_partition, parts, lambda p: (texts[p[0]:p[1]], stop_words), name="normalise",
                   sizes=[b - a for a, b in parts], desc="normalising", unit="claim", progress=progress)
        norm = [t for r in res for t in r]
        i, j = candidate_pairs(norm, groups=groups, articles=art_code, floor=floor, progress=progress)
        if within_days is not None:
            i, j = m._within_days(claims, i, j, within_days)
        raw = claims["text"]

        def block(b):
            rows, li, lj = _block_rows(i[b[0]:b[1]], j[b[0]:b[1]])
            return ([raw.iat[r] for r in rows], [norm[r] for r in rows], li, lj, scorer, threshold, anchor_threshold)

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
        return m._pairs_frame(claims, np.concatenate(ii), np.concatenate(jj), np.concatenate(ss),
                              np.concatenate(hh), art_code, art_names, outlet_code, outlet_names)
    finally:
        if own:
            client.close()
