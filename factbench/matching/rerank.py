"""Reranking candidates with the pair scorer: a cross-encoder that reads two statements together.

The sentence encoder embeds each statement on its own, which is fast enough to find every claim's
nearest neighbours (:mod:`factbench.matching.semantic`); the pair scorer (``minilm-l6-cross-int8``,
:func:`factbench.ingest.encoder.pair_logits`, fine-tuned from the same all-MiniLM-L6-v2 weights) reads
both statements as one input and judges whether they state the same claim. It runs the transformer once
per pair (about 50–110 pairs a second on two shared cores), so it only scores candidates: each claim's
nearest reference rows in ``match(claims, against=reference)``
(:data:`factbench.matching.match.AGAINST_NEIGHBOURS`).

The reranked score is the geometric mean of the matcher's calibrated score and the pair scorer's
(:func:`combine`), 0..100, matched from 55 like the calibrated score
(:data:`factbench.matching.semantic.THRESHOLD`): a pair needs both to agree. Measured on held-out sets
(``benchmarks/eval_retrieval.py``, ``benchmarks/basil_ceiling.py``): CLEF 2020 claim retrieval dev MAP@5
0.792 → 0.82; the pair scorer alone ranks worse than the combination and, on the BASIL events (one news
story per event, every candidate on topic), gains no pair F1 at precision 0.75, so ``fb.match(corpus)``
and :func:`factbench.similarity` do not use it.

>>> s = cross_scores(["Russia and Ukraine swapped prisoners on Friday."] * 2,
...                  ["On Friday Moscow and Kyiv exchanged captives.", "Oil prices rose sharply on Monday."])
>>> s.shape, bool(s[0] > 55 > s[1])
((2,), True)
>>> combine(np.array([80.0, 30.0]), np.array([45.0, 90.0])).round(1).tolist()
[60.0, 52.0]
"""

from __future__ import annotations

import numpy as np

from ..ingest.encoder import PAIR_MODEL, pair_logits
from .semantic import clean


def cross_scores(texts_a, texts_b, *, model: str = PAIR_MODEL, progress: bool | None = None) -> np.ndarray:
    """The pair scorer's 0..100 score (100 × sigmoid of its logit) of aligned pairs texts_a[k] ~ texts_b[k]
    (texts cleaned of links and social-media signatures as the matcher cleans them)."""
    a = [clean(t) for t in texts_a]
    b = [clean(t) for t in texts_b]
    return _percent(pair_logits(a, b, model=model, progress=progress))


def rerank_pairs(i, j, texts_a, texts_b, *, model: str = PAIR_MODEL, progress: bool | None = None) -> np.ndarray:
    """The pair scorer's 0..100 score of index pairs (texts_a[i], texts_b[j]), each text cleaned once.

    >>> s = rerank_pairs([0, 0], [1, 0], ["Masks do not work."], ["Face masks work.", "Masks are useless."])
    >>> bool(np.allclose(s, cross_scores(["Masks do not work."] * 2, ["Masks are useless.", "Face masks work."])))
    True
    """
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    if not len(i):
        return np.empty(0)
    ca = {int(k): clean(texts_a[int(k)]) for k in np.unique(i)}
    cb = {int(k): clean(texts_b[int(k)]) for k in np.unique(j)}
    return _percent(pair_logits([ca[int(k)] for k in i], [cb[int(k)] for k in j], model=model, progress=progress))


def _percent(logits: np.ndarray) -> np.ndarray:
    """The pair scorer's logits as its 0..100 score: 100 × sigmoid."""
    return 100.0 / (1.0 + np.exp(-logits.astype(np.float64)))


def combine(calibrated: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """The reranked 0..100 score: the geometric mean of the calibrated score and the pair scorer's."""
    return np.sqrt(np.clip(calibrated, 0, 100) * np.clip(cross, 0, 100))


def needs_cross(calibrated: np.ndarray, threshold: float) -> np.ndarray:
    """The pairs whose reranked score can reach ``threshold`` (the pair scorer gives at most 100): only
    these are worth a pair-scorer run; the others stay below the threshold whatever it says."""
    return np.asarray(calibrated) * 100.0 >= threshold * threshold


def rerank(calibrated: np.ndarray, i, j, texts_a, texts_b, *, threshold: float = 0.0, model: str = PAIR_MODEL,
           progress: bool | None = None) -> np.ndarray:
    """Reranked scores of candidate pairs (texts_a[i], texts_b[j]) with calibrated scores ``calibrated``:
    :func:`combine` where the pair can reach ``threshold`` (:func:`needs_cross`), 0 elsewhere."""
    calibrated = np.asarray(calibrated, dtype=np.float64)
    out = np.zeros(len(calibrated))
    k = np.nonzero(needs_cross(calibrated, threshold))[0]
    if len(k):
        out[k] = combine(calibrated[k], rerank_pairs(np.asarray(i)[k], np.asarray(j)[k], texts_a, texts_b,
                                                     model=model, progress=progress))
    return out
